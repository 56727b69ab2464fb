"""Timing the grading pipeline against plain nbgrader (for ``make bench``; never a test).

:func:`measure_demo` builds one demo class (:mod:`pageturn.grading.demo`) and grades it
twice, in the same run, on the same machine, with the same course config (so the same
defences and per-notebook budget):

1. our pipeline (:func:`pageturn.grading.pipeline.grade` without feedback: release,
   collect, check, parallel autograde with forked kernels, merge, export);
2. the fair peer, plain nbgrader as its docs teach: ``nbgrader generate_assignment LAB``
   then ONE ``nbgrader autograde LAB`` over the whole class.

It also reports the limit: the time the students' own cells took to run (summed over the
class from the graded notebooks, where :class:`~pageturn.grading.execute.BudgetedExecute`
records it), spread over the machine's cores. Kernel start, imports and nbgrader's
start-up are what separates the pipeline from that limit.

Runaway students (endless loops, the output flood) are left out by default: they cost a
fixed time budget whichever way the class is graded, and would hide the difference.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

RUNAWAYS = ("omar", "pia", "rosa")


@dataclass
class Bench:
    """Seconds for the whole class: ``ours`` (pipeline), ``peer`` (one nbgrader autograde),
    ``cells`` (the students' own cells, summed), for ``students`` submissions on ``cores`` cores."""

    lab: str
    students: int
    ours: float
    peer: float
    cells: float
    cores: int

    @property
    def speedup(self) -> float:
        return self.peer / self.ours

    @property
    def limit(self) -> float:
        """Seconds the class would take if only the students' cells ran, on every core."""
        return self.cells / self.cores


def measure_demo(
    lab: str | None = None, *, course=None, workers: int | None = None, include_runaways: bool = False
) -> Bench:
    """Grade one demo class with the pipeline and with one plain ``nbgrader autograde``; return a :class:`Bench`.

    Args:
        lab: the lab to grade (default: the fixture lab of the test suite when it exists,
            else the first lab in ``grading/source``).
        course: the course whose ``source/<lab>`` is used (default: the one holding ``lab``).
        workers: parallel processes for our pipeline (default: the number of CPUs).
        include_runaways: also grade the endless-loop and output-flood students.

    Raises:
        ValueError: for an unknown lab.
    """
    from pageturn.grading import notes
    from pageturn.grading.demo import COURSE, ROOT, demo_course, prepare_class
    from pageturn.grading.pipeline import grade
    from pageturn.grading.release import list_labs, run_nbgrader

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
        run = grade(lab, course=ours_root, workers=workers, feedback=False, log=None)
        ours = time.perf_counter() - started

        started = time.perf_counter()
        run_nbgrader(["generate_assignment", lab, "--force"], plain_root)
        run_nbgrader(["autograde", lab, "--force"], plain_root, check=False)
        peer = time.perf_counter() - started

        cells = 0.0
        for row in run.results:
            path = ours_root / "autograded" / row.student / lab / f"{lab}.ipynb"
            if path.is_file():
                import json

                meta = json.loads(path.read_text()).get("metadata", {}).get(notes.KEY, {})
                cells += float(meta.get("cells_seconds", 0.0))
    return Bench(
        lab=lab, students=len(students), ours=ours, peer=peer, cells=cells, cores=workers or os.cpu_count() or 2
    )


def measure_selfcheck(lab: str = "lab2_histograms", repeats: int = 3) -> tuple[float, float, float]:
    """Medians of :func:`pageturn.grading.selfcheck.check` on ``lab``'s untouched student copy (after
    one warm-up check that builds the cached release): seconds in all, and seconds of the notebook's
    own cells (the limit: the check runs them again, as grading does); and of ``nbgrader validate``
    on the same file (the student's Validate button, which runs only the visible tests), in the same run.

    The check runs in a fresh Python process each time, as a learner's kernel would pay for it."""
    import statistics
    import subprocess

    from pageturn.grading.demo import COURSE, ROOT
    from pageturn.grading.release import nbgrader_env, run_nbgrader

    notebook = ROOT / "labs" / lab / f"{lab}.ipynb"
    code = (
        "import time; t = time.perf_counter(); from pageturn.grading.selfcheck import check; "
        f"r = check({lab!r}, notebook={str(notebook)!r}, course={str(COURSE)!r}); "
        "print(time.perf_counter() - t, r.cells_seconds or 0.0)"
    )
    env = nbgrader_env()
    env.pop("PAGETURN_SKIP_SELFCHECK", None)

    def once():
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        seconds, cells = out.stdout.strip().splitlines()[-1].split()
        return float(seconds), float(cells)

    once()
    runs = [once() for _ in range(repeats)]
    validates = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_nbgrader(["validate", str(notebook)], COURSE, check=False)
        validates.append(time.perf_counter() - started)
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(validates),
        statistics.median(r[1] for r in runs),
    )


if __name__ == "__main__":
    b = measure_demo(*(sys.argv[1:2] or [None]))
    print(
        f"pipeline {b.ours:.1f} s, one nbgrader autograde {b.peer:.1f} s, speed-up {b.speedup:.2f}x, "
        f"limit {b.limit:.1f} s"
    )
