"""Pageturn: the engine behind the course "Build vs Run".

Pageturn is a small app where people log the books they have read. Maya
builds it; Sam runs it. This package models it so learners can turn its
dials and watch both jobs win and lose:

* :func:`simulate` runs Pageturn for some weeks (:mod:`pageturn.sim`);
  ``simulate(**EQUAL_RISK)`` is the world where every deploy is equally risky;
* :data:`PRESETS` holds dial settings for the DORA clusters (:mod:`pageturn.dora`);
* :mod:`pageturn.traffic` makes request logs for the latency lessons.

Heavy libraries (pandas, matplotlib, ipywidgets) are imported only by the
modules that need them, so ``import pageturn`` stays quick.
"""

from .dora import PRESETS
from .sim import EQUAL_RISK, simulate

__all__ = ["simulate", "PRESETS", "EQUAL_RISK"]
__version__ = "0.1.0"
