"""Lab 4 (a night on call) graded by the real nbgrader, in a temporary copy of the course.

Four submissions are autograded together: the instructor's answers, the untouched
release, plausible wrong answers, and a cheat whose answers claim to equal anything.
The notebook runs a real fleet on 127.0.0.1 and closes it in its last cell.
"""

from __future__ import annotations

import pytest

import gradingkit
from gradingkit import answer_cells as _answer_cells
from gradingkit import grade_id as _grade_id
from gradingkit import grade_submissions, released_notebook, solution_notebook

LAB = "lab4_night_on_call"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(LAB)]

POINTS = {
    "test_should_page": 5,
    "test_pick_instance": 5,
    "test_find_bad_records": 5,
    "test_canary_verdict": 5,
    "test_readers_hurt": 5,
}

WRONG = {
    # only the 1 h / 5 min pair: a slow burn never pages
    "should_page": """
def should_page(series, instance, at_s, objective=0.99):
    budget = 1.0 - objective
    return bool(series.ratio(instance, "errors", 3600, at_s) > 14.4 * budget
                and series.ratio(instance, "errors", 300, at_s) > 14.4 * budget)
""",
    # the most errors, not the biggest share: the busy decoy wins
    "pick_instance": """
def pick_instance(before, after, objective=0.99):
    best, most = None, 0.0
    for name, now in after.items():
        then = before.get(name, Counts(0.0, 0.0, 0.0))
        if now.requests > then.requests and now.errors - then.errors > most:
            best, most = name, now.errors - then.errors
    return best
""",
}

CHEAT_CLASS = '''
class AlwaysEqual:
    """Claims to equal, and to be bigger and smaller than, anything."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __bool__(self): return True
    def __len__(self): return 2
    def __iter__(self): return iter([AlwaysEqual(), AlwaysEqual()])
    def __getitem__(self, key): return AlwaysEqual()
    def __hash__(self): return 0
'''

CHEAT = {
    "should_page": CHEAT_CLASS
    + "\ndef should_page(series, instance, at_s, objective=0.99):\n    return AlwaysEqual()\n",
    "pick_instance": CHEAT_CLASS + "\ndef pick_instance(before, after, objective=0.99):\n    return AlwaysEqual()\n",
    "find_bad_records": CHEAT_CLASS + "\ndef find_bad_records(snapshot):\n    return AlwaysEqual()\n",
    "canary_verdict": CHEAT_CLASS
    + "\ndef canary_verdict(table, min_requests=50, max_extra_errors=0.005, max_extra_slow=0.02):\n    return AlwaysEqual()\n",
    "readers_hurt": CHEAT_CLASS + "\ndef readers_hurt(records, at_s):\n    return AlwaysEqual()\n",
}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return released_notebook(LAB, tmp_path_factory.mktemp("lab4-release"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released):
    keep = gradingkit.solution_answers(LAB)
    note = "Postmortem: one instance failed for readers with imported books; quarantine stopped it."
    submissions = {
        "solution": gradingkit.fill_answers(released, keep, written=note),
        "untouched": released,
        "wrong": gradingkit.fill_answers(released, {**keep, **WRONG}, written=note),
        "cheat": gradingkit.fill_answers(released, {**keep, **CHEAT}, written=note),
    }
    return grade_submissions(LAB, submissions, tmp_path_factory.mktemp("lab4-grade"))


def test_points_are_round_and_every_part_has_tests():
    nb = solution_notebook(LAB)
    tests = {
        _grade_id(c): c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    }
    assert tests == POINTS
    manual = [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
    assert len(manual) == 1 and manual[0].metadata["nbgrader"]["points"] == 5
    assert set(_answer_cells(nb)) == set(CHEAT)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is not None and meta["grade"] and cell.cell_type == "code":
            assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source
            assert 'print("✓' in cell.source


def test_release_hides_solutions_and_hidden_tests_and_keeps_navigation(released):
    text = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "_borderline" not in text and "_rng" not in text
    assert text.count("raise NotImplementedError()") == len(CHEAT)
    for cell in (released.cells[0], released.cells[-1]):
        assert "[⌂ Start](../../notebooks/00_start.ipynb)" in cell.source
        assert "[← Previous](../../notebooks/04_night_on_call.ipynb)" in cell.source


def test_instructor_solution_scores_full_marks_on_every_autograded_cell(graded):
    result = graded["solution"]
    assert result["by_cell"] == {gid: (float(p), float(p)) for gid, p in POINTS.items()}
    assert result["score"] == result["max_score"] == 25
    assert result["needs_manual_grade"]


def test_untouched_release_scores_zero(graded):
    assert graded["untouched"]["score"] == 0
    assert graded["untouched"]["by_cell"]["postmortem"] == (0.0, 5.0)


def test_plausible_wrong_answers_lose_exactly_the_parts_they_get_wrong(graded):
    by_cell = graded["wrong"]["by_cell"]
    assert by_cell["test_should_page"][0] == 0 and by_cell["test_pick_instance"][0] == 0
    for gid in ("test_find_bad_records", "test_canary_verdict", "test_readers_hurt"):
        assert by_cell[gid][0] == by_cell[gid][1], gid
    assert graded["wrong"]["score"] == 15


def test_an_answer_that_claims_to_equal_everything_scores_zero(graded):
    assert graded["cheat"]["score"] == 0
    assert all(score == 0 for score, _ in graded["cheat"]["by_cell"].values())
