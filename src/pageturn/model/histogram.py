"""Latency percentiles and histograms: what Sam should put on Pageturn's dashboard.

A *percentile* is one number cut out of a distribution ("99 % of requests
took less than 180 ms"). A *histogram* keeps the distribution itself, as
counts of requests per latency bucket. Histograms from several servers (or
several minutes) merge by adding their counts, and any percentile can be
estimated from the merged counts with an error no larger than one bucket.
Percentiles do not merge: the mean of per-server p99s is not the fleet p99.

Conventions used throughout this module:

* Latencies are in **milliseconds** (ms), as in ``data/requests.csv.gz``.
* Percentiles ``p`` are in percent, from 0 to 100 (p99 is ``p=99``).
* A bucket is the half-open interval ``(lower, upper]``: a value exactly on an
  edge belongs to the bucket *below* it. This is Prometheus' ``le`` ("less
  than or equal") rule and OpenTelemetry's rule for exponential buckets.
* Log-spaced buckets follow OpenTelemetry's exponential histogram: at
  ``scale`` s the base is ``2 ** (2 ** -s)`` and bucket ``i`` holds the values
  in ``(base**i, base**(i + 1)]``.

Every function checks its arguments and raises ``ValueError`` naming the
argument, the value and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pageturn.checks import choice, number
from pageturn.model.exposition import LATENCY

__all__ = [
    "Histogram",
    "percentile",
    "histogram",
    "merge",
    "estimate_percentile",
    "linear_edges",
    "log_edges",
    "base",
    "log_bucket_index",
    "log_bucket_count",
    "linear_bucket_count",
    "heatmap",
    "percentile_over_time",
    "fanout_probability",
    "percentiles_by",
    "group_percentile_spread",
    "share_slower_than",
    "to_prometheus",
    "summary_to_prometheus",
    "from_prometheus",
]

MIN_SCALE, MAX_SCALE = -10, 20
"""The scales OpenTelemetry allows for exponential histograms."""

METHODS = ("linear", "nearest-rank")
"""Percentile definitions :func:`percentile` knows."""


# --------------------------------------------------------------------------- percentiles
def _values(name: str, values, *, positive: bool = False) -> np.ndarray:
    """Return ``values`` as a non-empty 1-D float array of finite numbers (``> 0`` if ``positive``)."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r:.80}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one value, got an empty sequence")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(
            f"{name} must be finite numbers, got {float(arr[bad][0])!r} at position {int(np.flatnonzero(bad)[0])}"
        )
    if positive and (arr <= 0).any():
        first = int(np.flatnonzero(arr <= 0)[0])
        raise ValueError(
            f"{name} must be > 0 (a log-spaced bucket has no room for zero or "
            f"negative values), got {arr[first]!r} at position {first}"
        )
    return arr


def percentile(values, p: float, method: str = "linear") -> float:
    """Return the ``p``-th percentile of ``values`` (same unit as ``values``).

    ``p`` is in percent: ``percentile(latency_ms, 99)`` is the latency that
    99 % of the requests did not exceed.

    ``method="nearest-rank"`` returns an observed value: the smallest value
    with at least ``p`` % of the values at or below it (the ``ceil(p/100 * n)``-th
    smallest). ``method="linear"`` (the default of numpy and pandas)
    interpolates between the two closest ranks, so it can return a value that
    was never observed. On large samples the two agree closely; on a handful of
    values they can differ a lot.

    >>> percentile([1, 2, 3, 4, 5], 50)
    3.0
    >>> round(percentile([1, 2, 3, 4, 100], 90), 1)
    61.6

    Raises:
        ValueError: if ``values`` is empty or holds a non-finite value, if ``p``
            is not in [0, 100], or if ``method`` is not one of :data:`METHODS`.
    """
    p = number("p", p, low=0, high=100)
    choice("method", method, METHODS)
    arr = _values("values", values)
    numpy_method = "linear" if method == "linear" else "inverted_cdf"
    return float(np.percentile(arr, p, method=numpy_method))


def percentiles_by(values, groups, ps=(50, 90, 99)) -> pd.DataFrame:
    """Percentiles (linear definition, ms) of ``values`` within each group, and each group's size.

    ``groups`` holds one label per value (a version, a server, ...). Returns a
    DataFrame indexed by group with a ``requests`` column and one column per
    percentile, named like ``p99 (ms)``. This is the per-version (or per-server)
    percentile table a dashboard can show next to the histograms.

    Raises:
        ValueError: if ``values`` is empty or not finite, ``groups`` has another
            length, or a percentile is not in [0, 100].
    """
    arr = _values("values", values)
    labels = np.asarray(groups, dtype=object)
    if labels.shape != arr.shape:
        raise ValueError(f"groups must hold one label per value ({arr.size}), got {labels.size}")
    ps = [number("ps", p, low=0, high=100) for p in ps]
    frame = pd.DataFrame({"v": arr, "g": labels})
    out = {"requests": frame.groupby("g")["v"].size()}
    for p in ps:
        out[f"p{p:g} (ms)"] = frame.groupby("g")["v"].quantile(p / 100.0)
    table = pd.DataFrame(out)
    table.index.name = None
    return table


def group_percentile_spread(values, splits: Mapping[str, object], p: float = 99) -> pd.DataFrame:
    """For each way of splitting ``values`` into groups, how far the mean of the
    groups' ``p``-th percentiles is from the true percentile of all the values.

    ``splits`` maps a name (e.g. ``"server"``) to one group label per value.
    Returns one row per split: ``groups``, the smallest, mean and largest group
    percentile, the true percentile (ms) and ``mean is off by (%)``.

    Raises:
        ValueError: as :func:`percentiles_by`, or if ``splits`` is empty.
    """
    if not isinstance(splits, Mapping) or not splits:
        raise ValueError(f"splits must be a non-empty mapping of name -> group labels, got {splits!r:.80}")
    arr = _values("values", values)
    true = percentile(arr, p)
    col = f"p{number('p', p, low=0, high=100):g} (ms)"
    rows = []
    for name, keys in splits.items():
        per_group = percentiles_by(arr, keys, (p,))[col]
        rows.append(
            {
                "split by": name,
                "groups": int(per_group.size),
                f"smallest p{p:g} (ms)": per_group.min(),
                f"mean of p{p:g}s (ms)": per_group.mean(),
                f"largest p{p:g} (ms)": per_group.max(),
                f"true p{p:g} (ms)": true,
                "mean is off by (%)": 100 * (per_group.mean() / true - 1),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- histograms
@dataclass(frozen=True, eq=False)
class Histogram:
    """Counts of values per bucket.

    Attributes:
        edges: bucket edges in ms, strictly increasing, ``len(counts) + 1`` of them;
            bucket ``i`` holds the values in ``(edges[i], edges[i + 1]]``. The first
            edge may be ``0`` and the last may be ``inf``.
        counts: how many values fell in each bucket (whole numbers ``>= 0``).
        total_ms: the sum of the values in ms (``nan`` when unknown); with
            ``count`` it gives the mean, and Prometheus exposes it as ``_sum``.

    Both arrays are stored read-only. Build one with :func:`histogram`, or directly
    from edges and counts.

    Raises:
        ValueError: if the edges are not strictly increasing, if there are not
            ``len(counts) + 1`` of them, or if a count is negative or fractional.
    """

    edges: np.ndarray
    counts: np.ndarray
    total_ms: float = math.nan

    def __post_init__(self):
        edges = np.array(self.edges, dtype=float)
        if edges.ndim != 1 or edges.size < 2:
            raise ValueError(f"edges must be a 1-D sequence of at least 2 numbers, got {self.edges!r:.80}")
        if np.isnan(edges).any() or not (np.diff(edges) > 0).all():
            raise ValueError(f"edges must be strictly increasing numbers, got {self.edges!r:.80}")
        counts = np.array(self.counts, dtype=float)
        if counts.shape != (edges.size - 1,):
            raise ValueError(
                f"counts must hold one number per bucket ({edges.size - 1} for {edges.size} edges), got {counts.size}"
            )
        if not np.isfinite(counts).all() or (counts < 0).any() or (counts != np.round(counts)).any():
            raise ValueError(f"counts must be whole numbers >= 0, got {self.counts!r:.80}")
        counts = counts.astype(np.int64)
        edges.setflags(write=False)
        counts.setflags(write=False)
        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "total_ms", float(self.total_ms))

    @property
    def count(self) -> int:
        """The number of values counted (all buckets)."""
        return int(self.counts.sum())

    def __repr__(self) -> str:
        return (
            f"Histogram({self.counts.size} buckets from {self.edges[0]:g} ms to "
            f"{self.edges[-1]:g} ms, {self.count} values)"
        )


def _edges(name: str, edges) -> np.ndarray:
    arr = np.asarray(edges, dtype=float)
    if arr.ndim != 1 or arr.size < 2 or np.isnan(arr).any() or not (np.diff(arr) > 0).all():
        raise ValueError(f"{name} must be at least 2 strictly increasing numbers, got {edges!r:.80}")
    return arr


def _bucket_of(values: np.ndarray, edges: np.ndarray, name: str = "values") -> np.ndarray:
    """Bucket number of each value, with ``(lower, upper]`` buckets; ValueError if one falls outside."""
    j = np.searchsorted(edges, values, side="left")  # edges[j-1] < v <= edges[j]
    outside = (j == 0) | (j == edges.size)
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{name} must lie in ({edges[0]:g}, {edges[-1]:g}] to fit the buckets, "
            f"got {values[first]!r} at position {first}; widen the edges "
            f"(an edge of 0 or inf is allowed)"
        )
    return j - 1


def histogram(values, edges) -> Histogram:
    """Count ``values`` (ms) into the buckets ``(edges[i], edges[i + 1]]``.

    A value exactly on an edge counts in the bucket below that edge, as with
    Prometheus' ``le`` buckets. (``numpy.histogram`` does the opposite, so do not
    swap one for the other.)

    >>> histogram([1, 2, 2, 7], [0, 2, 5, 10])
    Histogram(3 buckets from 0 ms to 10 ms, 4 values)

    Raises:
        ValueError: if ``values`` is empty or not finite, if ``edges`` are not
            strictly increasing, or if a value lies outside ``(edges[0], edges[-1]]``
            (nothing is dropped silently).
    """
    edges = _edges("edges", edges)
    arr = _values("values", values)
    counts = np.bincount(_bucket_of(arr, edges), minlength=edges.size - 1)
    return Histogram(edges, counts, float(arr.sum()))


def merge(histograms: Iterable[Histogram]) -> Histogram:
    """Merge histograms that share the same edges by adding their counts (and totals).

    This is how per-server or per-minute histograms become a fleet or an
    hourly histogram, with no loss at all.

    >>> one = histogram([1, 2, 2, 7], [0, 2, 5, 10])
    >>> merge([one, one])
    Histogram(3 buckets from 0 ms to 10 ms, 8 values)

    Raises:
        ValueError: if ``histograms`` is empty, holds something that is not a
            :class:`Histogram`, or holds histograms with different edges.
    """
    hists = list(histograms) if not isinstance(histograms, Histogram) else [histograms]
    if not hists:
        raise ValueError("histograms must hold at least one Histogram, got none")
    for i, h in enumerate(hists):
        if not isinstance(h, Histogram):
            raise ValueError(f"histograms[{i}] must be a Histogram, got {type(h).__name__}")
        if not np.array_equal(h.edges, hists[0].edges):
            raise ValueError(
                f"histograms[{i}] has different edges from histograms[0]; "
                f"only histograms with the same edges can be merged by adding counts"
            )
    counts = np.sum([h.counts for h in hists], axis=0)
    return Histogram(hists[0].edges, counts, float(sum(h.total_ms for h in hists)))


def estimate_percentile(hist: Histogram, p: float) -> float:
    """Estimate the ``p``-th percentile (ms) from a histogram's counts alone.

    Finds the bucket that holds the value of rank ``p/100 * count`` and
    interpolates linearly inside it (as Prometheus' ``histogram_quantile``
    does). The true nearest-rank percentile of the counted values lies in the
    same bucket, so the error is at most that bucket's width. If the bucket's
    upper edge is ``inf``, its lower edge is returned (all one can say is "more
    than this").

    >>> round(estimate_percentile(histogram([1, 2, 2, 7], [0, 2, 5, 10]), 50), 3)
    1.333

    Raises:
        ValueError: if ``hist`` is not a Histogram or holds no values, or if ``p``
            is not in [0, 100].
    """
    if not isinstance(hist, Histogram):
        raise ValueError(f"hist must be a Histogram, got {type(hist).__name__}")
    p = number("p", p, low=0, high=100)
    n = hist.count
    if n == 0:
        raise ValueError("hist must hold at least one value to estimate a percentile, got an empty histogram")
    cumulative = np.cumsum(hist.counts)
    rank = p / 100.0 * n
    # the bucket b with cumulative[b-1] < rank <= cumulative[b]; for p = 0 the first non-empty one
    b = int(np.searchsorted(cumulative, rank, side="left" if rank > 0 else "right"))
    lower, upper = hist.edges[b], hist.edges[b + 1]
    if math.isinf(upper):
        return float(lower)
    if math.isinf(lower):
        return float(upper)
    before = cumulative[b - 1] if b > 0 else 0
    fraction = (rank - before) / hist.counts[b]
    return float(lower + (upper - lower) * fraction)


def share_slower_than(hist: Histogram, threshold_ms: float) -> float:
    """Fraction (0..1) of a histogram's values above ``threshold_ms``, which must be a bucket edge.

    This is a **latency SLI** ("the share of requests slower than 300 ms"). Read
    off the counts it is exact, not an estimate, and because counts add up it
    merges across servers and hours without any error.

    >>> share_slower_than(histogram([1, 2, 2, 7], [0, 2, 5, 10]), 5)
    0.25

    Raises:
        ValueError: if ``hist`` is not a non-empty Histogram or ``threshold_ms`` is not one of its edges.
    """
    if not isinstance(hist, Histogram) or hist.count == 0:
        raise ValueError(f"hist must be a non-empty Histogram, got {hist!r:.80}")
    threshold_ms = number("threshold_ms", threshold_ms)
    hits = np.flatnonzero(np.isclose(hist.edges, threshold_ms, rtol=1e-9, atol=0))
    if hits.size == 0:
        raise ValueError(
            f"threshold_ms must be one of the bucket edges (a histogram cannot say more than "
            f"its buckets), got {threshold_ms!r}"
        )
    return float(hist.counts[hits[0] :].sum() / hist.count)


# --------------------------------------------------------------------------- bucket layouts
def linear_edges(low_ms: float, high_ms: float, width_ms: float) -> np.ndarray:
    """Equal-width bucket edges from ``low_ms`` up to at least ``high_ms``, every ``width_ms`` (ms).

    >>> linear_edges(0, 10, 2.5).tolist()
    [0.0, 2.5, 5.0, 7.5, 10.0]

    Raises:
        ValueError: if a bound is not finite, if ``high_ms <= low_ms``, if
            ``width_ms <= 0``, or if that would take more than 10 million buckets.
    """
    low_ms = number("low_ms", low_ms)
    high_ms = number("high_ms", high_ms, low=low_ms, low_open=True)
    width_ms = number("width_ms", width_ms, low=0, low_open=True)
    n = linear_bucket_count(low_ms, high_ms, width_ms)
    if n > 10_000_000:
        raise ValueError(f"width_ms must give at most 10,000,000 buckets, got {width_ms!r} which needs {n:,} buckets")
    edges = low_ms + width_ms * np.arange(n + 1, dtype=float)
    if edges[-1] < high_ms:  # rounding left the top just short of high_ms
        edges = np.append(edges, edges[-1] + width_ms)
    return edges


def linear_bucket_count(low_ms: float, high_ms: float, width_ms: float) -> int:
    """How many buckets of width ``width_ms`` cover ``low_ms`` to ``high_ms`` (ms).

    >>> linear_bucket_count(0, 100, 1)
    100

    Raises:
        ValueError: if a bound is not finite, if ``high_ms <= low_ms`` or ``width_ms <= 0``.
    """
    low_ms = number("low_ms", low_ms)
    high_ms = number("high_ms", high_ms, low=low_ms, low_open=True)
    width_ms = number("width_ms", width_ms, low=0, low_open=True)
    buckets = (high_ms - low_ms) / width_ms
    return max(1, math.ceil(buckets * (1 - 1e-12)))  # 3.0000000000000004 buckets are 3


def _scale(scale) -> int:
    return number("scale", scale, low=MIN_SCALE, high=MAX_SCALE, integer=True)


def base(scale: int) -> float:
    """The growth factor between neighbouring log-spaced buckets: ``2 ** (2 ** -scale)``.

    Scale 0 doubles from one edge to the next; each extra step of scale halves
    the relative width (``base - 1``): scale 3 gives about 9 %, scale 5 about 2 %.

    >>> base(0), round(base(1), 4)
    (2.0, 1.4142)

    Raises:
        ValueError: if ``scale`` is not a whole number in [-10, 20].
    """
    return float(2.0 ** (2.0 ** -_scale(scale)))


def _boundary(index, scale: int):
    with np.errstate(over="ignore", under="ignore"):
        return np.exp2(np.asarray(index, dtype=float) / 2.0**scale)


def log_bucket_index(value, scale: int):
    """The OpenTelemetry exponential-histogram bucket index of ``value`` (any unit > 0).

    Bucket ``i`` holds the values in ``(base**i, base**(i + 1)]`` with
    ``base = 2 ** (2 ** -scale)``. For most values this is
    ``floor(log(value) / log(base))``; a value exactly on an edge ``base**i``
    belongs to bucket ``i - 1``, so the exact rule is
    ``ceil(log2(value) * 2**scale) - 1``, corrected for floating-point rounding
    so that it always agrees with :func:`log_edges` and :func:`histogram`.

    ``value`` may be one number (an ``int`` is returned) or an array (an array of
    ``int64`` is returned). It works from the smallest positive float (about
    5e-324) to the largest (about 1.8e308); below about 2.2e-308 (subnormal
    floats) the edges cannot be represented, so the formula alone decides.

    >>> log_bucket_index(1.0, 0), log_bucket_index(3.0, 0), log_bucket_index(4.0, 0)
    (-1, 1, 1)

    Raises:
        ValueError: if a value is zero, negative, NaN or infinite (a log-spaced
            bucket has no room for them), or if ``scale`` is not a whole number
            in [-10, 20].
    """
    scale = _scale(scale)
    scalar = np.ndim(value) == 0
    v = _values("value", value, positive=True)
    with np.errstate(over="ignore"):
        idx = np.ceil(np.log2(v) * 2.0**scale).astype(np.int64) - 1
    normal = v >= np.finfo(float).tiny  # below ~2.2e-308 the edges themselves are not representable
    idx = np.where(normal & (v <= _boundary(idx, scale)), idx - 1, idx)
    idx = np.where(normal & (v > _boundary(idx + 1, scale)), idx + 1, idx)
    return int(idx[0]) if scalar else idx


def log_edges(low: float, high: float, scale: int) -> np.ndarray:
    """Log-spaced bucket edges (OpenTelemetry layout at ``scale``) covering ``low`` to ``high``.

    Returns ``base**i`` for every bucket from the one holding ``low`` to the one
    holding ``high``, so any value in ``[low, high]`` fits ``(edges[0], edges[-1]]``.
    Same unit as ``low`` and ``high`` (ms in this course).

    >>> log_edges(1, 8, 0).tolist()
    [0.5, 1.0, 2.0, 4.0, 8.0]

    Raises:
        ValueError: if ``low <= 0``, ``high < low``, or ``scale`` is not a whole
            number in [-10, 20], or if that would take more than 10 million buckets.
    """
    scale = _scale(scale)
    low = number("low", low, low=0, low_open=True)
    high = number("high", high, low=low)
    n = log_bucket_count(low, high, scale)
    if n > 10_000_000:
        raise ValueError(f"scale must give at most 10,000,000 buckets, got {scale} which needs {n:,}")
    first = log_bucket_index(low, scale)
    return _boundary(np.arange(first, first + n + 1), scale)


def log_bucket_count(low: float, high: float, scale: int) -> int:
    """How many log-spaced buckets at ``scale`` cover ``low`` to ``high`` (same unit, > 0).

    The count grows with the *ratio* ``high / low`` (about ``log2(high/low) * 2**scale``),
    not with the distance between them: 1 µs to 1 min is a ratio of 60 million, which
    scale 3 covers with about 207 buckets.

    >>> log_bucket_count(1, 1000, 3)
    81

    Raises:
        ValueError: if ``low <= 0``, ``high < low`` or ``scale`` is not a whole number in [-10, 20].
    """
    low = number("low", low, low=0, low_open=True)
    high = number("high", high, low=low)
    return log_bucket_index(high, scale) - log_bucket_index(low, scale) + 1


# --------------------------------------------------------------------------- over time
def _times(timestamps, n: int) -> pd.DatetimeIndex:
    try:
        times = pd.DatetimeIndex(pd.to_datetime(np.asarray(timestamps)))
    except (TypeError, ValueError):
        raise ValueError(f"timestamps must be date-times, got {timestamps!r:.80}") from None
    if times.size != n:
        raise ValueError(f"timestamps must hold one date-time per value ({n}), got {times.size}")
    if times.isna().any():
        raise ValueError("timestamps must not hold missing date-times (NaT)")
    return times


def _every(every) -> pd.Timedelta:
    try:
        step = pd.Timedelta(every)
    except (TypeError, ValueError):
        raise ValueError(f"every must be a duration such as '10min' or '1h', got {every!r}") from None
    if step <= pd.Timedelta(0):
        raise ValueError(f"every must be a positive duration such as '10min', got {every!r}")
    return step


def heatmap(timestamps, values, edges, every="10min") -> pd.DataFrame:
    """Count ``values`` (ms) per time slot and per latency bucket: a latency heat map.

    Returns a DataFrame with one row per time slot of length ``every`` (the
    index holds each slot's start, empty slots included) and one column per
    bucket (a ``pandas.IntervalIndex`` closed on the right, in ms). Each cell is
    the number of requests in that slot and bucket; each row is a histogram, so
    rows can be added together to merge slots.

    Raises:
        ValueError: if ``timestamps`` and ``values`` differ in length, if a
            timestamp is missing, if ``every`` is not a positive duration, or for
            the reasons :func:`histogram` gives.
    """
    edges = _edges("edges", edges)
    arr = _values("values", values)
    times = _times(timestamps, arr.size)
    step = _every(every)
    buckets = _bucket_of(arr, edges)
    slot = times.floor(step)
    table = pd.crosstab(slot, buckets)
    columns = pd.IntervalIndex.from_breaks(edges, closed="right", name="latency_ms")
    rows = pd.date_range(slot.min(), slot.max(), freq=step, name="time")
    table = table.reindex(index=rows, columns=range(edges.size - 1), fill_value=0)
    table.columns = columns
    return table.astype(np.int64)


def percentile_over_time(timestamps, values, p: float, every="10min") -> pd.Series:
    """The ``p``-th percentile (linear definition, ms) of ``values`` in each time slot.

    This is the single line a percentile dashboard draws. Slots without any
    request hold ``NaN``.

    Raises:
        ValueError: if ``p`` is not in [0, 100], if ``timestamps`` and ``values``
            differ in length, or if ``every`` is not a positive duration.
    """
    p = number("p", p, low=0, high=100)
    arr = _values("values", values)
    times = _times(timestamps, arr.size)
    step = _every(every)
    slot = times.floor(step)
    series = pd.Series(arr, index=slot).groupby(level=0).quantile(p / 100.0)
    rows = pd.date_range(slot.min(), slot.max(), freq=step, name="time")
    return series.reindex(rows).rename(f"p{p:g}_ms")


# --------------------------------------------------------------------------- fan-out
def fanout_probability(n_calls: int, p: float = 99.0) -> float:
    """Chance that a page needing ``n_calls`` independent backend calls waits for
    at least one call slower than the backends' ``p``-th percentile.

    Each call is faster than the p99 with probability 0.99, so all ``n`` are with
    probability ``0.99 ** n``: the answer is ``1 - (p/100) ** n_calls``.

    >>> round(fanout_probability(1), 2), round(fanout_probability(100), 2)
    (0.01, 0.63)

    Raises:
        ValueError: if ``n_calls`` is not a whole number >= 1 or ``p`` is not in [0, 100].
    """
    n_calls = number("n_calls", n_calls, low=1, integer=True)
    p = number("p", p, low=0, high=100)
    return float(1.0 - (p / 100.0) ** n_calls)


# --------------------------------------------------------------------------- Prometheus
def _labelled(histograms, name: str):
    if isinstance(histograms, Histogram):
        return {"": histograms}
    if not isinstance(histograms, Mapping) or not histograms:
        raise ValueError(
            f"{name} must be a Histogram or a non-empty mapping of label value -> "
            f"Histogram, got {type(histograms).__name__}"
        )
    for key, h in histograms.items():
        if not isinstance(h, Histogram):
            raise ValueError(f"{name}[{key!r}] must be a Histogram, got {type(h).__name__}")
    return dict(histograms)


def to_prometheus(histograms, name: str = LATENCY, label: str = "server") -> str:
    """Prometheus text exposition of one or more histograms (edges converted from ms to seconds).

    ``histograms`` is one :class:`Histogram` or a mapping from a label value
    (e.g. a server name) to a Histogram. The text is made by ``prometheus_client``
    itself: cumulative ``_bucket{le="..."}`` lines (each counts every request at
    or below that edge, ending with ``le="+Inf"``), then ``_count`` and ``_sum``.
    Histograms whose total is unknown expose ``_sum`` as 0.

    Raises:
        ValueError: if ``histograms`` is not a Histogram or a non-empty mapping of them.
    """
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import HistogramMetricFamily

    hists = _labelled(histograms, "histograms")
    labelled = list(hists) != [""]
    family = HistogramMetricFamily(name, "Pageturn request latency (seconds).", labels=[label] if labelled else None)
    for key, h in hists.items():
        upper = h.edges[1:] / 1000.0
        cumulative = np.cumsum(h.counts)
        buckets = [(_le(u), float(c)) for u, c in zip(upper, cumulative) if math.isfinite(u)]
        buckets.append(("+Inf", float(h.count)))
        total = 0.0 if math.isnan(h.total_ms) else h.total_ms / 1000.0
        family.add_metric([key] if labelled else [], buckets, total)
    registry = CollectorRegistry()
    registry.register(_Fixed([family]))
    return generate_latest(registry).decode()


def summary_to_prometheus(
    groups: Mapping[str, object],
    quantiles=(0.5, 0.9, 0.99),
    name: str = LATENCY,
    label: str = "server",
) -> str:
    """Prometheus text of a *summary*: quantiles each server computed for itself (ms -> s).

    ``groups`` maps a label value (a server name) to that server's latencies in ms.
    Each server exposes ``{quantile="0.99"}`` lines plus ``_count`` and ``_sum``.
    A summary's quantiles are finished numbers: there is no correct way to
    combine the servers' p99 lines into a fleet p99, which is why the dashboard
    should use histograms.

    Raises:
        ValueError: if ``groups`` is empty or holds an empty or non-finite
            sequence, or if a quantile is not in [0, 1].
    """
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import Metric

    if not isinstance(groups, Mapping) or not groups:
        raise ValueError(f"groups must be a non-empty mapping of label value -> latencies, got {groups!r:.80}")
    qs = [number("quantiles", q, low=0, high=1) for q in quantiles]
    family = Metric(name, "Pageturn request latency (seconds), summary.", "summary")
    for key, values in groups.items():
        arr = _values(f"groups[{key!r}]", values)
        for q in qs:
            family.add_sample(name, {label: str(key), "quantile": _le(q)}, float(np.quantile(arr, q)) / 1000.0)
        family.add_sample(name + "_count", {label: str(key)}, float(arr.size))
        family.add_sample(name + "_sum", {label: str(key)}, float(arr.sum()) / 1000.0)
    registry = CollectorRegistry()
    registry.register(_Fixed([family]))
    return generate_latest(registry).decode()


def from_prometheus(text: str, name: str = LATENCY, **labels: str) -> Histogram:
    """Read a Prometheus histogram back from exposition ``text`` into a :class:`Histogram` (ms).

    Every series of the histogram ``name`` whose labels match ``labels`` (all of
    them if none are given) is merged by adding counts: scraping four servers
    and calling this gives the fleet histogram. The first edge is 0 ms and the
    last is ``inf``.

    Raises:
        ValueError: if ``text`` holds no histogram called ``name`` matching
            ``labels``, or if the matching series have different buckets.
    """
    from pageturn.model.exposition import samples

    if not isinstance(text, str):
        raise ValueError(f"text must be Prometheus exposition text (str), got {type(text).__name__}")
    base_name = name[: -len("_bucket")] if name.endswith("_bucket") else name
    series: dict[tuple, dict] = {}
    for sample in samples(text):
        if sample.family != base_name or sample.type != "histogram":
            continue
        sample_labels = dict(sample.labels)
        le = sample_labels.pop("le", None)
        if any(sample_labels.get(k) != str(v) for k, v in labels.items()):
            continue
        key = tuple(sorted(sample_labels.items()))
        entry = series.setdefault(key, {"buckets": {}, "sum": math.nan})
        if sample.sample == base_name + "_bucket":
            entry["buckets"][float(le)] = sample.value
        elif sample.sample == base_name + "_sum":
            entry["sum"] = sample.value
    if not series:
        raise ValueError(f"text must hold a histogram called {base_name!r} with labels {labels}, found none")
    hists = []
    for entry in series.values():
        les = sorted(entry["buckets"])
        cumulative = np.array([entry["buckets"][le] for le in les])
        counts = np.diff(np.concatenate([[0.0], cumulative]))
        edges = np.concatenate([[0.0], np.array(les) * 1000.0])
        hists.append(Histogram(edges, counts, entry["sum"] * 1000.0))
    return merge(hists)


def _le(x: float) -> str:
    """Format a bucket edge or quantile the way Prometheus clients do."""
    return repr(float(x)) if math.isfinite(x) else "+Inf"


class _Fixed:
    """A collector that hands prometheus_client a fixed list of metric families."""

    def __init__(self, families):
        self._families = families

    def collect(self):
        return iter(self._families)
