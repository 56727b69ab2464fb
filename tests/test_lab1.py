"""Lab 1 (Pageturn's four key metrics) graded by the real nbgrader.

One autograde run grades five made-up students:
- ``solution``: the instructor notebook, which must score full marks;
- ``untouched``: the release as handed out, which must score 0;
- ``mean``: everything right except the lead time, computed as a mean instead of a
  median (a plausible mistake), which must lose exactly that cell's points;
- ``hardcoded``: Part 1 answered by typing in the numbers of this quarter, which the
  hidden tests (run on other data) must catch;
- ``cheat``: every answer an object that claims to equal anything, which must score 0.
"""

import pytest

import gradingkit
from gradingkit import grade_submissions, released_notebook, solution_notebook

LAB = "lab1_four_keys"
AUTOGRADED_POINTS = 20
MANUAL_POINTS = 5
PART1_TESTS = [
    "test_deploys_per_week",
    "test_lead_time_days_median",
    "test_change_failure_rate",
    "test_time_to_restore_minutes_median",
]
CHEAT = gradingkit.always_equal("Cheat", base="float")  # a float that claims to equal anything


def grading_cells(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def answered(released, answers: dict):
    """A copy of the released notebook with the given answer cells filled in."""
    for grade_id in answers:
        assert "NotImplementedError" in grading_cells(released)[grade_id].source, grade_id
    return gradingkit.fill_answers(released, answers)


ANSWER_IDS = [
    "deploys_per_week",
    "lead_time_days_median",
    "change_failure_rate",
    "time_to_restore_minutes_median",
    "both_happy",
    "scan",
    "choice",
    "frequency_alone",
]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return released_notebook(LAB, tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def results(released, tmp_path_factory):
    solution = gradingkit.solution_answers(LAB)
    right = {gid: solution[gid] for gid in ANSWER_IDS}
    mean = dict(right, lead_time_days_median=right["lead_time_days_median"].replace(".median()", ".mean()"))
    assert mean["lead_time_days_median"] != right["lead_time_days_median"]
    hardcoded = dict(
        right,
        deploys_per_week="def deploys_per_week(deploys, weeks):\n    return 5.0\n",
        lead_time_days_median="def lead_time_days_median(deploys, changes):\n    return 0.85625\n",
        change_failure_rate="def change_failure_rate(deploys):\n    return 7 / 65\n",
        time_to_restore_minutes_median="def time_to_restore_minutes_median(incidents):\n    return 59.0\n",
    )
    cheat = {
        "deploys_per_week": CHEAT + "def deploys_per_week(deploys, weeks):\n    return Cheat(0)\n",
        "lead_time_days_median": "def lead_time_days_median(deploys, changes):\n    return Cheat(0)\n",
        "change_failure_rate": "def change_failure_rate(deploys):\n    return Cheat(0)\n",
        "time_to_restore_minutes_median": "def time_to_restore_minutes_median(incidents):\n    return Cheat(0)\n",
        "both_happy": "def both_happy(summary):\n    return Cheat(0)\n",
        "scan": "def scan(deploy_options, team, seeds):\n    return Cheat(0)\n",
        "choice": "choice = Cheat(0)\n",
        "frequency_alone": "best_alone = Cheat(0)\nfix = Cheat(0)\n",
    }
    submissions = {
        "solution": solution_notebook(LAB),
        "untouched": released,
        "mean": answered(released, mean),
        "hardcoded": answered(released, hardcoded),
        "cheat": answered(released, cheat),
    }
    return grade_submissions(LAB, submissions, tmp_path_factory.mktemp("grade"))


def test_release_hides_solutions_and_hidden_tests(released):
    text = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    cells = grading_cells(released)
    for gid in ANSWER_IDS:
        assert "raise NotImplementedError()" in cells[gid].source, gid
    manual = cells["tension_in_your_own_words"]
    assert manual.cell_type == "markdown" and manual.source.strip() == "YOUR ANSWER HERE"


def test_points_add_up_to_round_numbers():
    meta = [c.metadata["nbgrader"] for c in solution_notebook(LAB).cells if "nbgrader" in c.metadata]
    auto = sum(m["points"] for m in meta if m.get("grade") and not m.get("solution"))
    manual = sum(m["points"] for m in meta if m.get("grade") and m.get("solution"))
    assert (auto, manual) == (AUTOGRADED_POINTS, MANUAL_POINTS)


def test_navigation_links_top_and_bottom():
    nb = solution_notebook(LAB)
    for cell in (nb.cells[0], nb.cells[-1]):
        assert "(../../notebooks/00_start.ipynb)" in cell.source
        assert "(../../notebooks/01_two_jobs.ipynb)" in cell.source
        assert "(../../notebooks/02_percentiles_vs_histograms.ipynb)" in cell.source


def test_visible_tests_say_what_worked():
    for cell in solution_notebook(LAB).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            assert 'print("✓' in cell.source or 'print(f"✓' in cell.source, meta["grade_id"]


@pytest.mark.slow
def test_solution_scores_full_marks(results):
    r = results["solution"]
    assert r["max_score"] == AUTOGRADED_POINTS
    assert r["score"] == AUTOGRADED_POINTS, r["by_cell"]
    assert all(score == top for score, top in r["by_cell"].values())
    assert r["needs_manual_grade"]


@pytest.mark.slow
def test_untouched_release_scores_zero(results):
    r = results["untouched"]
    # nbgrader scores an unchanged written answer 0 automatically, so the kit
    # counts it here too (max 25); every cell, graded or written, scores 0.
    assert r["score"] == 0, r["by_cell"]
    tests = {gid: v for gid, v in r["by_cell"].items() if gid != "tension_in_your_own_words"}
    assert sum(top for _, top in tests.values()) == AUTOGRADED_POINTS


@pytest.mark.slow
def test_mean_instead_of_median_loses_only_the_lead_time(results):
    r = results["mean"]
    assert r["by_cell"]["test_lead_time_days_median"] == (0.0, 4.0)
    assert r["score"] == AUTOGRADED_POINTS - 4, r["by_cell"]


@pytest.mark.slow
def test_hardcoded_numbers_are_caught_by_hidden_tests(results):
    r = results["hardcoded"]
    for gid in PART1_TESTS:
        assert r["by_cell"][gid][0] == 0, (gid, r["by_cell"])
    assert r["score"] == 9, r["by_cell"]  # Part 2 was answered properly


@pytest.mark.slow
def test_answers_that_equal_everything_score_zero(results):
    gradingkit.assert_scores_zero(results["cheat"])
