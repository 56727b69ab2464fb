"""Lab 2 (percentiles vs histograms) graded by the real nbgrader, in a temporary copy of the course.

Four submissions are autograded together: the instructor's answers, the untouched
release, a plausible wrong answer, and a cheat whose answers claim to equal anything.
"""

from __future__ import annotations

import pytest

import gradingkit
from gradingkit import answer_cells as _answer_cells
from gradingkit import solution_notebook

LAB = "lab2_histograms"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(LAB)]


WRONG = {
    # the careless dashboard: the mean of the servers' p99s reported as the fleet p99
    "fleet_answer": """
def fleet_p99(df):
    return float(df.groupby("server")["latency_ms"].quantile(0.99).mean())

def mean_of_server_p99s(df):
    return float(df.groupby("server")["latency_ms"].quantile(0.99).mean())
""",
    # off by one at bucket edges: numpy includes the lower edge, the lab's buckets the upper one
    "buckets_answer": """
def bucket_counts(values, edges):
    return np.histogram(values, bins=edges)[0]
""",
    # the plain floor rule: wrong exactly on bucket edges
    "log_index_answer": """
def log_bucket_index(value, scale):
    if value <= 0:
        raise ValueError(f"value must be > 0, got {value!r}")
    return math.floor(math.log(value) / math.log(2 ** (2 ** -scale)))
""",
    # reads the bucket's lower edge instead of its midpoint: relative error up to base - 1, twice the bound
    "sketch_answer": """
SCALE = 5

def sketch(values, scale):
    counts = {}
    for value in values:
        i = int(log_bucket_index(float(value), scale))
        counts[i] = counts.get(i, 0) + 1
    return counts

def sketch_quantile(counts, scale, p):
    base = 2 ** (2 ** -scale)
    total = sum(counts.values())
    rank = max(1, math.ceil(p / 100 * total))
    running = 0
    for i in sorted(counts):
        running += counts[i]
        if running >= rank:
            return float(base ** i)

def merge_sketches(sketches):
    total = {}
    for one in sketches:
        for i, c in one.items():
            total[i] = total.get(i, 0) + c
    return total
""",
}

CHEAT = gradingkit.cheat_answers(
    {
        "percentiles_answer": """
def latency_percentiles(latencies):
    return {50: AlwaysEqual(), 95: AlwaysEqual(), 99: AlwaysEqual()}
""",
        "fleet_answer": """
def fleet_p99(df):
    return AlwaysEqual()

def mean_of_server_p99s(df):
    return AlwaysEqual()
""",
        "buckets_answer": "def bucket_counts(values, edges):\n    return AlwaysEqual()\n",
        "estimate_answer": "def estimate_percentile(edges, counts, p):\n    return AlwaysEqual()\n",
        "merge_answer": """
EDGES = np.concatenate([[0.0], np.geomspace(0.25, 10_000, 121)])

def merge(histograms):
    return AlwaysEqual()

fleet_p99_estimate = AlwaysEqual()
""",
        "log_index_answer": "def log_bucket_index(value, scale):\n    return AlwaysEqual()\n",
        "sketch_answer": """
SCALE = 5

def sketch(values, scale):
    return AlwaysEqual()

def sketch_quantile(counts, scale, p):
    return AlwaysEqual()

def merge_sketches(sketches):
    return AlwaysEqual()
""",
        "canary_answer": """
CANARY_VERSION = "2.0.0-canary"

def canary_share(df, version):
    return AlwaysEqual()

def canary_slowdown_ms(df, version):
    return AlwaysEqual()
""",
    }
)


released, graded = gradingkit.lab_fixtures(
    LAB, wrong=WRONG, cheat=CHEAT, written="Sam, histograms add up; percentiles do not."
)


def test_points_are_round_and_every_part_has_tests():
    nb = solution_notebook(LAB)
    points = [c.metadata["nbgrader"].get("points", 0) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert sum(points) == 40
    manual = gradingkit.manual_cells(nb)
    assert len(manual) == 1 and manual[0].metadata["nbgrader"]["solution"] is True
    assert set(_answer_cells(nb)) == {
        "percentiles_answer",
        "fleet_answer",
        "buckets_answer",
        "estimate_answer",
        "merge_answer",
        "log_index_answer",
        "canary_answer",
        "sketch_answer",
    }
    assert set(CHEAT) == set(_answer_cells(nb))


def test_release_hides_solutions_and_hidden_tests_and_keeps_navigation(released):
    text = gradingkit.released_text(released)
    assert "request_log(" not in text  # the fresh data of the hidden tests stays hidden
    assert text.count("raise NotImplementedError()") >= 10
    assert "YOUR ANSWER HERE" in text and "model answer" not in text
    gradingkit.assert_navigation(released, "02_percentiles_vs_histograms.ipynb", "03_production_as_your_bench.ipynb")
    for cell in (released.cells[0], released.cells[-1]):
        assert "~/lab2_histograms/" in cell.source and "notebooks/00_start.ipynb" in cell.source  # after the exchange


def test_visible_tests_greet_a_right_answer_with_a_tick(released):
    tests = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    visible = [c for c in tests if "assert" in c.source]
    assert len(visible) >= 10
    assert all('print("✓' in c.source or 'print(f"✓' in c.source for c in visible)
    # every test cell a student sees prints something, even one whose tests are all hidden
    assert all("print(" in c.source for c in tests)
    hidden_only = [c for c in tests if "assert" not in c.source]
    assert len(hidden_only) == 7 and all("run when your lab is graded" in c.source for c in hidden_only)


def test_instructor_solution_scores_full_marks_on_every_autograded_cell(graded):
    gradingkit.assert_full_marks(graded["solution"], gradingkit.points_by_test(solution_notebook(LAB)))
    assert graded["solution"]["score"] == 35


def test_untouched_release_scores_zero(graded):
    gradingkit.assert_scores_zero(graded["untouched"])
    # nbgrader scores an unanswered written answer 0 at once, so it counts here too: 0 of 40
    assert graded["untouched"]["max_score"] == 40
    assert graded["untouched"]["by_cell"]["explain_to_sam"] == (0.0, 5.0)


def test_plausible_wrong_answers_lose_exactly_the_parts_they_get_wrong(graded):
    by_cell = graded["wrong"]["by_cell"]
    # the lower-edge sketch leaves its guarantee once merged over the week, so the comparison fails too
    for gid in ("fleet_hidden", "buckets_hidden", "log_index_edges", "sketch_quantile_test", "sketch_comparison_test"):
        assert by_cell[gid][0] == 0, gid
    for gid in (
        "percentiles_test",
        "fleet_visible",
        "buckets_visible",
        "estimate_visible",
        "estimate_hidden",
        "log_index_visible",
        "log_index_random",
        "canary_visible",
        "canary_hidden",
        "sketch_merge_test",
    ):
        assert by_cell[gid][0] == by_cell[gid][1], gid
    assert 0 < graded["wrong"]["score"] < graded["wrong"]["max_score"]


def test_an_answer_that_claims_to_equal_everything_scores_zero(graded):
    gradingkit.assert_scores_zero(graded["cheat"])
