"""What Lesson 2 and Lab 2 say the week of requests shows holds for other weeks too, not only the stored one.

Each test quotes the sentence it checks. The weeks are ``databuild.request_week(seed)``: the stored week's
deploys, versions, incidents and canary, with other requests drawn (seed 25 is ``data/requests.csv.gz``).
Numbers the lesson quotes from the stored week alone are in ``tests/test_histogram.py``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from pageturn.course import databuild
from pageturn.model import histogram as H

WEEK_SEEDS = (25, 1, 2, 3, 4, 5, 6, 7)
FINE = H.log_edges(0.4, 8000, scale=3)  # the lesson's scale-3 buckets, wide enough for any week's slowest request


@cache
def _sim():
    from pageturn.model.sim import simulate

    return simulate(**databuild.QUARTER)


@cache
def week(seed):
    return databuild.request_week(seed, sim=_sim())


@pytest.fixture(params=WEEK_SEEDS)
def requests(request):
    return week(request.param)


def density(x, low, high):
    """Share of ``x`` in (low, high] ms per unit of log-latency: comparable across ranges of any width."""
    x = np.asarray(x)
    return float(((x > low) & (x <= high)).mean() / np.log(high / low))


def counts_in(x, low, high):
    """Counts of the scale-3 buckets whose lower edge lies in [low, high) ms."""
    hist = H.histogram(x, FINE)
    lower = np.asarray(hist.edges)[:-1]
    return np.asarray(hist.counts)[(lower >= low) & (lower < high)]


def test_the_seeded_week_25_is_the_stored_week():
    from pageturn.course import data

    stored = data.load("requests")
    again = week(databuild.SEED)
    assert len(stored) == len(again)
    assert np.allclose(stored["latency_ms"].to_numpy(), again["latency_ms"].to_numpy())
    assert (stored["version"].to_numpy() == again["version"].to_numpy()).all()


def test_three_groups(requests):
    """Lesson 2, cell after the first percentiles: "the week is not one hump but three groups: health checks
    near 5 ms, ordinary requests near 50 ms, and a long, low tail of cache misses, almost flat from about
    300 ms to 1 s and thinning out by 2 s ... the p99 simply lands somewhere in the cache-miss tail"."""
    x = requests["latency_ms"]
    assert 3.5 < x[requests["route"] == "/health"].median() < 6.5  # health checks near 5 ms
    assert density(x, 3, 7) > 4 * density(x, 9, 13)  # ... a group of their own, with a gap above it
    hist = H.histogram(x, FINE)
    fullest = int(np.argmax(hist.counts))
    assert 35 < np.sqrt(hist.edges[fullest] * hist.edges[fullest + 1]) < 70  # ordinary requests near 50 ms
    plateau = counts_in(x, 300, 1000)
    assert plateau.max() < 2.2 * plateau.min()  # almost flat from 300 ms to 1 s
    assert 0.02 < (x > 300).mean() < 0.05  # far more than the ordinary requests' own spread would put there
    assert counts_in(x, 2000, 4000).mean() < 0.3 * plateau.mean()  # thinning out by 2 s
    assert 300 < H.percentile(x, 99) < 2000  # the p99 lands in the cache-miss tail


def test_two_percentile_methods_agree_on_a_week(requests):
    """Lesson 2: "With five requests ... at p90 the two definitions are more than 300 ms apart. On 207,000
    requests they differ by less than 1 ms." """
    five = [12.0, 15.0, 18.0, 40.0, 900.0]
    assert abs(H.percentile(five, 90, method="linear") - H.percentile(five, 90, method="nearest-rank")) > 300
    x = requests["latency_ms"]
    assert 200_000 < len(x) < 215_000
    assert abs(H.percentile(x, 99, method="nearest-rank") - H.percentile(x, 99, method="linear")) < 1


def test_the_three_groups_are_in_every_old_version_and_the_canary_keeps_its_tail(requests):
    """Lesson 2 §3: "the three groups of part 1 (health checks, ordinary requests, cache misses) are there in
    every old version (in the canary's, the extra 120 ms blurs the health checks into the ordinary requests,
    but the cache-miss tail is still there)"."""
    t = requests["timestamp"]
    window = requests[(t >= "2026-04-01 13:00") & (t < "2026-04-02 11:00")]
    for version, part in requests.groupby("version"):
        x = part["latency_ms"]
        if version == "2.0.0-canary":
            assert (x < 50).mean() < 0.01  # no health-check group left near 5 ms
            assert (x > 400).mean() > 0.01  # but a tail of cache misses
            continue
        if len(x) < 5000:
            continue  # a version that served a few hours only: too few requests to see a shape
        assert density(x, 3, 7) > 3 * density(x, 9, 13), version
        assert density(x, 30, 80) > 10 * density(x, 9, 13), version
        assert 0.015 < (x > 300).mean() < 0.06, version  # the cache-miss tail
        assert density(x, 300, 600) < 2 * density(x, 600, 1000), version  # ... and it is flat
    assert (window["version"] == "2.0.0-canary").sum() > 1000


def test_web3_hump_sits_to_the_right(requests):
    """Lesson 2 §4: "the four servers share the same buckets, and web-3's hump sits to the right of the
    others"."""
    fullest = {}
    for server, part in requests.groupby("server"):
        hist = H.histogram(part["latency_ms"], FINE)
        fullest[server] = int(np.argmax(hist.counts))
    others = [v for k, v in fullest.items() if k != "web-3"]
    assert fullest["web-3"] > max(others)
    medians = requests.groupby("server")["latency_ms"].median()
    assert medians["web-3"] > 1.4 * medians.drop(index="web-3").max()


def test_the_p99_line_does_not_mark_the_outages():
    """Lesson 2 §6: "the p99 line (vermillion) stays inside its usual daytime range of about 300 to 1,250 ms:
    nothing in it marks either outage." Checked on every week: the outage slots' p99s lie in about that range;
    and on most weeks their median lies among the middle 80 % of that week's other daytime slots (the
    successes are 1.5 times slower during an outage, so on some weeks the p99 runs a little high, still
    inside the usual range)."""
    inside = []
    for seed in WEEK_SEEDS:
        requests = week(seed)
        t = requests["timestamp"]
        days = requests[(t >= "2026-03-31 06:00") & (t < "2026-04-02 18:00")]
        p99 = H.percentile_over_time(days["timestamp"], days["latency_ms"], 99, every="20min")
        outage = pd.concat([p99["2026-03-31 10:20":"2026-03-31 10:40"], p99["2026-04-01 10:20":"2026-04-01 12:20"]])
        assert len(outage) == 9
        daytime = p99.between_time("08:00", "18:00").drop(index=outage.index)
        assert outage.between(250, 1350).all(), (seed, outage.round().tolist())
        inside.append(daytime.quantile(0.1) < outage.median() < daytime.quantile(0.9))
    assert np.mean(inside) >= 0.75, inside


def test_lab2_grading_fleets_mean_off_in_both_directions():
    """Lab 2, after Part 2: "On the fleets used for grading, each with one much slower server, they are
    hundreds of ms apart, the mean too high on one fleet and too low on the other." (The fleets of the
    hidden tests: request_log(days=1, seed=21, servers=2, ...) and (seed=24, servers=6, ...).)"""
    from pageturn.model.traffic import request_log

    gaps = []
    for seed, servers, factor in [(21, 2, 10.0), (24, 6, 8.0)]:
        df = request_log(days=1, seed=seed, servers=servers, slow_server=1, slow_server_factor=factor)
        fleet = np.percentile(df["latency_ms"].to_numpy(), 99)
        mean = np.mean([np.percentile(g.to_numpy(), 99) for _, g in df.groupby("server")["latency_ms"]])
        gaps.append(mean - fleet)
    assert min(gaps) < -100 and max(gaps) > 100, gaps
