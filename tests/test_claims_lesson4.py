"""What Lesson 4's text says about its night, checked over many seeds (not one lucky run).

The lesson runs the procedure below with seed 0; a learner who changes the seed must see the same story.
The night's claims run over 20 seeds (three fleets at a time: each night is about 4 s of wall time, mostly
waiting on the load's schedule); the whole procedure to the fix and back, which needs the canary's loads
too, over 4 (tests/test_live_canary.py checks the canary's own claims over more seeds).
"""

import statistics
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from pageturn.live import alerts, canary, faults, plots
from pageturn.live.fleet import PAGE_WINDOWS, Fleet
from pageturn.live.sanity import request_json
from pageturn.model.canary import Policy

pytestmark = pytest.mark.slow

SEEDS = range(20)
HOUR_S = 3600.0


def _night(seed, time_scale=720.0, night_s=3.0):
    """Lesson 4's cells from the fleet's start to the debug page, with ``seed``: plain results."""
    with Fleet(size=3, version="2.1", seed=seed, time_scale=time_scale) as fleet:
        fleet.load(duration_s=1.0, rate_per_s=80, readers=50, seed=seed)
        evening_alerts = len(fleet.alerts)
        key = fleet.inject("pageturn-2", kind="text-date", share=0.3, seed=seed)
        night = fleet.load(duration_s=night_s, rate_per_s=80, readers=50, seed=seed + 1)
        alert = fleet.wait_for_alert(5)
        failed = [r for r in fleet.balancer.records() if r["status"] >= 500]
        out = {
            "seed": seed,
            "evening_alerts": evening_alerts,
            "alerts": [a.instance for a in fleet.alerts],
            "window_long_s": None if alert is None else alert.window.long_s,
            "failed_instances": {r["instance"] for r in failed},
            "poisoned": len(key.readers),
        }
        q = fleet.quarantined.get("pageturn-2")
        if q is None:
            return out
        table = fleet.affected("pageturn-2").set_index("period")
        reader = fleet.failed_reader("pageturn-2")
        dates = [b["logged_at"] for b in q.snapshot["books"][reader]]
        console = fleet.console("pageturn-2", fleet.admin_token)
        # the readers' side: what the load generator saw, by when it sent each request
        sent_at = night["sent_s"] + night.attrs["started_at_s"]
        failed_seen = (night["status"] >= 500) | (night["status"] == 0)
        bins = plots.readers_over_time(night)
        q_x = q.at_s - night.attrs["started_at_s"]
        out.update(
            delay_s=q.at_s - min(r["time_s"] for r in failed),
            before_readers_failed=int(table.loc["before", "readers_failed"]),
            after_failed=int(table.loc["after", "failed"]),
            held_back=len(q.held_back),
            text_and_number=any(isinstance(d, str) for d in dates) and any(isinstance(d, float) for d in dates),
            console_finds=repr(key.bad_value) in console.run("[b['logged_at'] for b in bad_records(snapshot)]"),
            bad_in_snapshot=len(faults.bad_records(q.snapshot)) == len(key.readers),
            seen_failed_before=int((failed_seen & (sent_at < q.at_s)).sum()),
            seen_failed_after=int((failed_seen & (sent_at >= q.at_s)).sum()),
            seen_unanswered=int((night["status"] == 0).sum()),
            seen_after=int((sent_at >= q.at_s).sum()),
            bins_failed_after=int(bins.loc[bins["t_s"] >= q_x, "failed"].sum()),
            bins_requests_after=int(bins.loc[bins["t_s"] >= q_x, "requests"].sum()),
        )
        bench = fleet.instances["pageturn-2"]
        out["bench_21"] = request_json(bench.url, "GET", f"/books?reader={reader}")[0]
        bench.set_version("2.1.1")
        out["bench_211"] = request_json(bench.url, "GET", f"/books?reader={reader}")[0]
        return out


def _many(seeds, **options):
    with ThreadPoolExecutor(3) as pool:
        return list(pool.map(lambda seed: _night(seed, **options), seeds))


def _share(results, condition) -> float:
    return sum(bool(condition(r)) for r in results) / len(results)


@pytest.fixture(scope="module")
def nights():
    return _many(SEEDS)


@pytest.mark.xdist_group("claims-lesson4")
def test_a_normal_evening_pages_nobody(nights):
    assert all(r["evening_alerts"] == 0 for r in nights)


@pytest.mark.xdist_group("claims-lesson4")
def test_the_alert_names_pageturn_2_and_no_other_instance_shows_an_error(nights):
    assert all(r["alerts"] == ["pageturn-2"] for r in nights)
    assert all(r["failed_instances"] == {"pageturn-2"} for r in nights)


@pytest.mark.xdist_group("claims-lesson4")
def test_quarantine_comes_a_fraction_of_a_second_after_the_first_error(nights):
    delays = [r["delay_s"] for r in nights]
    assert statistics.median(delays) < 0.6 and _share(nights, lambda r: 0 < r["delay_s"] < 1.0) >= 0.9


@pytest.mark.xdist_group("claims-lesson4")
def test_after_the_quarantine_nobody_fails_and_the_restore_holds_back_the_poisoned_records(nights):
    assert all(r["before_readers_failed"] >= 1 and r["after_failed"] == 0 for r in nights)
    assert all(r["held_back"] == r["poisoned"] for r in nights)


@pytest.mark.xdist_group("claims-lesson4")
def test_the_readers_side_errors_stop_at_the_quarantine_and_requests_go_on(nights):
    """The chart (plots.plot_readers over the load generator's frame): red bars before the line only, and
    only a few; blue bars after it; no reader was left without an answer while the instance was handed over."""
    assert all(r["seen_failed_before"] >= 1 and r["seen_failed_after"] == 0 for r in nights)
    assert statistics.median(r["seen_failed_before"] for r in nights) <= 6  # "only a few of them"
    assert all(r["seen_unanswered"] == 0 and r["seen_after"] > 50 for r in nights)
    # the binned chart agrees: bins starting after the line hold requests and no failure
    assert all(r["bins_requests_after"] > 0 and r["bins_failed_after"] == 0 for r in nights)


@pytest.mark.xdist_group("claims-lesson4")
def test_the_snapshot_console_and_bench_show_the_bad_value_and_the_fix(nights):
    # "one book has a number ..., another has text"; the console's bad_records finds it
    assert all(r["text_and_number"] and r["console_finds"] and r["bad_in_snapshot"] for r in nights)
    # on the bench: 2.1 fails the failed reader, 2.1.1 serves them
    assert all(r["bench_21"] == 500 and r["bench_211"] == 200 for r in nights)


@pytest.mark.xdist_group("claims-lesson4")
def test_tonights_page_comes_from_the_6_hour_window_pair(nights):
    """The lesson: tonight the 6-hour / 30-minute pair pages (the 1-hour pair's 14.4 needs more errors)."""
    assert _share(nights, lambda r: r["window_long_s"] == 6 * HOUR_S) >= 0.9


def test_a_slower_clock_pages_just_as_soon_tonight():
    """'Try Fleet(time_scale=120)': the same night, the same moment (both windows of the pair that pages
    still hold the whole short evening), so the alert still comes a fraction of a second after the first
    error. Both clocks run in the same pool at the same time, so a busy machine slows both alike."""
    runs = [(seed, scale) for seed in range(8) for scale in (720.0, 120.0)]
    with ThreadPoolExecutor(3) as pool:
        done = list(pool.map(lambda run: _night(run[0], time_scale=run[1], night_s=1.5), runs))
    by_scale = {scale: [r for (_, s), r in zip(runs, done) if s == scale] for scale in (720.0, 120.0)}
    for results in by_scale.values():
        assert all(r["alerts"] == ["pageturn-2"] and r["after_failed"] == 0 for r in results)
        assert _share(results, lambda r: r["window_long_s"] == 6 * HOUR_S) >= 0.9
        assert _share(results, lambda r: 0 < r["delay_s"] < 1.0) >= 0.9
    fast, slow = (statistics.median(r["delay_s"] for r in by_scale[scale]) for scale in (720.0, 120.0))
    assert slow < 0.6 and abs(slow - fast) < 0.25


def _first_page_after_quiet(time_scale, quiet_s, seed, rate_per_s=27.0, bad_share=0.24, scrape_s=0.1):
    """Wall seconds from the start of a fault (``bad_share`` of one instance's requests fail, as tonight's
    fault does) to the page, after ``quiet_s`` wall seconds of healthy traffic: the fleet's monitor's
    inputs (cumulative counts per scrape, alert time = wall time × ``time_scale``), made up."""
    draws = np.random.default_rng(seed)
    series, totals, t = alerts.Series(), {n: alerts.Counts(0.0, 0.0, 0.0) for n in "abc"}, 0.0
    while t < quiet_s + 120:
        t += scrape_s
        for name in totals:
            n = float(draws.poisson(rate_per_s * scrape_s))
            bad = float(draws.binomial(int(n), bad_share)) if name == "b" and t > quiet_s else 0.0
            totals[name] = totals[name] + alerts.Counts(n, bad, 0.0)
        series.add(t * time_scale, dict(totals))
        if t > quiet_s and alerts.evaluate(series, alerts.SLO(), PAGE_WINDOWS, slis=("errors",)):
            return t - quiet_s
    return float("inf")


def test_a_slower_clock_pages_later_once_the_fleet_has_run_longer_than_its_windows():
    """The lesson: after a quiet minute, the same errors page within a few seconds at 720 and take several
    times longer at 120 (nearer 20 s): the slower clock keeps more of the quiet minute in each window."""
    at_720 = [_first_page_after_quiet(720, 60, seed) for seed in range(5)]
    at_120 = [_first_page_after_quiet(120, 60, seed) for seed in range(5)]
    assert statistics.median(at_720) < 5
    assert 12 < statistics.median(at_120) < 30
    assert all(slow >= 3 * fast for fast, slow in zip(at_720, at_120))


@pytest.mark.parametrize("seed", range(4))
def test_the_lessons_night_over_seeds(seed):
    with Fleet(size=3, version="2.1", seed=seed) as fleet:
        fleet.load(duration_s=1.0, rate_per_s=80, readers=50, seed=seed)
        assert fleet.alerts == []  # a normal evening: no page
        key = fleet.inject("pageturn-2", kind="text-date", share=0.3, seed=seed)
        fleet.load(duration_s=3.0, rate_per_s=80, readers=50, seed=seed + 1)
        alert = fleet.wait_for_alert(5)
        # "It names pageturn-2 ... no other instance shows any error."
        assert alert is not None and [a.instance for a in fleet.alerts] == ["pageturn-2"]
        failed = [r for r in fleet.balancer.records() if r["status"] >= 500]
        assert {r["instance"] for r in failed} == {"pageturn-2"}
        # "After the quarantine, nobody does." / records held back by the restore
        q = fleet.quarantined["pageturn-2"]
        table = fleet.affected("pageturn-2").set_index("period")
        assert table.loc["before", "readers_failed"] >= 1 and table.loc["after", "failed"] == 0
        assert len(q.held_back) == len(key.readers)
        # "a fraction of a second after the first error"
        first_error = min(r["time_s"] for r in failed)
        assert 0 < q.at_s - first_error < 1.0
        # "one book has a number ..., another has text"
        reader = fleet.failed_reader("pageturn-2")
        dates = [b["logged_at"] for b in q.snapshot["books"][reader]]
        assert any(isinstance(d, str) for d in dates) and any(isinstance(d, float) for d in dates)
        # the bench: 2.1 fails, 2.1.1 serves the failed reader
        bench = fleet.instances["pageturn-2"]
        assert request_json(bench.url, "GET", f"/books?reader={reader}")[0] == 500
        bench.set_version("2.1.1")
        assert request_json(bench.url, "GET", f"/books?reader={reader}")[0] == 200
        # the canary against an equal-size control, Lesson 3's judge: wait after 1 s, then promote
        # ("on a very busy machine ... run the cell above again": up to 3 more rounds)
        policy = Policy(min_requests=150, min_duration_s=2.0, max_slow_points=5, max_error_points=2)
        run = canary.start(fleet, "2.1.1", percent=30)
        fleet.load(duration_s=1.0, rate_per_s=100, readers=100, seed=seed + 2)
        assert run.verdict(policy).decision == "wait"
        fleet.load(duration_s=3.0, rate_per_s=300, readers=100, seed=seed + 3)
        verdict = run.verdict(policy)
        for k in range(3):
            if verdict.decision != "wait":
                break
            fleet.load(duration_s=3.0, rate_per_s=300, readers=100, seed=seed + 10 + k)
            verdict = run.verdict(policy)
        assert verdict.decision == "promote", str(verdict)
        # rollout, readmit: the poisoned reader now sees their imported book
        run.promote()
        assert fleet.readmit("pageturn-2") == len(key.readers)
        status, _, data = request_json(fleet.url, "GET", f"/books?reader={reader}")
        assert status == 200 and any(isinstance(b["logged_at"], str) for b in data["books"])
        fleet.release("pageturn-2")
        assert "pageturn-2" not in fleet.instances
