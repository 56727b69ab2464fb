"""Notes that grading steps leave for the teacher's summary, one file per step, student and lab.

Two steps cannot hand anything back to the pipeline directly: the ``Execute``
preprocessor runs inside nbgrader (:mod:`pageturn.grading.execute`), and the guard
runs inside the student's kernel (:mod:`pageturn.grading.guard`). Each appends
lines to ``$PAGETURN_GRADING_NOTES/<step>--<student>--<lab>.txt``; the pipeline,
which sets that variable to a folder, reads them back with :func:`read`.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PAGETURN_GRADING_NOTES"
"""The environment variable naming the folder of note files."""


def _file(folder, step: str, student: str, lab: str) -> Path:
    return Path(folder) / f"{step}--{student}--{lab}.txt"


def append(step: str, student: str, lab: str, text: str) -> None:
    """Append ``text`` as one line to the note file of ``step``, ``student`` and ``lab``.

    Does nothing when ``$PAGETURN_GRADING_NOTES`` is unset, or when the file cannot be
    written (a note must never break grading).
    """
    folder = os.environ.get(ENV)
    if not folder:
        return
    try:
        with open(_file(folder, step, student, lab), "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    except OSError:
        pass


def read(folder, step: str, student: str, lab: str) -> list[str]:
    """The distinct non-blank lines of a note file, in the order first written ([] when there is none)."""
    path = _file(folder, step, student, lab)
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return list(dict.fromkeys(line for line in lines if line.strip()))
