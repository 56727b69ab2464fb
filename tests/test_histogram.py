"""Tests for pageturn.model.histogram: the behaviour Lesson 2, Lab 2 and Lesson 3 rely on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pageturn.model import histogram as H

SEEDS = range(20)


def latencies(rng, n):
    """Latency-like data in ms: a lognormal body plus a slow mode."""
    body = rng.lognormal(mean=np.log(40), sigma=0.5, size=n)
    slow = rng.random(n) < 0.03
    body[slow] *= rng.uniform(5, 20, slow.sum())
    return body


# --------------------------------------------------------------------------- percentile
@pytest.mark.parametrize("seed", SEEDS)
def test_nearest_rank_is_an_observed_value_with_p_percent_at_or_below(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 50, size=rng.integers(1, 40)).astype(float)
    for p in rng.uniform(0.1, 100, 10):
        v = H.percentile(x, p, method="nearest-rank")
        assert v in x
        assert np.sum(x <= v) >= p / 100 * len(x) - 1e-9
        assert np.sum(x < v) < p / 100 * len(x)


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_percentile_matches_pandas_quantile(seed):
    rng = np.random.default_rng(seed)
    x = latencies(rng, 500)
    p = float(rng.uniform(0, 100))
    assert math.isclose(H.percentile(x, p), pd.Series(x).quantile(p / 100), rel_tol=1e-12)


def test_definitions_differ_on_a_small_sample_and_agree_on_a_large_one():
    assert H.percentile([10, 20, 30, 40], 50, method="nearest-rank") == 20
    assert H.percentile([10, 20, 30, 40], 50, method="linear") == 25
    x = latencies(np.random.default_rng(0), 200_000)
    near, lin = H.percentile(x, 99, "nearest-rank"), H.percentile(x, 99, "linear")
    assert abs(near - lin) / lin < 0.01


def test_percentile_accepts_a_pandas_series_and_returns_a_float():
    out = H.percentile(pd.Series([3.0, 1.0, 2.0]), 100)
    assert type(out) is float and out == 3.0


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(values=[1, 2], p=101), ["p", "101"]),
        (dict(values=[1, 2], p=-1), ["p", "-1"]),
        (dict(values=[1, 2], p=50, method="median"), ["method", "median", "nearest-rank"]),
        (dict(values=[], p=50), ["values", "empty"]),
        (dict(values=[1, float("nan")], p=50), ["values", "finite", "nan"]),
        (dict(values=["a"], p=50), ["values"]),
    ],
)
def test_percentile_bad_arguments_name_argument_and_value(kwargs, words):
    with pytest.raises(ValueError) as err:
        H.percentile(**kwargs)
    for word in words:
        assert word in str(err.value)


# --------------------------------------------------------------------------- histogram and merge
def test_value_on_an_edge_counts_in_the_bucket_below():
    h = H.histogram([1.0, 2.0, 2.5, 4.0], [0, 1, 2, 4])
    assert h.counts.tolist() == [1, 1, 2]
    assert h.count == 4 and h.total_ms == 9.5


@pytest.mark.parametrize("seed", SEEDS)
def test_histogram_counts_match_a_direct_count_including_values_on_edges(seed):
    rng = np.random.default_rng(seed)
    edges = np.sort(rng.choice(np.arange(0.0, 200.0, 0.5), size=12, replace=False))
    x = np.concatenate([rng.uniform(edges[0], edges[-1], 300), rng.choice(edges[1:], 30)])
    x = x[x > edges[0]]
    h = H.histogram(x, edges)
    expected = [np.sum((x > lo) & (x <= hi)) for lo, hi in zip(edges[:-1], edges[1:])]
    assert h.counts.tolist() == expected
    assert math.isclose(h.total_ms, x.sum())


def test_values_outside_the_edges_are_refused_not_dropped():
    with pytest.raises(ValueError, match=r"values must lie in \(0, 10\].*12"):
        H.histogram([1, 12], [0, 5, 10])
    with pytest.raises(ValueError, match="values must lie in"):
        H.histogram([0.0], [0, 5, 10])  # on the lowest edge: below the first bucket
    assert H.histogram([1, 1e9], [0, 5, np.inf]).counts.tolist() == [1, 1]


@pytest.mark.parametrize("edges", [[1], [0, 0, 1], [3, 2, 1], [0, float("nan")]])
def test_bad_edges_are_refused(edges):
    with pytest.raises(ValueError, match="edges"):
        H.histogram([0.5], edges)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(edges=[0, 1, 2], counts=[1]), "counts"),
        (dict(edges=[0, 1, 2], counts=[1, -1]), "counts"),
        (dict(edges=[0, 1, 2], counts=[1, 0.5]), "counts"),
        (dict(edges=[0, 2, 1], counts=[1, 1]), "edges"),
    ],
)
def test_histogram_dataclass_validates(kwargs, word):
    with pytest.raises(ValueError, match=word):
        H.Histogram(**kwargs)


def test_histogram_arrays_are_read_only():
    h = H.histogram([1.0, 2.0], [0, 1, 2])
    with pytest.raises(ValueError):
        h.counts[0] = 7


@pytest.mark.parametrize("seed", SEEDS)
def test_merging_parts_equals_the_histogram_of_all_values(seed):
    rng = np.random.default_rng(seed)
    x = latencies(rng, 2_000)
    edges = H.log_edges(x.min(), x.max(), scale=2)
    cuts = np.sort(rng.choice(np.arange(1, x.size), size=3, replace=False))
    merged = H.merge(H.histogram(part, edges) for part in np.split(x, cuts))
    whole = H.histogram(x, edges)
    assert merged.counts.tolist() == whole.counts.tolist()
    assert math.isclose(merged.total_ms, whole.total_ms)


def test_merge_refuses_different_edges_and_empty_input():
    a = H.histogram([1.0], [0, 2, 4])
    b = H.histogram([1.0], [0, 1, 4])
    with pytest.raises(ValueError, match=r"histograms\[1\].*different edges"):
        H.merge([a, b])
    with pytest.raises(ValueError, match="at least one"):
        H.merge([])
    with pytest.raises(ValueError, match=r"histograms\[0\] must be a Histogram"):
        H.merge([[1, 2]])


# --------------------------------------------------------------------------- estimate_percentile
def _bucket_width_at(edges, value):
    j = np.searchsorted(edges, value, side="left")
    return edges[j] - edges[j - 1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", ["linear", "log"])
def test_merged_estimate_is_within_one_bucket_width_of_the_exact_percentile(seed, layout):
    rng = np.random.default_rng(seed)
    parts = [latencies(rng, int(rng.integers(1, 3_000))) for _ in range(int(rng.integers(1, 6)))]
    x = np.concatenate(parts)
    if layout == "linear":
        edges = H.linear_edges(0, x.max() + 1, float(rng.uniform(1, 50)))
    else:
        edges = H.log_edges(x.min(), x.max(), int(rng.integers(0, 5)))
    merged = H.merge(H.histogram(part, edges) for part in parts)
    for p in [0, 50, 90, 99, 99.9, 100, *rng.uniform(0, 100, 5)]:
        exact = H.percentile(x, p, method="nearest-rank")
        estimate = H.estimate_percentile(merged, p)
        assert abs(estimate - exact) <= _bucket_width_at(edges, exact) + 1e-9, (p, exact, estimate)


def test_estimate_in_an_open_ended_bucket_is_its_lower_edge():
    h = H.histogram([1, 2, 3, 500], [0, 10, np.inf])
    assert H.estimate_percentile(h, 99) == 10.0
    assert H.estimate_percentile(h, 50) == pytest.approx(10 * 2 / 3)  # rank 2 of the 3 values in (0, 10]


def test_estimate_refuses_empty_histogram_and_bad_p():
    empty = H.Histogram([0, 1, 2], [0, 0])
    with pytest.raises(ValueError, match="empty"):
        H.estimate_percentile(empty, 50)
    with pytest.raises(ValueError, match="p must be"):
        H.estimate_percentile(H.histogram([1.0], [0, 2]), 150)
    with pytest.raises(ValueError, match="hist must be a Histogram"):
        H.estimate_percentile([1, 2, 3], 50)


# --------------------------------------------------------------------------- log buckets
@pytest.mark.parametrize("scale", [-3, 0, 1, 3, 8, 20])
def test_a_power_of_two_lies_on_an_edge_and_belongs_to_the_bucket_below(scale):
    for k in [-1074, -30, -1, 0, 1, 10, 1023]:
        v = 2.0**k
        if scale < 0 and k % 2**-scale:
            continue  # not an edge at this coarse scale
        expected = k * 2**scale - 1 if scale >= 0 else k // 2**-scale - 1
        assert H.log_bucket_index(v, scale) == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_index_is_floor_of_log_ratio_away_from_edges(seed):
    rng = np.random.default_rng(seed)
    scale = int(rng.integers(-2, 10))
    v = np.exp(rng.uniform(-700, 700, 2_000))
    position = np.log2(v) * 2.0**scale
    clear = np.abs(position - np.round(position)) > 1e-6
    idx = H.log_bucket_index(v, scale)
    assert np.array_equal(idx[clear], np.floor(position[clear]).astype(np.int64))


@pytest.mark.parametrize("seed", SEEDS)
def test_halving_the_scale_halves_the_index(seed):
    """OpenTelemetry's downscaling rule: two neighbouring buckets make one at scale - 1."""
    rng = np.random.default_rng(seed)
    scale = int(rng.integers(-9, 20))
    v = np.concatenate([np.exp(rng.uniform(-50, 50, 500)), 2.0 ** rng.integers(-60, 60, 50)])
    assert np.array_equal(H.log_bucket_index(v, scale - 1), H.log_bucket_index(v, scale) // 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_index_agrees_with_log_edges_and_histogram(seed):
    rng = np.random.default_rng(seed)
    scale = int(rng.integers(0, 6))
    x = np.concatenate([latencies(rng, 1_000), 2.0 ** rng.integers(0, 10, 20)])
    edges = H.log_edges(x.min(), x.max(), scale)
    idx = H.log_bucket_index(x, scale)
    first = H.log_bucket_index(x.min(), scale)
    counts = np.bincount(idx - first, minlength=edges.size - 1)
    assert counts.tolist() == H.histogram(x, edges).counts.tolist()
    ratios = edges[1:] / edges[:-1]
    assert np.allclose(ratios, H.base(scale), rtol=1e-12)


def test_index_handles_extreme_values_and_returns_int_or_array():
    assert isinstance(H.log_bucket_index(3.0, 2), int)
    out = H.log_bucket_index([5e-324, 1e-300, 1.7e308], 0)
    assert isinstance(out, np.ndarray) and out.dtype == np.int64
    assert out.tolist() == [-1075, math.floor(math.log2(1e-300)), 1023]


@pytest.mark.parametrize("value", [0, 0.0, -1.0, -1e-300, float("nan"), float("inf")])
def test_index_refuses_zero_negative_and_non_finite(value):
    with pytest.raises(ValueError, match="value must be"):
        H.log_bucket_index(value, 3)
    with pytest.raises(ValueError, match="value must be"):
        H.log_bucket_index([1.0, value], 3)


@pytest.mark.parametrize("scale", [21, -11, 1.5, "3", True])
def test_index_refuses_bad_scale(scale):
    with pytest.raises(ValueError, match="scale"):
        H.log_bucket_index(1.0, scale)


def test_base_follows_the_opentelemetry_rule():
    for s in range(-3, 8):
        assert math.isclose(H.base(s), 2 ** (2**-s))


def test_log_buckets_cover_microseconds_to_minutes_cheaply():
    low, high = 0.001, 60_000.0  # 1 µs to 1 min, in ms
    for s in range(0, 7):
        n = H.log_bucket_count(low, high, s)
        assert abs(n - math.log2(high / low) * 2**s) <= 2
    relative_width = H.base(3) - 1
    linear = H.linear_bucket_count(low, high, low * relative_width)  # same precision at 1 µs
    assert H.log_bucket_count(low, high, 3) < 300 < 1_000_000 < linear


def test_log_edges_cover_the_range():
    e = H.log_edges(3.0, 700.0, 1)
    assert e[0] < 3.0 <= e[1] and e[-2] < 700.0 <= e[-1]
    with pytest.raises(ValueError, match="low"):
        H.log_edges(0, 10, 1)


def test_linear_edges_and_count():
    assert H.linear_edges(0, 10, 2.5).tolist() == [0, 2.5, 5, 7.5, 10]
    assert H.linear_bucket_count(0, 10, 3) == 4
    with pytest.raises(ValueError, match="width_ms"):
        H.linear_edges(0, 10, 0)
    with pytest.raises(ValueError, match="width_ms"):
        H.linear_edges(0, 1e12, 1e-3)


# --------------------------------------------------------------------------- over time
def _log(rng, n=5_000):
    t0 = pd.Timestamp("2026-01-05")
    times = t0 + pd.to_timedelta(np.sort(rng.uniform(0, 6 * 3600, n)), unit="s")
    times = times[(times < t0 + pd.Timedelta("1h")) | (times >= t0 + pd.Timedelta("2h"))]  # an empty hour
    return times, latencies(rng, times.size)


def test_heatmap_rows_are_histograms_of_each_slot():
    rng = np.random.default_rng(3)
    times, x = _log(rng)
    edges = H.log_edges(x.min(), x.max(), 1)
    table = H.heatmap(times, x, edges, every="30min")
    assert isinstance(table.columns, pd.IntervalIndex) and table.columns.closed == "right"
    assert table.to_numpy().sum(axis=0).tolist() == H.histogram(x, edges).counts.tolist()
    slot = times.floor("30min")
    for start in table.index:
        assert table.loc[start].tolist() == (
            H.histogram(x[slot == start], edges).counts.tolist() if (slot == start).any() else [0] * (edges.size - 1)
        )
    assert (table.loc["2026-01-05 01:00":"2026-01-05 01:30"].to_numpy() == 0).all()


def test_percentile_over_time_matches_each_slot():
    rng = np.random.default_rng(4)
    times, x = _log(rng)
    line = H.percentile_over_time(times, x, 99, every="1h")
    slot = times.floor("1h")
    for start, value in line.items():
        if (slot == start).any():
            assert math.isclose(value, H.percentile(x[slot == start], 99))
        else:
            assert math.isnan(value)


def test_over_time_bad_arguments():
    times = pd.date_range("2026-01-05", periods=3, freq="min")
    with pytest.raises(ValueError, match="timestamps"):
        H.heatmap(times[:2], [1.0, 2.0, 3.0], [0, 5])
    with pytest.raises(ValueError, match="every"):
        H.heatmap(times, [1.0, 2.0, 3.0], [0, 5], every="-5min")
    with pytest.raises(ValueError, match="every"):
        H.percentile_over_time(times, [1.0, 2.0, 3.0], 99, every="soon")


# --------------------------------------------------------------------------- fan-out
def test_fanout_matches_a_simulation():
    rng = np.random.default_rng(5)
    for n in [1, 5, 30]:
        calls = rng.random((100_000, n))  # each call is slow (above p99) with chance 1 %
        simulated = np.mean((calls < 0.01).any(axis=1))
        assert abs(simulated - H.fanout_probability(n)) < 0.01


def test_fanout_grows_with_calls_and_checks_arguments():
    values = [H.fanout_probability(n) for n in range(1, 200)]
    assert values[0] == pytest.approx(0.01)
    assert all(b > a for a, b in zip(values, values[1:]))
    assert H.fanout_probability(100) > 0.6
    with pytest.raises(ValueError, match="n_calls"):
        H.fanout_probability(0)
    with pytest.raises(ValueError, match="n_calls"):
        H.fanout_probability(2.5)


# --------------------------------------------------------------------------- Prometheus
def _servers(rng):
    edges = [0, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, np.inf]
    return {f"web-{i}": H.histogram(latencies(rng, int(rng.integers(100, 2_000))), edges) for i in range(1, 5)}


def test_prometheus_text_has_cumulative_le_buckets_in_seconds():
    from prometheus_client.parser import text_string_to_metric_families

    servers = _servers(np.random.default_rng(6))
    text = H.to_prometheus(servers)
    assert "# TYPE pageturn_request_duration_seconds histogram" in text
    (family,) = text_string_to_metric_families(text)
    for name, h in servers.items():
        buckets = [s for s in family.samples if s.name.endswith("_bucket") and s.labels["server"] == name]
        les = [float(s.labels["le"]) for s in buckets]
        values = [s.value for s in buckets]
        assert les == [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, math.inf]
        assert values == np.cumsum(h.counts).tolist()


def test_prometheus_round_trip_merges_servers():
    servers = _servers(np.random.default_rng(7))
    text = H.to_prometheus(servers)
    fleet = H.from_prometheus(text)
    merged = H.merge(servers.values())
    assert fleet.counts.tolist() == merged.counts.tolist()
    assert np.allclose(fleet.edges, merged.edges)
    assert math.isclose(fleet.total_ms, merged.total_ms)
    one = H.from_prometheus(text, server="web-2")
    assert one.counts.tolist() == servers["web-2"].counts.tolist()
    with pytest.raises(ValueError, match="found none"):
        H.from_prometheus(text, server="web-9")


def test_the_running_app_s_latency_metric_reads_back_by_default():
    """One name for the latency metric: what the app writes at /metrics is what the course's
    histograms are exposed as and read back from, with no name given."""
    from pageturn.live.appmetrics import AppMetrics

    app = AppMetrics()
    for seconds in (0.003, 0.004, 0.2):
        app.observe("search", 200, "2.1", seconds)
    app.observe("my_books", 500, "2.2", 0.009)
    fleet = H.from_prometheus(app.text())
    assert fleet.count == 4 and math.isclose(fleet.total_ms, 216.0)
    assert H.from_prometheus(app.text(), route="search").count == 3
    mine = H.from_prometheus(H.to_prometheus(fleet))
    assert mine.counts.tolist() == fleet.counts.tolist()


def test_summary_text_holds_per_server_quantiles():
    from prometheus_client.parser import text_string_to_metric_families

    rng = np.random.default_rng(8)
    groups = {"web-1": latencies(rng, 300), "web-2": latencies(rng, 50)}
    text = H.summary_to_prometheus(groups)
    (family,) = text_string_to_metric_families(text)
    assert family.type == "summary"
    p99 = {s.labels["server"]: s.value for s in family.samples if s.labels.get("quantile") == "0.99"}
    for name, x in groups.items():
        assert math.isclose(p99[name], H.percentile(x, 99) / 1000)
    with pytest.raises(ValueError, match="groups"):
        H.summary_to_prometheus({})


# --------------------------------------------------------------------------- plots (pageturn.lessons.histplot)
@pytest.fixture
def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_histogram_plot_has_title_units_palette_and_marks(plt):
    from matplotlib.colors import to_hex

    from pageturn.lessons import histplot
    from pageturn.style import PALETTE

    rng = np.random.default_rng(10)
    edges = H.log_edges(1, 5000, 2)
    hists = {
        "a": H.histogram(latencies(rng, 500).clip(1.5, 4000), edges),
        "b": H.histogram(latencies(rng, 50).clip(1.5, 4000), edges),
    }
    ax = histplot.plot_histograms(hists, title="T", marks={"p99": 700.0})
    assert ax.get_title() == "T"
    assert "ms" in ax.get_xlabel() and "%" in ax.get_ylabel()
    colours = {to_hex(p.get_edgecolor()).upper() for p in ax.patches} | {
        to_hex(line.get_color()).upper() for line in ax.lines
    }
    assert colours <= {c.upper() for c in PALETTE}
    assert len(ax.patches) == 2  # one step line per histogram
    assert any("p99 = 700 ms" in t.get_text() for t in ax.texts)
    with pytest.raises(ValueError, match="hists"):
        histplot.plot_histograms({}, title="T")


def test_heatmap_plot_has_title_and_units(plt):
    from pageturn.lessons import histplot

    rng = np.random.default_rng(11)
    times, x = _log(rng, 2_000)
    edges = H.log_edges(x.min(), x.max(), 1)
    table = H.heatmap(times, x, edges, every="30min")
    ax = histplot.plot_heatmap(table, title="H", line=H.percentile_over_time(times, x, 99, every="30min"))
    assert ax.get_title() == "H" and "ms" in ax.get_ylabel() and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="table"):
        histplot.plot_heatmap(pd.DataFrame({"a": [1]}), title="H")
    with pytest.raises(ValueError, match="edges"):
        histplot.plot_heatmap(H.heatmap(times, x, [0, 10, np.inf], every="1h"), title="H")


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_edges_always_reach_high(seed):
    rng = np.random.default_rng(seed)
    low = float(rng.uniform(-100, 100))
    high = low + float(rng.uniform(0.1, 1_000))
    width = float(rng.uniform(0.01, 50))
    e = H.linear_edges(low, high, width)
    assert e[0] == low and e[-1] >= high and e[-2] < high
    assert np.allclose(np.diff(e), width)


# --------------------------------------------------------------------------- the numbers Lesson 2 quotes
@pytest.fixture(scope="module")
def week():
    from pageturn.course import data

    return data.load("requests")


def test_lesson2_quotes_match_the_data(week):
    """Lesson 2, its quiz and Lab 2's model answer quote these numbers; regenerating data/ must keep them true."""
    x = week["latency_ms"]
    assert 200_000 <= len(week) <= 215_000  # "about 207,000 requests"
    assert round(H.percentile(x, 99)) == 776 and round(H.percentile(x, 50)) == 53
    by_server = x.groupby(week["server"]).quantile(0.99)
    assert [round(v) for v in by_server] == [643, 668, 1111, 706]  # quiz "average-p99s"
    assert round(by_server.mean()) == 782
    by_route = x.groupby(week["route"]).quantile(0.99).mean() / H.percentile(x, 99) - 1
    by_minute = x.groupby(week["timestamp"].dt.floor("1min")).quantile(0.99).mean() / H.percentile(x, 99) - 1
    assert round(100 * by_route) == -12 and round(100 * by_minute) == -50
    hourly = x.groupby(week["timestamp"].dt.floor("1h")).quantile(0.99)
    assert 300 <= hourly.min() and hourly.max() <= 1300  # "300 to 1,300 ms"
    assert 0.4 <= x.min() and 4_000 <= x.max() <= 5_000  # "0.5 ms to about 4.6 s"
    assert H.log_edges(0.4, 5000, 3).size - 1 == 110 and H.log_bucket_count(0.001, 60_000, 3) == 207


def test_lesson2_canary_and_outage_stories_match_the_data(week):
    t = week["timestamp"]
    window = week[(t >= "2026-04-01 13:00") & (t < "2026-04-02 11:00")]
    before = week[(t >= "2026-03-31 13:00") & (t < "2026-04-01 10:00")]
    on = window["version"] == "2.0.0-canary"
    assert set(
        week.loc[week["version"] == "2.0.0-canary", "timestamp"].dt.strftime("%Y-%m-%d %H").agg(["min", "max"])
    ) == {"2026-04-01 13", "2026-04-02 10"}
    assert 0.045 < on.mean() < 0.055  # "5 % of readers"
    slowdown = window.loc[on, "latency_ms"].median() - window.loc[~on, "latency_ms"].median()
    assert 110 < slowdown < 140  # "about 120 ms", model answer "about 130"
    assert 1 < H.percentile(window["latency_ms"], 50) - H.percentile(before["latency_ms"], 50) < 4
    assert 20 < H.percentile(window["latency_ms"], 99) - H.percentile(before["latency_ms"], 99) < 50
    days = week[(t >= "2026-03-31 06:00") & (t < "2026-04-02 18:00")]
    p50 = H.percentile_over_time(days["timestamp"], days["latency_ms"], 50, every="20min")
    p99 = H.percentile_over_time(days["timestamp"], days["latency_ms"], 99, every="20min")
    outage = pd.concat([p50["2026-03-31 10:20":"2026-03-31 10:20"], p50["2026-04-01 10:20":"2026-04-01 12:00"]])
    assert 33 <= outage.min() and outage.max() < 45  # "between 33 and 44 ms"
    daytime = p99.between_time("08:00", "18:00")
    assert 290 < daytime.min() and daytime.max() < 1250  # "about 300 to 1,250 ms"
    broken = week[(t >= "2026-04-01 10:20") & (t < "2026-04-01 12:25")]
    assert 0.35 < (broken["status"] == 503).mean() < 0.45  # "about 40 %"
    assert (broken.loc[broken["status"] == 503, "latency_ms"].between(0.5, 3.0)).all()


def test_lesson2_per_version_percentiles_and_what_the_histogram_adds(week):
    """Lesson 2 §3: split by version, the canary's p50 is about 180 ms against about 52 ms; 90 % of its
    requests took 100-300 ms against about 16 % of the old version's."""
    t = week["timestamp"]
    window = week[(t >= "2026-04-01 13:00") & (t < "2026-04-02 11:00")]
    table = H.percentiles_by(window["latency_ms"], window["version"], ps=(50, 90, 99))
    assert 170 < table.loc["2.0.0-canary", "p50 (ms)"] < 190
    others = table.drop(index="2.0.0-canary")
    assert (others["p50 (ms)"].between(50, 55)).all()
    on = window["version"] == "2.0.0-canary"
    assert 0.85 < window.loc[on, "latency_ms"].between(100, 300).mean() < 0.95  # "about 90 %"
    assert 0.13 < window.loc[~on, "latency_ms"].between(100, 300).mean() < 0.19  # "about 16 %"
    assert int(table["requests"].sum()) == len(window)


def test_lesson2_failed_requests_kept_apart(week):
    """Lesson 2 §6: kept apart, the successful requests' p50 rises to about 75-85 ms during the outages
    (from about 50-58 ms), and about 40 % of requests fail."""
    t = week["timestamp"]
    days = week[(t >= "2026-03-31 06:00") & (t < "2026-04-02 18:00")]
    ok = days["status"] < 500
    p50 = H.percentile_over_time(days.loc[ok, "timestamp"], days.loc[ok, "latency_ms"], 50, every="20min")
    failing = (~ok).groupby(days["timestamp"].dt.floor("20min")).mean()
    outage = failing[failing > 0.3].index
    assert len(outage) == 7  # 10:20 on Tuesday, 10:20-12:00 on Wednesday
    assert (p50[outage].between(74, 86)).all()
    quiet = p50.between_time("08:00", "18:00").drop(index=failing[failing > 0].index, errors="ignore")
    assert quiet.quantile(0.05) > 49 and quiet.quantile(0.95) < 60
    assert (failing[outage].between(0.35, 0.45)).all()


def test_lesson2_latency_sli_quotes(week):
    coarse = [0, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, np.inf]
    per_server = [H.histogram(g, coarse) for _, g in week["latency_ms"].groupby(week["server"])]
    merged = H.merge(per_server)
    share = H.share_slower_than(merged, 500)
    assert 0.017 < share < 0.019 and share < 0.02  # "about 1.8 %", "most of a 2 % budget"
    exact = (week["latency_ms"] > 500).mean()
    assert math.isclose(share, exact, rel_tol=1e-12)  # exact, not an estimate
    assert math.isclose(sum(H.share_slower_than(h, 500) * h.count for h in per_server) / merged.count, share)


@pytest.mark.parametrize("seed", SEEDS)
def test_canary_and_outage_stories_hold_for_other_weeks(seed):
    """A learner who makes another log finds what Lesson 2 says: one p50 over everyone barely moves while the
    per-version p50 jumps; during an incident the p50 of all requests drops but that of successes rises."""
    from pageturn.model.traffic import Canary, request_log

    log = request_log(
        "2026-03-30",
        2,
        seed=seed,
        canary=Canary("2026-03-31 09:00", "2026-03-31 17:00"),
        incidents=pd.DataFrame({"start": ["2026-03-30 10:00"], "end": ["2026-03-30 12:00"]}),
    )
    t = log["timestamp"]
    window = log[(t >= "2026-03-31 09:00") & (t < "2026-03-31 17:00")]
    before = log[(t >= "2026-03-30 13:00") & (t < "2026-03-30 17:00")]
    split = H.percentiles_by(window["latency_ms"], window["version"], ps=(50,))["p50 (ms)"]
    assert split["2.0.0-canary"] - split.drop(index="2.0.0-canary").max() > 100
    assert abs(H.percentile(window["latency_ms"], 50) - H.percentile(before["latency_ms"], 50)) < 8
    broken = log[(t >= "2026-03-30 10:00") & (t < "2026-03-30 12:00")]
    ok = broken["status"] < 500
    assert H.percentile(broken["latency_ms"], 50) < H.percentile(before["latency_ms"], 50)
    assert H.percentile(broken.loc[ok, "latency_ms"], 50) > 1.3 * H.percentile(before["latency_ms"], 50)


def test_percentiles_by_and_spread_check_arguments():
    with pytest.raises(ValueError, match="groups"):
        H.percentiles_by([1.0, 2.0], ["a"])
    with pytest.raises(ValueError, match="splits"):
        H.group_percentile_spread([1.0, 2.0], {})
    h = H.histogram([1.0, 2.0, 3.0], [0, 1.5, 5])
    assert H.share_slower_than(h, 1.5) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="threshold_ms"):
        H.share_slower_than(h, 2.0)


def test_group_percentile_spread_brackets_the_true_percentile():
    rng = np.random.default_rng(1)
    x = latencies(rng, 5000)
    keys = rng.integers(0, 7, x.size)
    row = H.group_percentile_spread(x, {"k": keys}).iloc[0]
    assert row["smallest p99 (ms)"] <= row["true p99 (ms)"] <= row["largest p99 (ms)"]
    assert row["groups"] == 7


def test_lesson2_helper_plots_have_titles_units_and_palette(plt):
    from pageturn.lessons import histplot
    from pageturn.style import PALETTE

    ax = histplot.plot_group_percentiles(
        pd.Series([600.0, 700.0], index=pd.Index(["a", "b"], name="server")), 650.0, title="T"
    )
    assert ax.get_title() == "T" and "ms" in ax.get_ylabel() and ax.get_xlabel() == "server"
    ax = histplot.plot_bucket_widths({"log": H.log_edges(0.5, 5000, 3), "linear": H.linear_edges(0, 5000, 10)})
    assert "ms" in ax.get_xlabel() and "ms" in ax.get_ylabel() and len(ax.get_lines()) == 2
    ax = histplot.plot_fanout(100, (10, 50, 100))
    assert "%" in ax.get_ylabel() and any("39 %" in t.get_text() for t in ax.texts)
    times = pd.date_range("2026-03-30", periods=200, freq="1min")
    lat = np.linspace(1, 100, 200)
    edges = H.log_edges(0.5, 200, 2)
    ok_t = H.heatmap(times[:150], lat[:150], edges, every="20min")
    bad_t = H.heatmap(times[150:], lat[150:], edges, every="20min")
    fig = histplot.plot_outcome_heatmaps(ok_t, bad_t, title="X", error_share=pd.Series(0.1, index=ok_t.index))
    titles = [a.get_title() for a in fig.axes]
    assert "X: successful requests" in titles and "X: failed requests (5xx)" in titles
    assert any(PALETTE[5].lower() == line.get_color().lower() for a in fig.axes for line in a.get_lines())
