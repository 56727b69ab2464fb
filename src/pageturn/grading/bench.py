"""Timing the grading pipeline against plain nbgrader (for ``make bench``; never a test).

:func:`measure_demo` builds one demo class (:mod:`pageturn.grading.demo`) and times, in
the same run and on the same machine:

1. our pipeline (:func:`pageturn.grading.pipeline.grade` without feedback: release,
   collect, sanitize, parallel autograde, merge, export);
2. plain nbgrader the way a teacher new to it would run it: ``generate_assignment`` once,
   then ``nbgrader autograde LAB --student=ID`` once per student, one after another.

Both use the same course config (so the same per-notebook budget). Runaway students
(endless loops, the output flood) are left out by default: they cost a fixed time budget
whichever way the class is graded, and would hide the difference being measured.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

RUNAWAYS = ("omar", "pia", "rosa")


def measure_demo(lab: str | None = None, *, course=None, workers: int | None = None,
                 include_runaways: bool = False) -> tuple[float, float]:
    """Return (seconds for our pipeline, seconds for serial one-student-per-command nbgrader autograde).

    Args:
        lab: the lab to grade (default: the fixture lab of the test suite when it exists,
            else the first lab in ``grading/source``).
        course: the course whose ``source/<lab>`` is used (default: the one holding ``lab``).
        workers: parallel processes for our pipeline (default: the number of CPUs).
        include_runaways: also grade the endless-loop and output-flood students.

    Raises:
        ValueError: for an unknown lab.
    """
    from pageturn.grading.demo import COURSE, ROOT, demo_course, prepare_class
    from pageturn.grading.pipeline import grade
    from pageturn.release import list_labs, run_nbgrader

    fixture = ROOT / "tests" / "fixtures" / "course"
    if course is None:
        if lab is None and (fixture / "source" / "fixture_lab").is_dir():
            course, lab = fixture, "fixture_lab"
        elif lab is not None and lab in list_labs(fixture):
            course = fixture
        else:
            course = COURSE
    course = Path(course)
    lab = lab or list_labs(course)[0]
    with tempfile.TemporaryDirectory(prefix="pageturn-bench-") as tmp:
        ours_root, _ = demo_course(Path(tmp) / "ours", [lab], course=course)
        subs = prepare_class(ours_root, lab)
        students = [s for s in subs if include_runaways or s not in RUNAWAYS]
        for s in subs:
            if s not in students:
                shutil.rmtree(ours_root / "submitted" / s)
        plain_root, _ = demo_course(Path(tmp) / "plain", [lab], course=course)
        shutil.copytree(ours_root / "submitted", plain_root / "submitted")

        started = time.perf_counter()
        grade(lab, course=ours_root, workers=workers, feedback=False, log=None)
        ours = time.perf_counter() - started

        started = time.perf_counter()
        run_nbgrader(["generate_assignment", lab, "--force"], plain_root)
        for student in students:
            run_nbgrader(["autograde", lab, f"--student={student}", "--force"], plain_root, check=False)
        plain = time.perf_counter() - started
    return ours, plain


if __name__ == "__main__":
    o, p = measure_demo(*(sys.argv[1:2] or [None]))
    print(f"pipeline {o:.1f} s, serial nbgrader {p:.1f} s, speed-up {p / o:.2f}x")
