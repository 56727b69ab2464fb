"""Pageturn: the engine behind the course "Build vs Run".

Pageturn is a small app where people log the books they have read. Maya
builds it; Sam runs it. This package models it so learners can turn its
dials and watch both jobs win and lose:

* :func:`simulate` runs Pageturn for some weeks (:mod:`pageturn.model.sim`);
  ``simulate(**EQUAL_RISK)`` is the world where every deploy is equally risky;
* :data:`PRESETS` holds dial settings for the DORA clusters (:mod:`pageturn.model.dora`);
* :mod:`pageturn.model.traffic` makes request logs for the latency lessons.

Heavy libraries (pandas, matplotlib, ipywidgets) are imported only by the
modules that need them, so ``import pageturn`` stays quick.

The package is laid out by who uses each part:

* ``pageturn.model``: pure models (simulation, rhythm, traffic, DORA, histograms,
  sketches, the canary judge); no widgets, no I/O, no imports from the layers below;
* ``pageturn.live``: the running Pageturn (app, metrics, HTTP client, load
  generator, sanity checks, admin panel, fleet, alerts, faults);
* ``pageturn.lessons``: what notebooks show (the dial, the histogram plots, quizzes);
* ``pageturn.course``: the manifest, navigation, datasets, notebook tools, static
  HTML, the JupyterLab views, ``make bench``;
* ``pageturn.grading``: everything a teacher runs (release, the grading pipeline and
  its nbgrader preprocessors, self-check, the demo class, the hub). It imports
  nothing else of the package but the stdlib-only manifest, the one owner of the
  course id.

Beside them sit four small shared parts: :mod:`pageturn.checks` (argument
checks), :mod:`pageturn.style` (colours), :mod:`pageturn.status` (the 5xx rule)
and :mod:`pageturn.lifecycle` (exit hooks).

Older notebooks import modules by their first, flat names (``from pageturn import
dial``, ``from pageturn.selfcheck import check``). Those names still work: they
are the same module objects as the new ones (see :data:`OLD_NAMES`).
"""

import importlib
import importlib.abc
import importlib.util
import sys

#: What ``from pageturn import ...`` offers beside the old names, and the module each comes from.
#: They are imported on first use, so ``import pageturn.grading...`` loads no model (and no numpy).
SHORTCUTS = {
    "simulate": "pageturn.model.sim",
    "EQUAL_RISK": "pageturn.model.sim",
    "PRESETS": "pageturn.model.dora",
}

#: Flat module names that learners' saved notebooks import, and where each module lives now.
OLD_NAMES = {
    "admin": "pageturn.live.admin",
    "app": "pageturn.live.app",
    "appmetrics": "pageturn.live.appmetrics",
    "canary": "pageturn.model.canary",
    "data": "pageturn.course.data",
    "dial": "pageturn.lessons.dial",
    "dora": "pageturn.model.dora",
    "histogram": "pageturn.model.histogram",
    "histplot": "pageturn.lessons.histplot",
    "loadgen": "pageturn.live.loadgen",
    "quiz": "pageturn.lessons.quiz",
    "sanity": "pageturn.live.sanity",
    "selfcheck": "pageturn.grading.selfcheck",
    "sim": "pageturn.model.sim",
    "sketches": "pageturn.model.sketches",
    "traffic": "pageturn.model.traffic",
}


class _OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``pageturn.<old>`` (and ``pageturn.<old>.<sub>``) as the module at its new place.

    The old name and the new one are one module object, so state, monkeypatches and
    ``isinstance`` checks agree whichever name a notebook used.
    """

    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split(".")
        if len(parts) >= 2 and parts[0] == __name__ and parts[1] in OLD_NAMES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        parts = spec.name.split(".")
        module = importlib.import_module(".".join([OLD_NAMES[parts[1]], *parts[2:]]))
        spec.loader_state = module.__spec__  # the import system is about to set the alias spec on it
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state  # put the real spec back: one module, one identity


if not any(isinstance(finder, _OldNames) for finder in sys.meta_path):
    sys.meta_path.insert(0, _OldNames())


def __getattr__(name):
    """``pageturn.dial`` (and the other old names) and ``pageturn.simulate`` (and the other
    :data:`SHORTCUTS`) without importing them first."""
    if name in OLD_NAMES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in SHORTCUTS:
        value = getattr(importlib.import_module(SHORTCUTS[name]), name)
        globals()[name] = value  # once found, an ordinary attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(SHORTCUTS)


def __dir__():
    return sorted({*globals(), *OLD_NAMES, *SHORTCUTS})


__version__ = "0.1.0"
