"""Run the real nbgrader on a temporary copy of the course, for tests.

    released_notebook(lab, tmp_path) -> NotebookNode       # the untouched student version
    solution_notebook(lab) -> NotebookNode                 # the instructor version
    grade_submissions(lab, {"alice": nb_or_path, ...}, tmp_path) -> {student: result}

Each result is ``{"score": float, "max_score": float, "by_cell": {grade_id: (score, max_score)},
"needs_manual_grade": bool}``, where ``score``/``max_score``/``by_cell`` cover the
autograded cells only (manually graded answers have no score until a teacher gives one).
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import nbformat

from pageturn.course import manifest
from pageturn.grading.release import run_nbgrader

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "grading"


def course_copy(tmp_path: Path, lab: str, *, course: Path = COURSE) -> Path:
    """Copy the nbgrader config, ``source/<lab>`` and ``data/`` under ``tmp_path``; return the course root."""
    root = Path(tmp_path) / "course"
    if not (root / "source" / lab).is_dir():
        (root / "source").mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")  # always the real config
        shutil.copytree(
            course / "source" / lab, root / "source" / lab, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    data = Path(tmp_path) / "data"
    if not data.exists():
        shutil.copytree(ROOT / "data", data)
    return root


def released_notebook(lab: str, tmp_path: Path, *, course: Path = COURSE) -> nbformat.NotebookNode:
    """Generate the student version of ``lab`` with nbgrader and return its notebook."""
    root = course_copy(tmp_path, lab, course=course)
    released = root / "release" / lab / f"{lab}.ipynb"
    if not released.exists():
        run_nbgrader(["generate_assignment", lab, "--force"], root)
    return nbformat.read(released, as_version=4)


def solution_notebook(lab: str, *, course: Path = COURSE) -> nbformat.NotebookNode:
    """The instructor notebook of ``lab`` (solutions included)."""
    return nbformat.read(course / "source" / lab / f"{lab}.ipynb", as_version=4)


def grade_submissions(lab: str, submissions: dict, tmp_path: Path, *, course: Path = COURSE) -> dict:
    """Autograde ``submissions`` (student id → notebook or path) with the real nbgrader."""
    from nbgrader.api import Gradebook

    root = course_copy(tmp_path, lab, course=course)
    if not (root / "release" / lab).exists():
        run_nbgrader(["generate_assignment", lab, "--force"], root)
    for student, nb in submissions.items():
        folder = root / "submitted" / student / lab
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, (str, Path)):
            shutil.copy(nb, folder / f"{lab}.ipynb")
        else:
            nbformat.write(nb, folder / f"{lab}.ipynb")
    run_nbgrader(["autograde", lab, "--force"], root)

    results = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=manifest.course_id()) as gb:
        for student in submissions:
            sub = gb.find_submission_notebook(lab, lab, student)
            by_cell, score, max_score, manual = {}, 0.0, 0.0, False
            for grade in sub.grades:
                if grade.auto_score is None and grade.cell.cell_type == "markdown":
                    manual = True
                    continue
                s = float(grade.score or 0.0)
                by_cell[grade.name] = (s, float(grade.max_score))
                score += s
                max_score += float(grade.max_score)
            results[student] = {
                "score": score,
                "max_score": max_score,
                "by_cell": by_cell,
                "needs_manual_grade": manual or bool(sub.needs_manual_grade),
            }
    return results


# --- Building submissions from the solution and the release -----------------------------

_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def grade_id(cell) -> str | None:
    """The nbgrader grade_id of ``cell``, or None for a cell without one."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def answer_cells(nb) -> dict:
    """The autograded answer cells of ``nb`` (code cells marked as solutions), by grade_id."""
    return {
        grade_id(c): c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def solution_answers(lab: str, *, course: Path = COURSE) -> dict:
    """The instructor's code for each answer cell of ``lab``, by grade_id, without the solution markers."""
    return {
        gid: _SOLUTION_MARKERS.sub("", cell.source)
        for gid, cell in answer_cells(solution_notebook(lab, course=course)).items()
    }


def fill_answers(released, answers: dict, written: str | None = None):
    """A copy of the released notebook with the answer cells in ``answers`` (by grade_id) replaced,
    and, if ``written`` is given, the manually graded written answer filled in with it."""
    nb = nbformat.from_dict(copy.deepcopy(released))
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in answers:
            cell.source = answers[gid].strip("\n")
        elif written is not None and cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = written
    return nb
