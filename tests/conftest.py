"""Shared test set-up: nbgrader needs the environment's bin/ on PATH (it runs `alembic`).

The ``chromium`` fixture lives here, not in tests/browser/, because the browser journeys
and the hub journey (tests/hub/) use the same browser: Playwright's sync API runs one
instance per thread, so a second launch in the same test process would fail.
"""

import os
import sys
from pathlib import Path

import pytest

os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# Keep Jupyter's per-user state out of the learner's home while tests run.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "browser"))  # jlab: the browser helpers


@pytest.fixture(scope="session")
def chromium():
    """Chromium, launched once per test process from /usr/bin/chromium (never downloaded).

    Skips where it is missing, or fails in CI (tests/needs.py).
    """
    import jlab

    import needs

    problem = jlab.missing_browser()
    if problem is not None:
        needs.missing(problem)
    with jlab.launch_chromium() as browser:
        yield browser
