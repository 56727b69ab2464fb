"""The burn-rate rule (pageturn.live.alerts) on synthetic streams, and the same rule in Prometheus.

The Prometheus half runs the real `promtool` (Debian package `prometheus`): it is
skipped with a reason when promtool is absent, except in CI (CI=true), where it fails.
"""

import math
import shutil
import subprocess

import pytest

import needs
from pageturn.live import alerts

PROMTOOL = shutil.which("promtool")
CHECK_MINUTES = (100, 203, 210, 215, 220, 225, 232, 240, 260, 300, 400, 480)
SEEDS = range(5)


def _need_promtool():
    if PROMTOOL is None:
        needs.missing("promtool is not installed (apt-get install prometheus; .ci/run installs it)")


def _fired(series, minute, severity="page"):
    return {(a.instance, a.sli) for a in alerts.evaluate(series, at_s=60 * minute) if a.severity == severity}


@pytest.mark.parametrize("seed", SEEDS)
def test_noise_and_a_short_blip_never_page(seed):
    for kind in ("steady", "blip"):
        series = alerts.synthetic_stream(kind, seed=seed)
        assert all(_fired(series, m) == set() for m in CHECK_MINUTES), kind


@pytest.mark.parametrize("seed", SEEDS)
def test_a_fast_burn_pages_within_twenty_minutes_naming_the_instance(seed):
    series = alerts.synthetic_stream("fast-burn", seed=seed)
    assert _fired(series, 199) == set()
    first = next(m for m in range(200, 300) if _fired(series, m))
    assert 200 < first <= 220
    assert _fired(series, first) == {("b", "errors")}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_slow_burn_pages_later_through_the_six_hour_window(seed):
    series = alerts.synthetic_stream("slow-burn", seed=seed)
    first = next(m for m in range(60, 480) if _fired(series, m))
    assert 120 < first < 400
    page = [a for a in alerts.evaluate(series, at_s=60 * first) if a.severity == "page"]
    assert {a.window.long_s for a in page} == {21600}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_page_stops_once_the_burn_stops(seed):
    series = alerts.synthetic_stream("recovered", seed=seed)
    assert _fired(series, 225) == {("b", "errors")}
    assert _fired(series, 300) == set()


@pytest.mark.parametrize("seed", SEEDS)
def test_latency_burn_comes_from_the_histogram(seed):
    series = alerts.synthetic_stream("slow-latency", seed=seed)
    assert _fired(series, 240) == {("b", "latency")}


def test_ratio_merges_instances_by_adding_counters():
    series = alerts.Series()
    series.add(0, {"a": alerts.Counts(0, 0, 0), "b": alerts.Counts(0, 0, 0)})
    series.add(60, {"a": alerts.Counts(100, 10, 0), "b": alerts.Counts(300, 0, 30)})
    assert series.ratio("a", "errors", 60) == pytest.approx(0.10)
    assert series.ratio(None, "errors", 60) == pytest.approx(10 / 400)
    assert series.ratio(None, "latency", 60) == pytest.approx(30 / 400)
    assert math.isnan(series.ratio("a", "errors", 10))


def test_counts_from_a_real_scrape():
    from pageturn.live.appmetrics import AppMetrics

    metrics = AppMetrics()
    for seconds, status in [(0.003, 200), (0.2, 200), (0.004, 500), (0.001, 200)]:
        metrics.observe("my_books", status, "2.1", seconds)
    metrics.observe("metrics", 200, "2.1", 0.3)  # not a reader route: left out
    counts = alerts.counts_from_text(metrics.text())
    assert (counts.requests, counts.errors, counts.slow) == (4, 1, 1)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="kind"):
        alerts.synthetic_stream("tsunami")
    with pytest.raises(ValueError, match="objective"):
        alerts.SLO(objective=1.5)
    with pytest.raises(ValueError, match="threshold_s"):
        alerts.SLO(threshold_s=0.033)


def test_the_alert_message_carries_its_link():
    series = alerts.synthetic_stream("fast-burn", seed=0)
    alert = alerts.evaluate(series, at_s=60 * 230)[0]
    alert = alerts.Alert(**{**alert.__dict__, "link": "http://127.0.0.1:1234/debug/b"})
    text = alert.message()
    assert "http://127.0.0.1:1234/debug/b" in text and "[PAGE]" in text and "b" in text


def test_promtool_checks_the_rules_file():
    _need_promtool()
    done = subprocess.run([PROMTOOL, "check", "rules", str(alerts.rules_path())], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("kind", list(alerts.STREAMS))
def test_prometheus_fires_what_python_fires_on_the_same_streams(kind, tmp_path):
    _need_promtool()
    series = alerts.synthetic_stream(kind, seed=1)
    at = [60 * m for m in CHECK_MINUTES]
    kept = [t for t in at if not alerts.borderline(series, t)]
    assert len(kept) >= len(at) // 2, "too many borderline checks to compare"
    path = tmp_path / f"{kind}_test.yml"
    path.write_text(alerts.promtool_test(series, at))
    done = subprocess.run([PROMTOOL, "test", "rules", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_a_handful_of_requests_never_pages():
    """1 bad request out of 8 is a share of 12 %, and says nothing: the rule waits for min_requests."""
    series = alerts.Series()
    series.add(0, {"a": alerts.Counts(0, 0, 0)})
    series.add(60, {"a": alerts.Counts(8, 1, 1)})
    assert alerts.evaluate(series, at_s=60) == []
    series.add(120, {"a": alerts.Counts(40, 10, 1)})
    assert {a.sli for a in alerts.evaluate(series, at_s=120) if a.severity == "page"} == {"errors"}
