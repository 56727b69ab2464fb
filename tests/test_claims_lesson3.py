"""What Lesson 3 says about its live runs holds for other app seeds too (several fresh apps, not one lucky run)."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from pageturn.live import app, appmetrics, loadgen
from pageturn.model import canary

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("lesson3-claims")]
APP_SEEDS = (3, 11, 29)


@pytest.fixture(params=APP_SEEDS)
def pt(request):
    handle = app.start(fresh=True, seed=request.param)
    yield handle
    handle.stop()


STORY_SEEDS = (3, 11, 29, 41, 57)


def _canary_story(seed):
    """Lesson 3's canary section, run once on a fresh app: what a learner would read off it."""
    pt = app.start(fresh=True, seed=seed)
    try:
        loadgen.run(pt.url, rate_per_s=100, duration_s=1.0, readers=100, seed=1)
        before = pt.scrape()
        table = appmetrics.histogram_table(before, "my_books", "2.0")
        pt.set_canary("2.1-bad", 10)
        load = loadgen.run(pt.url, rate_per_s=150, duration_s=3.0, workers=4, readers=300, seed=6)
        window = appmetrics.difference(pt.scrape(), before)
        percentiles = appmetrics.percentiles(window, "my_books", ps=(50, 99))  # as the lesson shows them
        bad = appmetrics.histogram_table(window, "my_books", "2.1-bad").set_index("le_s")["share"]
        good = appmetrics.histogram_table(window, "my_books", "2.0").set_index("le_s")["share"]
        policy = canary.Policy(min_requests=100, min_duration_s=2.0)
        first = canary.judge(*canary.cohorts(load, 10, 30), elapsed_s=3.0, policy=policy)
        more = loadgen.run(pt.url, rate_per_s=360, duration_s=2.0, workers=4, readers=300, seed=7)
        second = canary.judge(*canary.cohorts(pd.concat([load, more]), 10, 30), elapsed_s=5.0, policy=policy)
    finally:
        pt.stop()
    hump = [0.04, 0.05, 0.075]
    return {
        "fast_before": table.loc[table["le_s"].between(0.0015, 0.0065), "in_bucket"].sum() / table["in_bucket"].sum(),
        "p50_all": percentiles.loc["all readers", "p50 (ms)"],
        "p50_two": percentiles.loc["2.0", "p50 (ms)"],
        "p99_all": percentiles.loc["all readers", "p99 (ms)"],
        "p99_two": percentiles.loc["2.0", "p99 (ms)"],
        "bad_hump": bad.loc[hump].sum(),
        "good_hump": good.loc[hump].sum(),
        "good_2_to_6": good[(good.index > 0.001) & (good.index <= 0.006)].sum(),
        "slow_bad": appmetrics.share_slower_than(window, "my_books", "2.1-bad", 0.030),
        "slow_good": appmetrics.share_slower_than(window, "my_books", "2.0", 0.030),
        "first_waits": first.decision == "wait" and "too few" in first.reason,
        "first_most_requests": max(first.canary.requests, first.control.requests),
        "second_rolls_back": second.decision == "roll back",
        "second_fewest_requests": min(second.canary.requests, second.control.requests),
        "second_slow_canary": second.slow_points[1],
        # the same slow share counted over successful requests only (what a real service would do)
        **{
            f"slow_ok_{name}": _slow_share_of_successes(load, version)
            for name, version in (("bad", "2.1-bad"), ("good", "2.0"))
        },
        "slow_failures_bad": int(
            ((load["version"] == "2.1-bad") & (load["status"] >= 500) & (load["latency_ms"] > 30)).sum()
        ),
    }


def _slow_share_of_successes(load, version):
    ok = load[(load["route"] == "my_books") & (load["version"] == version) & load["status"].between(1, 499)]
    return float((ok["latency_ms"] > 30).mean())


@pytest.fixture(scope="module")
def stories():
    """The canary story on five fresh apps. Timings are the server's own, but a busy machine (CI runs other
    tests beside these) still stretches some of them, so the timing claims are checked as medians over the apps."""
    return pd.DataFrame([_canary_story(seed) for seed in STORY_SEEDS], index=STORY_SEEDS)


def test_canary_story_histograms(stories):
    median = stories.median()
    assert median["fast_before"] > 0.6  # "most ... took 1 to 6 ms"
    assert median["good_2_to_6"] > 0.5  # "most of 2.0's requests sit in the 2 to 6 ms buckets"
    assert median["bad_hump"] > 0.2  # "the canary has a second hump, at 40 to 75 ms"
    assert median["good_hump"] < 0.02  # "... that 2.0 does not have"
    assert median["slow_bad"] > median["slow_good"] + 0.1  # the latency SLI splits the versions


def test_canary_story_percentiles(stories):
    median = stories.median()
    assert median["p99_all"] > max(20, 2 * median["p99_two"])  # "p99 jumps to tens of ms, well above 2.0's own"
    assert abs(median["p50_all"] - median["p50_two"]) < 0.25 * median["p50_two"]  # "the p50 hardly moves"
    # and per app: a canary of 10 % never leaves the overall p99 at 2.0's level
    assert (stories["p99_all"] > stories["p99_two"]).all()


def test_canary_story_decisions(stories):
    # Counting requests does not depend on the machine's speed: these hold on every app.
    assert stories["first_waits"].all()  # "a few dozen ... wait"
    assert (stories["first_most_requests"] < 80).all()
    assert (stories["second_fewest_requests"] > 100).all()  # "over 100 requests ..."
    assert stories["second_rolls_back"].mean() >= 0.8  # "... roll back" (decided on timings: a share of apps)
    assert stories["second_slow_canary"].median() > 5


def test_canary_story_failures_mixed_into_the_histogram(stories):
    """Lesson 3, after the SLI table: "a failed request that was also slow counts twice ... Here that does
    not change the verdict: the canary is far past both limits" (counted over successful requests only,
    the canary's slow share is still more than 5 points above 2.0's)."""
    assert stories["slow_failures_bad"].median() > 0  # slow failures exist, so they do count twice
    gap = stories["slow_ok_bad"] - stories["slow_ok_good"]
    assert gap.median() > 0.15 and (gap > 0.05).mean() >= 0.8


def test_coordinated_omission_story(pt):
    before = pt.scrape()
    threading.Timer(0.4, pt.stall, args=(0.5,)).start()
    frozen = loadgen.run(pt.url, rate_per_s=100, duration_s=1.5, workers=1, readers=100, seed=5)
    during = appmetrics.difference(pt.scrape(), before)
    server = sum(
        appmetrics.histogram_table(during, r)["cumulative"].iloc[-1]
        * appmetrics.share_slower_than(during, r, None, 0.25)
        for r in ("log_book", "my_books", "search")
    )
    assert round(server) <= 2 and (frozen["latency_ms"] > 250).sum() <= 2  # "the same single slow request"
    assert (frozen["latency_from_due_ms"] > 250).sum() >= 20
    summary = loadgen.summary(frozen)
    assert summary.loc["p90", "from due (ms)"] > 10 * summary.loc["p90", "from sent (ms)"]
    assert np.isfinite(summary.to_numpy()).all()
