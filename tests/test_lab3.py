"""Lab 3 (production as your bench) graded by the real nbgrader, in a temporary copy of the course.

Four submissions are autograded together: the instructor's answers, the untouched
release, a plausible wrong answer, and a cheat whose answers claim to equal anything.
The hidden tests start their own fresh Pageturn apps on 127.0.0.1 and stop them.
"""

from __future__ import annotations

import pytest

import gradingkit
from gradingkit import answer_cells as _answer_cells
from gradingkit import grade_id as _grade_id
from gradingkit import solution_notebook

LAB = "lab3_production"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(LAB)]

POINTS = {
    "test_sanity_check": 5,
    "test_add_search_histogram": 5,
    "test_slow_share": 5,
    "test_error_share": 2,
    "test_should_roll_back": 3,
    "test_cohort_counts": 5,
}

WRONG = {
    # the same title every time: on a version that hides the newest book, an older copy still shows
    "sanity_check": """
def sanity_check(url):
    try:
        status, _, data = request_json(url, "POST", "/books", {"reader": "sanity-lab", "title": "Sanity"})
        if status != 201:
            return False
        status, _, data = request_json(url, "GET", "/books?reader=sanity-lab")
        return status == 200 and any(b["title"] == "Sanity" for b in data["books"])
    except Exception:
        return False
""",
    # reads the cumulative bucket as the share of FAST requests
    "slow_share": """
def slow_share(scrape, route, version, threshold_s):
    rows = scrape[(scrape["sample"] == "pageturn_request_duration_seconds_bucket")
                  & (scrape["route"] == route) & (scrape["version"] == version)]
    le = rows["le"].astype(float)
    total = float(rows.loc[np.isinf(le), "value"].sum())
    return float(rows.loc[np.isclose(le, threshold_s), "value"].sum()) / total
""",
    # compares the canary with everyone else, not with an equal-size control
    "cohort_counts": """
from pageturn.model import canary

def cohort_counts(load, percent, threshold_ms):
    done = load[(load["status"] > 0) & load["route"].isin(READER_ROUTES)]
    slot = done["reader"].map(app.reader_slot)
    groups = []
    for mask in (slot < percent, slot >= percent):
        part = done[mask]
        groups.append(canary.Cohort(len(part), int((part["latency_ms"] > threshold_ms).sum()),
                                    int((part["status"] >= 500).sum())))
    return tuple(groups)
""",
}

CHEAT = gradingkit.cheat_answers(
    {
        "sanity_check": "def sanity_check(url):\n    return AlwaysEqual()\n",
        "add_search_histogram": "def add_search_histogram(app):\n    return AlwaysEqual()\n",
        "slow_share": "def slow_share(scrape, route, version, threshold_s):\n    return AlwaysEqual()\n",
        "error_share": "def error_share(scrape, version):\n    return AlwaysEqual()\n",
        "should_roll_back": "def should_roll_back(scrape, stable, canary):\n    return AlwaysEqual()\n",
        "cohort_counts": "from pageturn import canary\n\ndef cohort_counts(load, percent, threshold_ms):\n"
        "    return AlwaysEqual()\n",
    }
)


# the untouched answer cells keep their imports (e.g. prometheus_client's Histogram) in the wrong and cheat answers
released, graded = gradingkit.lab_fixtures(
    LAB, wrong=WRONG, cheat=CHEAT, written="Sam: the canary was slower, so I rolled it back."
)


def test_points_are_round_and_every_part_has_tests():
    nb = solution_notebook(LAB)
    tests = gradingkit.points_by_test(nb)
    assert tests == POINTS
    manual = gradingkit.manual_cells(nb)
    assert len(manual) == 1 and manual[0].metadata["nbgrader"]["points"] == 5
    assert sum(tests.values()) + 5 == 30
    assert set(_answer_cells(nb)) == set(CHEAT)
    assert all(c.metadata["nbgrader"]["schema_version"] == 3 for c in nb.cells if "nbgrader" in c.metadata)
    gradingkit.assert_test_cells_hold_hidden_tests(nb)


def test_hidden_tests_start_and_stop_their_own_fresh_app():
    nb = solution_notebook(LAB)
    for cell in nb.cells:
        if cell.cell_type == "code" and "app.start(fresh=True" in cell.source and _grade_id(cell):
            assert "finally:" in cell.source and ".stop()" in cell.source


def test_release_hides_solutions_and_hidden_tests_and_keeps_navigation(released):
    text = gradingkit.released_text(released)
    assert "_synthetic" not in text and "time_ns" not in text
    assert text.count("raise NotImplementedError()") == len(CHEAT)
    assert "YOUR ANSWER HERE" in text
    gradingkit.assert_navigation(released, "03_production_as_your_bench.ipynb", "04_night_on_call.ipynb")
    for cell in (released.cells[0], released.cells[-1]):
        assert "~/lab3_production/" in cell.source  # where the lessons are after nbgrader's exchange


def test_instructor_solution_scores_full_marks_on_every_autograded_cell(graded):
    gradingkit.assert_full_marks(graded["solution"], POINTS)
    assert graded["solution"]["score"] == 25


def test_untouched_release_scores_zero(graded):
    gradingkit.assert_scores_zero(graded["untouched"])
    assert graded["untouched"]["by_cell"]["sams_note"] == (0.0, 5.0)  # an empty written answer scores 0 at once


def test_plausible_wrong_answers_lose_exactly_the_parts_they_get_wrong(graded):
    by_cell = graded["wrong"]["by_cell"]
    for gid in ("test_sanity_check", "test_slow_share", "test_should_roll_back", "test_cohort_counts"):
        assert by_cell[gid][0] == 0, gid
    for gid in ("test_add_search_histogram", "test_error_share"):
        assert by_cell[gid][0] == by_cell[gid][1], gid
    assert graded["wrong"]["score"] == 7


def test_an_answer_that_claims_to_equal_everything_scores_zero(graded):
    gradingkit.assert_scores_zero(graded["cheat"])
