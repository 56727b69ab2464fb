"""pageturn.model.sketches: the log-bucket sketch, its error bound, merging, and the comparison Lab 2 runs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pageturn.model import sketches as S

SEEDS = range(10)


def _nearest(x, p):
    s = np.sort(x)
    return s[max(1, math.ceil(p / 100 * s.size - 1e-9)) - 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_log_quantile_is_within_the_guarantee_of_the_nearest_rank_value(seed):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(3, 1.2, int(rng.integers(10, 5000)))
    for scale in (0, 2, 3, 5, 8):
        counts = S.log_sketch(x, scale)
        for p in (0.5, 1, 50, 90, 99, 99.9, 100, float(rng.uniform(0, 100))):
            exact = _nearest(x, p)
            assert abs(S.log_quantile(counts, scale, p) - exact) / exact <= S.guarantee(scale) + 1e-12


@pytest.mark.parametrize("seed", SEEDS)
def test_merging_sketches_equals_the_sketch_of_all_values(seed):
    rng = np.random.default_rng(seed)
    parts = [rng.lognormal(2, 1, int(rng.integers(1, 500))) for _ in range(6)]
    before = [S.log_sketch(p, 4) for p in parts]
    copies = [dict(b) for b in before]
    assert S.merge_log_sketches(before) == S.log_sketch(np.concatenate(parts), 4)
    assert before == copies  # inputs unchanged
    rec = S.LogRecorder(4)
    for p in parts:
        rec.record(p)
    assert rec.as_dict() == S.log_sketch(np.concatenate(parts), 4)
    assert rec.buckets == len(rec.as_dict())


def test_guarantee_values():
    assert S.guarantee(3) == pytest.approx(0.0433, abs=1e-4)
    assert S.guarantee(5) == pytest.approx(0.0108, abs=1e-4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="counts"):
        S.log_quantile({}, 3, 50)
    with pytest.raises(ValueError, match="p must"):
        S.log_quantile({1: 2}, 3, 101)
    with pytest.raises(ValueError, match="values"):
        S.log_sketch([1.0, -2.0], 3)
    with pytest.raises(ValueError, match="sketches"):
        S.merge_log_sketches([{1: 1}, [1, 2]])
    with pytest.raises(ValueError, match="by"):
        S.compare(pd.DataFrame({"latency_ms": [1.0]}), by=("nope",))


@pytest.fixture(scope="module")
def week():
    from pageturn.course import data

    return data.load("requests")


def test_lab2_comparison_claims_on_the_week(week):
    """Lab 2 Part 8: merged over 672 server-hours, every sketch stays within its bound; at scale 5 your
    log buckets and DDSketch use the same buckets, about 420; HdrHistogram keeps about
    1,600 non-empty buckets out of about 2,300."""
    table = S.compare(week, 5)
    assert (table["groups merged"] == 672).all()
    for p in S.PERCENTILES:
        assert (table[f"p{p:g} error (%)"] <= table["guaranteed at most (%)"]).all()
    mine, dd, hdr = table.index
    assert table.loc[mine, "non-empty buckets"] == table.loc[dd, "non-empty buckets"]  # the same buckets
    assert 400 <= table.loc[mine, "non-empty buckets"] <= 440
    assert 1500 <= table.loc[hdr, "non-empty buckets"] <= 1700 and 2200 <= table.loc[hdr, "allocated buckets"] <= 2400
    assert table.loc[hdr, "non-empty buckets"] > 3 * table.loc[mine, "non-empty buckets"]


@pytest.mark.parametrize("seed", range(4))
def test_comparison_holds_on_other_weeks(seed):
    from pageturn.model.traffic import request_log

    log = request_log("2026-03-30", 2, seed=seed + 40)
    table = S.compare(log, 3)
    for p in S.PERCENTILES:
        assert (table[f"p{p:g} error (%)"] <= table["guaranteed at most (%)"] + 1e-9).all()
    mine, dd, hdr = table.index
    assert table.loc[mine, "non-empty buckets"] <= table.loc[dd, "allocated buckets"]
