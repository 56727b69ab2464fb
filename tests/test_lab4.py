"""Lab 4 (a night on call) graded by the real nbgrader, in a temporary copy of the course.

Four submissions are autograded together: the instructor's answers, the untouched
release, plausible wrong answers, and a cheat whose answers claim to equal anything.
The notebook runs a real fleet on 127.0.0.1 and closes it in its last cell.
"""

from __future__ import annotations

import pytest

import gradingkit
from gradingkit import answer_cells as _answer_cells
from gradingkit import solution_notebook

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
    # Lesson 3's naive rule: the observed difference against the tolerance, however noisy
    "canary_verdict": """
def canary_verdict(canary_group, control_group, elapsed_s, policy):
    if min(canary_group.requests, control_group.requests) < policy.min_requests:
        return "wait"
    if elapsed_s < policy.min_duration_s:
        return "wait"
    slow = 100 * (canary_group.slow_share - control_group.slow_share)
    errors = 100 * (canary_group.error_share - control_group.error_share)
    if slow > policy.max_slow_points or errors > policy.max_error_points:
        return "roll back"
    return "promote"
""",
}

CHEAT = gradingkit.cheat_answers(
    {
        "should_page": "def should_page(series, instance, at_s, objective=0.99):\n    return AlwaysEqual()\n",
        "pick_instance": "def pick_instance(before, after, objective=0.99):\n    return AlwaysEqual()\n",
        "find_bad_records": "def find_bad_records(snapshot):\n    return AlwaysEqual()\n",
        "canary_verdict": "def canary_verdict(canary_group, control_group, elapsed_s, policy):\n"
        "    return AlwaysEqual()\n",
        "readers_hurt": "def readers_hurt(records, at_s):\n    return AlwaysEqual()\n",
    }
)


released, graded = gradingkit.lab_fixtures(
    LAB,
    wrong=WRONG,
    cheat=CHEAT,
    written="Postmortem: one instance failed for readers with imported books; quarantine stopped it.",
)


def test_points_are_round_and_every_part_has_tests():
    nb = solution_notebook(LAB)
    tests = gradingkit.points_by_test(nb)
    assert tests == POINTS
    manual = gradingkit.manual_cells(nb)
    assert len(manual) == 1 and manual[0].metadata["nbgrader"]["points"] == 5
    assert set(_answer_cells(nb)) == set(CHEAT)
    gradingkit.assert_test_cells_hold_hidden_tests(nb)


def test_release_hides_solutions_and_hidden_tests_and_keeps_navigation(released):
    text = gradingkit.released_text(released)
    assert "_borderline" not in text and "_rng" not in text
    assert text.count("raise NotImplementedError()") == len(CHEAT)
    gradingkit.assert_navigation(released, "04_night_on_call.ipynb")


def test_instructor_solution_scores_full_marks_on_every_autograded_cell(graded):
    gradingkit.assert_full_marks(graded["solution"], POINTS)
    assert graded["solution"]["score"] == 25


def test_untouched_release_scores_zero(graded):
    gradingkit.assert_scores_zero(graded["untouched"])
    assert graded["untouched"]["by_cell"]["postmortem"] == (0.0, 5.0)


def test_plausible_wrong_answers_lose_exactly_the_parts_they_get_wrong(graded):
    by_cell = graded["wrong"]["by_cell"]
    for gid in ("test_should_page", "test_pick_instance", "test_canary_verdict"):
        assert by_cell[gid][0] == 0, gid
    for gid in ("test_find_bad_records", "test_readers_hurt"):
        assert by_cell[gid][0] == by_cell[gid][1], gid
    assert graded["wrong"]["score"] == 10


def test_an_answer_that_claims_to_equal_everything_scores_zero(graded):
    gradingkit.assert_scores_zero(graded["cheat"])
