"""The course these tests check: its root (the checkout they belong to) and its manifest.

Every test takes ``ROOT`` (and the course's lessons and labs, ``COURSE``) from here, the one place
that finds them: through :func:`pageturn.course.manifest.root`, started from this folder, so a
``PAGETURN_ROOT`` set for something else cannot point the tests at another course.
"""

from pathlib import Path

from pageturn.course import manifest

ROOT = manifest.root(start=Path(__file__).parent)
"""The course root of this checkout (the folder holding course.toml)."""
COURSE = manifest.load(ROOT / manifest.FILENAME)
"""The manifest (:class:`pageturn.course.manifest.Course`): parametrize tests from its lessons and labs."""
FIXTURE = ROOT / "tests" / "fixtures" / "course"
"""A small nbgrader course of its own (one lab, ``fixture_lab``; no manifest beside it)."""
