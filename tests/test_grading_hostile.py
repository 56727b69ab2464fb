"""Hostile submissions, for every lab in grading/source and the fixture lab, against the real nbgrader.

For each lab, one generated class (pageturn.grading.demo) is graded by ONE pipeline run
(two parallel nbgrader processes), and every hole is checked on its result.
"""

import html
import re

import nbformat
import pytest

from gradingkit import hidden_test_lines
from pageturn.grading.demo import demo_course, prepare_class
from pageturn.grading.pipeline import COURSE_ID, grade
from thiscourse import COURSE, FIXTURE, ROOT

LABS = [(ROOT / "grading", lab) for lab in COURSE.lab_names] + [(FIXTURE, "fixture_lab")]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-hostile")]

# The test class: one of each kind (the demo has more right/partly right/blank students).
KEEP = {
    "ada",
    "gus",
    "hana",
    "jon",
    "kai",
    "lea",
    "mo",
    "nia",
    "quin",
    "rosa",
    "sol",
    "tom",
    "uma",
    "vic",
    "wes",
    "xia",
    "yan",
    "zed",
}
# Endless loops cost a whole time budget each and do not depend on the lab's content, so they run in
# the fixture lab only (to keep the suite to a few minutes).
LOOPS = {"omar", "pia"}
BUDGET = 20  # seconds per notebook in these tests (the course default is 300)


def _nbg(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def hidden_snippets(source_nb, release_nb) -> list[str]:
    """Lines of hidden tests long enough to be telling, that are not also visible in the release."""
    return hidden_test_lines(source_nb, 12, visible="\n".join(c.source for c in release_nb.cells))


def html_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module", params=LABS, ids=[lab for _, lab in LABS])
def graded(request, tmp_path_factory):
    course, lab = request.param
    root, _ = demo_course(tmp_path_factory.mktemp(lab), [lab], course=course)
    keep = KEEP | LOOPS if lab == "fixture_lab" else KEEP
    subs = prepare_class(root, lab, students=keep, flood_lines=300_000)
    run = grade(lab, course=root, notebook_timeout=BUDGET, workers=2, log=None)
    source = nbformat.read(root / "source" / lab / f"{lab}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / lab / f"{lab}.ipynb", as_version=4)

    from nbgrader.api import Gradebook

    cells = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        for row in run.results:
            if row.status != "graded":
                continue
            sub = gb.find_submission_notebook(lab, lab, row.student)
            cells[row.student] = {g.name: (float(g.score), float(g.max_score), g.cell.cell_type) for g in sub.grades}
    return {
        "lab": lab,
        "root": root,
        "subs": subs,
        "run": run,
        "rows": {r.student: r for r in run.results},
        "cells": cells,
        "source": source,
        "release": release,
    }


def auto(g, student):
    """(points, max points) of the autograded (code) cells of ``student``."""
    by_cell = g["cells"][student]
    return (
        sum(s for s, m, t in by_cell.values() if t == "code"),
        sum(m for s, m, t in by_cell.values() if t == "code"),
    )


def hidden_cells(g):
    return [_nbg(c)["grade_id"] for c in g["source"].cells if _nbg(c).get("grade") and "BEGIN HIDDEN TESTS" in c.source]


def notes(g, student):
    return "; ".join(g["rows"][student].notes)


def test_every_submission_has_a_row_in_the_export(graded):
    import pandas as pd

    table = pd.read_csv(graded["run"].csv)
    assert sorted(table["student"]) == sorted(graded["subs"])
    not_graded = table[table["status"] != "graded"]
    assert set(not_graded["student"]) == {"uma", "xia", "zed"}
    assert not_graded["notes"].str.contains("not graded").all()
    assert "not a readable notebook" in notes(graded, "uma")
    assert "not a readable notebook" in notes(graded, "xia")  # a truncated file
    assert "2 other notebooks that could be it" in notes(graded, "zed")


def test_a_renamed_copy_is_graded_as_the_lab_with_a_note(graded):
    lab = graded["lab"]
    got, most = auto(graded, "vic")
    assert got == most
    assert f"graded as {lab}.ipynb" in notes(graded, "vic") and f"Copy of {lab}.ipynb" in notes(graded, "vic")


def test_right_answers_get_full_marks_and_blank_gets_zero(graded):
    got, most = auto(graded, "ada")
    assert most > 0 and got == most, graded["rows"]["ada"].notes
    assert auto(graded, "hana")[0] == 0
    assert 0 <= auto(graded, "gus")[0] <= most
    assert auto(graded, "yan")[0] == 0  # wrong answers of the right type
    assert auto(graded, "jon")[0] < most  # syntax error in the first answer


def test_deleted_test_cells_are_restored_and_graded(graded):
    tests = {gid for gid, (_, _, t) in graded["cells"]["ada"].items() if t == "code"}
    assert tests <= set(graded["cells"]["kai"])
    assert auto(graded, "kai")[0] == 0
    assert "cells deleted" in notes(graded, "kai")
    assert auto(graded, "wes")[0] == 0 and "cells deleted" in notes(graded, "wes")


def test_duplicated_cells_are_graded_once_instead_of_crashing(graded):
    assert graded["rows"]["lea"].status == "graded"
    got, most = auto(graded, "lea")
    assert got == most
    assert "pasted twice" in notes(graded, "lea")


def test_changed_cell_types_and_edited_tests_are_restored_and_reported(graded):
    assert auto(graded, "mo")[0] == 0 and "changed from code to markdown" in notes(graded, "mo")
    assert auto(graded, "nia")[0] == 0 and "locked cells edited" in notes(graded, "nia")


def test_runaway_notebooks_end_with_a_grade_and_a_note(graded):
    most = auto(graded, "ada")[1]
    runaways = [("quin", "kernel died")]
    if graded["lab"] == "fixture_lab":
        runaways += [("omar", "time budget"), ("pia", "would not stop")]
    for student, words in runaways:
        assert graded["rows"][student].status == "graded", (student, notes(graded, student))
        assert auto(graded, student)[0] < most, student
        assert words in notes(graded, student), (student, notes(graded, student))


def test_output_floods_are_capped(graded):
    assert graded["rows"]["rosa"].status == "graded"  # (a blank notebook that prints a flood)
    assert "printed more than" in notes(graded, "rosa")
    path = graded["root"] / "autograded" / "rosa" / graded["lab"] / f"{graded['lab']}.ipynb"
    assert path.stat().st_size < 2_000_000


def test_cheats_do_not_pass_hidden_tests(graded):
    hidden = hidden_cells(graded)
    assert hidden
    for student in ("sol", "tom"):
        scores = graded["cells"][student]
        passed = [gid for gid in hidden if scores[gid][0] > 0]
        assert passed == [], (student, passed)
    assert "__eq__" in notes(graded, "sol")
    assert "math.isclose" in notes(graded, "tom") and "put them back" in notes(graded, "tom")


def test_feedback_never_shows_hidden_tests(graded):
    snippets = hidden_snippets(graded["source"], graded["release"])
    assert snippets, "the lab should have hidden tests"
    lab, root = graded["lab"], graded["root"]
    # The check can see hidden tests: they are in the autograded notebook ...
    autograded = (root / "autograded" / "hana" / lab / f"{lab}.ipynb").read_text()
    assert any(s in "\n".join(c.source for c in nbformat.reads(autograded, as_version=4).cells) for s in snippets)
    # ... but in no student's feedback, whatever they did.
    for row in graded["run"].results:
        if row.status != "graded":
            continue
        page = (root / "feedback" / row.student / lab / f"{lab}.html").read_text()
        text = html_text(page)
        leaked = [s for s in snippets if s in text]
        assert leaked == [], (row.student, leaked[:3])
        assert "pageturn-grader: guard cell" not in text
