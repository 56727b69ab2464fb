"""nbgrader's Validate button, served by the course's handler (pageturn.grading.validate_server),
on a real JupyterLab server of each view with the course's own config: it validates a notebook
as the teacher's grading will grade it, and says what grading will do, in the report's words.

(The journey that clicks the button in Chromium is tests/browser/test_journey_validate.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from gradingkit import fill_answers, grade_id, pasted_twice, solution_answers
from pageturn.grading.validate import HEADING, findings

sys.path.insert(0, str(Path(__file__).parent / "browser"))
import jlab  # noqa: E402

from thiscourse import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("validate-button")]
LAB = jlab.lab_sources()[0]
PASTED = "cells pasted twice (one copy graded, the others ran as plain cells)"


def released():
    return nbformat.read(ROOT / "labs" / LAB / f"{LAB}.ipynb", as_version=4)


def solved():
    return fill_answers(released(), solution_answers(LAB), written="Small batches are easier to undo.")


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("validate-student")
    root = jlab.copy_course(tmp / "root", labs_from=ROOT / "labs")
    mine = root / "mywork" / LAB
    mine.mkdir(parents=True)
    nbformat.write(pasted_twice(released()), mine / f"{LAB}.ipynb")
    solved_dir = root / "solved" / LAB
    solved_dir.mkdir(parents=True)
    nbformat.write(pasted_twice(solved()), solved_dir / f"{LAB}.ipynb")
    nbformat.write(solved(), root / "labs" / LAB / f"Copy of {LAB}.ipynb")
    server = jlab.JupyterLab(root, tmp / "state", "student", log=tmp / "jupyterlab.log")
    try:
        yield server.start()
    finally:
        server.stop()


def validate(server, path):
    status, answer = server.api("POST", "assignments/validate", {"path": path}, timeout=180)
    assert status == 200, (status, answer)
    return answer


def test_a_pasted_cell_is_validated_as_grading_grades_it(student):
    answer = validate(student, f"solved/{LAB}/{LAB}.ipynb")
    # nbgrader's own handler answers "Duplicate grade id" with a traceback; grading grades one copy
    assert "Duplicate grade id" not in answer["value"]
    assert answer["value"].startswith(HEADING), answer["value"][:500]
    assert any(n.startswith(PASTED) for n in answer["notes"]), answer["notes"]
    assert answer["value"].rstrip().endswith("Success! Your notebook passes all the tests."), answer["value"][-500:]
    # the same words as `python -m pageturn.grading validate` and the teacher's report
    assert answer["notes"] == findings(student.root / "solved" / LAB / f"{LAB}.ipynb", course=ROOT / "grading")


def test_a_pasted_cell_in_an_unfinished_lab_shows_the_failures_too(student):
    answer = validate(student, f"mywork/{LAB}/{LAB}.ipynb")
    assert answer["success"] is False and answer["value"].startswith(HEADING)
    assert any(n.startswith(PASTED) for n in answer["notes"])
    assert "The following cell failed:" in answer["value"] and "NotImplementedError" in answer["value"]
    assert "\x1b[" not in answer["value"]  # no terminal colour codes in the dialog's text


def test_a_renamed_copy_beside_the_lab_is_not_graded_and_says_so(student):
    answer = validate(student, f"labs/{LAB}/Copy of {LAB}.ipynb")
    expected = f"not graded: this file is not {LAB}.ipynb, and {LAB}.ipynb is beside it: the teacher grades {LAB}.ipynb"
    assert answer["notes"][0] == expected and expected in answer["value"]


def test_nothing_to_say_leaves_nbgraders_own_answer(student):
    answer = validate(student, f"labs/{LAB}/{LAB}.ipynb")  # the untouched release
    assert answer["success"] is True and "notes" not in answer
    failed = answer["value"]["failed"]
    tests = {c.source.strip() for c in released().cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert failed and all(c["source"].strip() in tests for c in failed)  # nbgrader's list of failing tests
    start = validate(student, "notebooks/00_start.ipynb")  # not a lab
    assert start == {"success": True, "value": {}}


def test_no_repaired_copy_is_left_behind_and_the_version_check_still_answers(student):
    for folder in ("mywork", "solved", "labs"):
        assert not list((student.root / folder).rglob(".pageturn-validate-*"))
    import nbgrader

    status, answer = student.api("GET", f"nbgrader_version?version={nbgrader.__version__}")
    assert status == 200 and answer == {"success": True}
    assert "pageturn: the Validate button" in student.log_path.read_text()


def test_the_teacher_view_validates_a_submission_the_same_way(tmp_path):
    root = jlab.copy_course(tmp_path / "root", labs_from=ROOT / "labs", with_grading=True)
    folder = root / "grading" / "submitted" / "ada" / LAB
    folder.mkdir(parents=True)
    nbformat.write(pasted_twice(solved()), folder / f"{LAB}.ipynb")
    server = jlab.JupyterLab(root, tmp_path / "state", "teacher", log=tmp_path / "jupyterlab.log").start()
    try:
        answer = validate(server, f"submitted/ada/{LAB}/{LAB}.ipynb")
    finally:
        server.stop()
    assert any(n.startswith(PASTED) for n in answer["notes"]), answer
    assert answer["value"].rstrip().endswith("Success! Your notebook passes all the tests.")


def test_grade_ids_of_the_pasted_twin_match(student):
    """The fixture really pastes a graded cell: two cells with one grade id."""
    nb = nbformat.read(student.root / "mywork" / LAB / f"{LAB}.ipynb", as_version=4)
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids)) + 1
