"""Every lesson and every instructor lab notebook executes without error, and all are stored clean."""

import subprocess

import nbformat
import pytest
from nbclient import NotebookClient

from pageturn.course.nbtools import stored_clean
from thiscourse import COURSE, ROOT

LESSONS = [ROOT / COURSE.start] + [ROOT / i.path for i in COURSE.lessons]  # the course's order
INSTRUCTOR = [ROOT / i.source for i in COURSE.labs]
RELEASED = [ROOT / i.path for i in COURSE.labs]


def _tracked_notebooks():
    out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    found = {ROOT / p for p in out} | set(LESSONS) | set(INSTRUCTOR) | set(RELEASED)
    return sorted(p for p in found if p.exists() and "fixtures" not in p.parts)


def test_the_course_has_its_start_page():
    assert (ROOT / "notebooks" / "00_start.ipynb") in LESSONS


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS + INSTRUCTOR, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors


@pytest.mark.parametrize("path", _tracked_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert stored_clean(nb) == [], f"{path.relative_to(ROOT)}: strip it with `python -m pageturn.course.nbtools strip`"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_lessons_carry_no_nbgrader_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert [i for i, c in enumerate(nb.cells) if "nbgrader" in c.get("metadata", {})] == []


@pytest.mark.parametrize("path", INSTRUCTOR, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_grading_cells_carry_nbgrader_metadata(path):
    """A plain cell with nbgrader metadata loses its grade_id and breaks add_missing_cells (STACK.md)."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is not None:
            assert meta.get("grade") or meta.get("solution") or meta.get("task"), (
                f"cell {i} carries nbgrader metadata without a grading role"
            )
            assert meta.get("grade_id"), f"cell {i} has no grade_id"
