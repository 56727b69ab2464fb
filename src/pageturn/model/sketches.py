"""Mergeable latency sketches: the course's log-bucket histogram against DDSketch and HdrHistogram.

A *sketch* keeps a small summary of many values from which quantiles can be
read back with a known error. Three are compared here, on the same values:

* **log buckets**, the layout of OpenTelemetry's exponential histogram and
  Prometheus' native histograms (and of Lab 2): bucket ``i`` at ``scale`` holds
  ``(base**i, base**(i+1)]`` with ``base = 2 ** (2 ** -scale)``. Reading a quantile
  as the bucket's point ``2 * base**(i+1) / (base + 1)`` gives a **relative error**
  of at most ``(base - 1) / (base + 1)`` (:func:`guarantee`): 4.3 % at scale 3,
  1.1 % at scale 5;
* **DDSketch** (the ``ddsketch`` package, Apache-2.0, by Datadog): log buckets too,
  with the relative accuracy as its parameter;
* **HdrHistogram** (the ``hdrhistogram`` package, Apache-2.0): integer values
  (here microseconds) in buckets with a fixed number of significant digits.

All three merge: add the counts of sketches of the same layout. :func:`compare`
builds one sketch per group (server and hour), merges them all, and reports each
sketch's relative error at p50, p99 and p99.9 and its memory in buckets.

Latencies are in **milliseconds** (ms); percentiles ``p`` in percent.
Bad arguments raise ``ValueError`` naming the argument, the value and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from pageturn import checks
from pageturn.model.histogram import _values, base, log_bucket_index

__all__ = [
    "guarantee",
    "log_sketch",
    "log_quantile",
    "merge_log_sketches",
    "LogRecorder",
    "compare",
    "PERCENTILES",
    "HDR_RANGE_US",
]

PERCENTILES = (50, 99, 99.9)
"""The percentiles :func:`compare` checks."""
HDR_RANGE_US = (1, 10_000_000)
"""HdrHistogram's trackable range in microseconds: 1 µs to 10 s."""


def guarantee(scale: int) -> float:
    """The relative error bound (a fraction) of a log-bucket quantile at ``scale``: ``(base-1)/(base+1)``.

    >>> round(guarantee(0), 4), round(guarantee(5), 4)
    (0.3333, 0.0108)

    Raises:
        ValueError: if ``scale`` is not a whole number in [-10, 20].
    """
    b = base(scale)
    return (b - 1) / (b + 1)


def log_sketch(values, scale: int) -> dict[int, int]:
    """Count ``values`` (> 0) into log buckets at ``scale``: a dict ``{bucket index: count}``.

    Only non-empty buckets are kept, so the memory is the number of keys.

    >>> log_sketch([1, 2, 3, 4, 100], 2)
    {-1: 1, 3: 1, 6: 1, 7: 1, 26: 1}

    Raises:
        ValueError: as :func:`pageturn.model.histogram.log_bucket_index`.
    """
    idx = log_bucket_index(_values("values", values, positive=True), scale)
    keys, counts = np.unique(idx, return_counts=True)
    return {int(k): int(c) for k, c in zip(keys, counts)}


def log_quantile(counts: Mapping[int, int], scale: int, p: float) -> float:
    """The ``p``-th percentile read from a log sketch: the nearest-rank value's bucket point.

    Walks the buckets in order until the running count reaches ``ceil(p/100 * total)``
    (at least 1), and returns ``2 * base**(i+1) / (base + 1)``, whose relative error to
    any value of that bucket is at most :func:`guarantee`.

    >>> round(log_quantile(log_sketch([1, 2, 3, 4, 100], 2), 2, 50), 2)
    3.07

    Raises:
        ValueError: if ``counts`` is empty or not a mapping of int -> count >= 0,
            ``p`` is not in [0, 100], or ``scale`` is invalid.
    """
    b = base(scale)
    p = checks.number("p", p, low=0, high=100)
    if not isinstance(counts, Mapping) or not counts:
        raise ValueError(f"counts must be a non-empty dict of bucket index -> count, got {counts!r:.80}")
    keys = sorted(counts)
    running = np.cumsum([counts[k] for k in keys])
    if running[-1] <= 0:
        raise ValueError("counts must hold at least one value")
    rank = max(1, math.ceil(p / 100 * running[-1] - 1e-9))
    i = keys[int(np.searchsorted(running, rank, side="left"))]
    return float(2 * b ** (i + 1) / (b + 1))


def merge_log_sketches(sketches: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """Merge log sketches of the same scale by adding their counts (the inputs are not changed).

    >>> merge_log_sketches([{1: 2}, {1: 1, 3: 4}])
    {1: 3, 3: 4}

    Raises:
        ValueError: if an item is not a mapping.
    """
    total: dict[int, int] = {}
    for n, s in enumerate(sketches):
        if not isinstance(s, Mapping):
            raise ValueError(f"sketches[{n}] must be a dict of bucket index -> count, got {type(s).__name__}")
        for k, c in s.items():
            total[k] = total.get(k, 0) + c
    return total


class LogRecorder:
    """A log-bucket histogram that records numpy arrays of values at once (for speed).

    ``record(values)`` adds a batch of values (ms, > 0); ``quantile(p)`` reads a
    percentile as :func:`log_quantile`; ``buckets`` is the number of non-empty buckets.

    Raises:
        ValueError: as :func:`log_sketch`.
    """

    def __init__(self, scale: int = 5):
        base(scale)
        self.scale = scale
        self._counts = np.zeros(0, dtype=np.int64)
        self._offset = 0

    def record(self, values) -> None:
        v = np.asarray(values, dtype=float).ravel()
        step = 1 << 16  # small blocks: their temporaries stay in cache and are reused
        for start in range(0, max(v.size, 1), step):
            self._record(v[start : start + step], values)

    def _record(self, v, values) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.log2(v) * float(2**self.scale)
        if v.size == 0 or not np.isfinite(x).all():
            _values("values", values, positive=True)  # raises the ValueError that names the bad value
        idx = np.ceil(x).astype(np.int64) - 1
        # Only values within rounding distance of a bucket edge need the exact rule.
        near = np.abs(x - np.rint(x)) < 1e-6
        if near.any():
            idx[near] = log_bucket_index(v[near], self.scale)
        lo, hi = int(idx.min()), int(idx.max())
        if self._counts.size == 0:
            self._offset, self._counts = lo, np.zeros(hi - lo + 1, dtype=np.int64)
        new_lo, new_hi = min(lo, self._offset), max(hi, self._offset + self._counts.size - 1)
        if (new_lo, new_hi) != (self._offset, self._offset + self._counts.size - 1):
            grown = np.zeros(new_hi - new_lo + 1, dtype=np.int64)
            grown[self._offset - new_lo : self._offset - new_lo + self._counts.size] = self._counts
            self._offset, self._counts = new_lo, grown
        self._counts += np.bincount(idx - self._offset, minlength=self._counts.size)

    @property
    def buckets(self) -> int:
        return int(np.count_nonzero(self._counts))

    def as_dict(self) -> dict[int, int]:
        nz = np.flatnonzero(self._counts)
        return {int(i + self._offset): int(self._counts[i]) for i in nz}

    def quantile(self, p: float) -> float:
        return log_quantile(self.as_dict(), self.scale, p)


def _dd(alpha: float):
    from ddsketch import DDSketch

    return DDSketch(relative_accuracy=alpha)


def _dd_buckets(sketch) -> tuple[int, int]:
    bins = list(sketch._store.bins)
    return int(sum(1 for b in bins if b)), len(bins)


def _hdr():
    from hdrh.histogram import HdrHistogram

    return HdrHistogram(HDR_RANGE_US[0], HDR_RANGE_US[1], 2)


def compare(
    frame,
    scale: int = 5,
    *,
    sketch: Callable = log_sketch,
    quantile: Callable = log_quantile,
    merge: Callable = merge_log_sketches,
    by=("server", "hour"),
):
    """Build each sketch per group of ``frame``, merge them all, and compare with the exact percentiles.

    ``frame`` holds ``latency_ms`` (and ``server`` and ``timestamp`` for the default
    groups; ``"hour"`` means ``timestamp`` floored to the hour). ``sketch(values, scale)``,
    ``quantile(counts, scale, p)`` and ``merge(list_of_sketches)`` are the log-bucket
    functions to test (the learner's in Lab 2; this module's by default). DDSketch
    gets the same relative accuracy, :func:`guarantee` of ``scale``; HdrHistogram
    keeps 2 significant digits (1 % at most) of values in µs.

    Returns a DataFrame, one row per sketch: the groups merged, the relative error
    (%) at each of :data:`PERCENTILES` against the exact value at that sketch's own
    rank definition (nearest rank for log buckets, ``q * (n - 1)`` for DDSketch, the
    rounded rank for HdrHistogram; on a few values these pick different requests), the
    guaranteed bound (%), and the memory as non-empty and allocated buckets.

    Raises:
        ValueError: if ``frame`` lacks the columns, or ``by`` names an unknown column.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame) or "latency_ms" not in frame:
        raise ValueError(f"frame must be a DataFrame with a latency_ms column, got {type(frame).__name__}")
    keys = []
    for name in by:
        if name == "hour":
            keys.append(frame["timestamp"].dt.floor("1h"))
        elif name in frame:
            keys.append(frame[name])
        else:
            raise ValueError(f"by must name columns of frame (or 'hour'), got {name!r}")
    groups = (
        [g.to_numpy(float) for _, g in frame["latency_ms"].groupby(keys)]
        if keys
        else [frame["latency_ms"].to_numpy(float)]
    )
    alpha = guarantee(scale)
    everything = np.sort(frame["latency_ms"].to_numpy(float))
    n = everything.size
    # Each sketch promises its bound relative to the exact value at ITS OWN rank definition.
    rank_of = {
        "mine": lambda p: max(1, math.ceil(p / 100 * n - 1e-9)) - 1,  # nearest rank
        "dd": lambda p: int(p / 100 * (n - 1)),  # DDSketch: q * (n - 1)
        "hdr": lambda p: max(1, int(p / 100 * n + 0.5)) - 1,
    }  # HdrHistogram: rounded rank

    mine = merge([sketch(g, scale) for g in groups])
    dd = _dd(alpha)
    for g in groups:
        part = _dd(alpha)
        for v in g.tolist():
            part.add(v)
        dd.merge(part)
    hdr = _hdr()
    for g in groups:
        part = _hdr()
        for v in np.rint(g * 1000).astype(np.int64).tolist():
            part.record_value(v)
        hdr.add(part)

    rows = []
    estimates = {
        f"your log buckets (scale {scale})": (
            "mine",
            lambda p: float(quantile(mine, scale, p)),
            100 * alpha,
            (len(mine), len(mine)),
        ),
        f"DDSketch (relative accuracy {100 * alpha:.2f} %)": (
            "dd",
            lambda p: float(dd.get_quantile_value(p / 100)),
            100 * alpha,
            _dd_buckets(dd),
        ),
        "HdrHistogram (2 significant digits, µs)": (
            "hdr",
            lambda p: hdr.get_value_at_percentile(p) / 1000.0,
            1.0,
            (int(np.count_nonzero(hdr.counts)), int(hdr.counts_len)),
        ),
    }
    for name, (kind, estimate, bound, (used, allocated)) in estimates.items():
        row = {"sketch": name, "groups merged": len(groups)}
        for p in PERCENTILES:
            exact = everything[rank_of[kind](p)]
            row[f"p{p:g} error (%)"] = 100 * abs(estimate(p) - exact) / exact
        row["guaranteed at most (%)"] = bound
        row["non-empty buckets"] = used
        row["allocated buckets"] = allocated
        rows.append(row)
    return pd.DataFrame(rows).set_index("sketch")
