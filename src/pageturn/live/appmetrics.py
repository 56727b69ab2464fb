"""Metrics of the running Pageturn: what the app counts, and how to read a scrape.

Every running app (:mod:`pageturn.live.app`) owns one :class:`AppMetrics`, built on a
*private* ``prometheus_client.CollectorRegistry``. Nothing is registered in
prometheus_client's global registry, so several apps in one Python process never
clash.

The app exposes the registry at ``/metrics`` in the Prometheus text format.
:func:`parse` turns that text into a tidy pandas DataFrame (one row per sample),
and the small helpers below answer the questions Sam asks of it:

* :func:`histogram_table` - the full latency histogram of one route and version;
* :func:`share_slower_than` - the fraction of requests slower than a bucket bound;
* :func:`percentiles` - p50, p99, ... estimated from the buckets, as Prometheus'
  ``histogram_quantile`` does;
* :func:`error_rate` - the fraction of requests that got a 5xx answer;
* :func:`request_counts` - requests by route, status and version.

Times in the metrics are in **seconds** (the Prometheus convention); the
helpers say so in their names and docstrings.
"""

from __future__ import annotations

import math

from pageturn import checks
from pageturn.status import is_server_error, server_errors  # noqa: F401 - the 5xx rule, used here and re-exported

#: Bucket upper bounds of the latency histograms, in seconds. Dense where
#: Pageturn's requests live (a few milliseconds) and wide enough to see a stall.
LATENCY_BUCKETS_S = (
    0.001,
    0.002,
    0.004,
    0.006,
    0.008,
    0.010,
    0.015,
    0.020,
    0.030,
    0.040,
    0.050,
    0.075,
    0.100,
    0.250,
    0.500,
    1.0,
    2.5,
    5.0,
)

from pageturn.model.exposition import LATENCY, REQUESTS  # noqa: E402 - the names' one owner, re-exported here

INVARIANTS = "pageturn_invariant_failures"  # counter, labels invariant, version
SANITY = "pageturn_sanity_checks"  # counter, labels result
BOOKS = "pageturn_books_stored"  # gauge
CANARY = "pageturn_canary_percent"  # gauge


class AppMetrics:
    """The metrics one app instance keeps, in its own private registry.

    Attributes: ``registry`` (a ``prometheus_client.CollectorRegistry``),
    ``requests`` (Counter), ``latency`` (Histogram, seconds), ``invariants``
    (Counter), ``sanity`` (Counter), ``books`` (Gauge), ``canary`` (Gauge, percent).
    """

    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            REQUESTS,
            "HTTP requests answered, by route, status code and version.",
            ["route", "status", "version"],
            registry=self.registry,
        )
        self.latency = Histogram(
            LATENCY,
            "Time to answer a request, in seconds, by route and version.",
            ["route", "version"],
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.invariants = Counter(
            INVARIANTS,
            "Invariant checks (asserts) that failed inside the app.",
            ["invariant", "version"],
            registry=self.registry,
        )
        self.sanity = Counter(
            SANITY, "Scheduled sanity checks run, by result (ok or failed).", ["result"], registry=self.registry
        )
        self.books = Gauge(BOOKS, "Books kept in memory, all readers together.", registry=self.registry)
        self.canary = Gauge(
            CANARY, "Share of readers routed to the canary version, in percent.", registry=self.registry
        )

    def observe(self, route: str, status: int, version: str, seconds: float) -> None:
        """Count one answered request and put its duration (seconds) in the histogram."""
        self.requests.labels(route=route, status=str(status), version=version).inc()
        self.latency.labels(route=route, version=version).observe(seconds)

    def text(self) -> str:
        """The registry in the Prometheus text exposition format (a str)."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry).decode("utf-8")


def parse(text):
    """Parse Prometheus exposition text into a DataFrame, one row per sample.

    Columns: ``metric`` (family name, e.g. ``pageturn_request_duration_seconds``),
    ``sample`` (sample name, e.g. ``pageturn_request_duration_seconds_bucket``), ``type``
    (counter, gauge, histogram, ...), one column per label found (strings, ``None``
    where a sample lacks that label) except ``le``, which is a float bucket bound in
    seconds (``inf`` for ``+Inf``), and ``value`` (float). The ``*_created``
    timestamps prometheus_client adds are left out.

    Raises:
        ValueError: if ``text`` is not a str or bytes, or is not valid exposition text.
    """
    import pandas as pd

    from pageturn.model.exposition import samples

    rows = [
        {"metric": s.family, "sample": s.sample, "type": s.type, **s.labels, "value": s.value} for s in samples(text)
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["metric", "sample", "type", "value"])
    if "le" in frame.columns:
        frame["le"] = frame["le"].map(lambda v: float(v) if isinstance(v, str) else math.nan)
    labels = [c for c in frame.columns if c not in ("metric", "sample", "type", "value")]
    frame = frame[["metric", "sample", "type", *labels, "value"]]
    return frame.astype(object).where(frame.notna(), None).astype({"value": float})


def difference(after, before):
    """What happened between two scrapes: ``after`` with every counter and histogram
    sample reduced by its value in ``before`` (same sample name and labels; a
    sample missing from ``before`` counts from 0). Gauges keep their ``after``
    value. Use it to look at one window of time, as Prometheus' ``increase()`` does.

    Raises:
        ValueError: if either argument is not a DataFrame from :func:`parse`.
    """
    _check_scrape(after)
    _check_scrape(before)
    keys = [c for c in after.columns if c != "value"]
    earlier = {}
    for row in before.itertuples(index=False):
        record = row._asdict()
        earlier[tuple(record.get(k) for k in keys)] = record["value"]
    out = after.copy()
    cumulative = out["type"].isin(["counter", "histogram", "summary"])
    lookup = [earlier.get(tuple(r.get(k) for k in keys), 0.0) for r in out[keys].to_dict("records")]
    out.loc[cumulative, "value"] = out.loc[cumulative, "value"] - [v for v, c in zip(lookup, cumulative) if c]
    return out


def _match(frame, **labels):
    mask = None
    for key, value in labels.items():
        if value is None:
            continue
        if key not in frame.columns:
            return frame.iloc[0:0]
        this = frame[key] == value
        mask = this if mask is None else (mask & this)
    return frame if mask is None else frame[mask]


def histogram_table(scrape, route: str, version: str | None = None, metric: str = LATENCY):
    """The latency histogram of one route (and version) as a DataFrame.

    ``scrape`` is a DataFrame from :func:`parse` (or ``handle.scrape()``). With
    ``version=None`` the versions are added together. Columns: ``le_s`` (bucket
    upper bound in seconds, the last one ``inf``), ``cumulative`` (requests at or
    below ``le_s``), ``in_bucket`` (requests in this bucket alone) and ``share``
    (``in_bucket`` / total, 0..1; 0 when there are no requests).

    Raises:
        ValueError: if ``scrape`` is not a DataFrame from :func:`parse`, or the
            metric has no samples for that route (and version).
    """
    import pandas as pd

    _check_scrape(scrape)
    rows = _match(scrape[scrape["sample"] == f"{metric}_bucket"], route=route, version=version)
    if rows.empty:
        raise ValueError(
            f"no {metric} buckets for route={route!r}"
            f"{'' if version is None else f', version={version!r}'}: "
            "has any request of that route been answered yet?"
        )
    cumulative = rows.groupby("le")["value"].sum().sort_index()
    table = pd.DataFrame({"le_s": cumulative.index.astype(float), "cumulative": cumulative.to_numpy()})
    table["in_bucket"] = table["cumulative"].diff().fillna(table["cumulative"])
    total = float(table["cumulative"].iloc[-1])
    table["share"] = table["in_bucket"] / total if total > 0 else 0.0
    return table.reset_index(drop=True)


def share_slower_than(scrape, route: str, version: str | None, seconds: float, metric: str = LATENCY) -> float:
    """Fraction (0..1) of a route's requests slower than ``seconds``.

    ``seconds`` must be one of the histogram's bucket bounds (a histogram cannot
    say more than its buckets). Returns ``nan`` when there were no requests.

    Raises:
        ValueError: if ``seconds`` is not a bucket bound, or as :func:`histogram_table`.
    """
    seconds = checks.number("seconds", seconds, low=0, low_open=True)
    table = histogram_table(scrape, route, version, metric)
    bounds = table["le_s"].tolist()
    hits = [i for i, b in enumerate(bounds) if math.isclose(b, seconds, rel_tol=1e-9)]
    if not hits:
        raise ValueError(
            f"seconds must be one of the bucket bounds {[b for b in bounds if b != math.inf]}, got {seconds!r}"
        )
    total = float(table["cumulative"].iloc[-1])
    if total == 0:
        return math.nan
    return (total - float(table["cumulative"].iloc[hits[0]])) / total


def percentiles(scrape, route: str, ps=(50, 99), metric: str = LATENCY):
    """Percentiles (ms) of one route's latency, over all readers and per version, from the buckets.

    This is what a dashboard built on Prometheus shows: each percentile is
    estimated from the histogram's counts with ``histogram_quantile``'s rule
    (linear inside the bucket that holds it; see
    :func:`pageturn.model.histogram.estimate_percentile`), so it is off by at most one
    bucket's width. The times are the server's own, not the load generator's.

    Returns a DataFrame with one row ``"all readers"`` followed by one row per
    version, and one column per percentile (``"p50 (ms)"``, ...).

    Raises:
        ValueError: if a ``p`` is not in [0, 100], or as :func:`histogram_table`.
    """
    import pandas as pd

    from pageturn.model.histogram import Histogram, estimate_percentile

    ps = [checks.number("ps", p, low=0, high=100) for p in (ps if not isinstance(ps, (int, float)) else [ps])]
    if not ps:
        raise ValueError("ps must hold at least one percentile in [0, 100], got none")
    _check_scrape(scrape)
    versions = sorted(_match(scrape[scrape["sample"] == f"{metric}_bucket"], route=route)["version"].dropna().unique())
    rows = {}
    for name, version in [("all readers", None), *[(v, v) for v in versions]]:
        table = histogram_table(scrape, route, version, metric)
        edges = [0.0, *(table["le_s"] * 1000.0)]
        hist = Histogram(edges, table["in_bucket"].round())
        rows[name] = {f"p{p:g} (ms)": estimate_percentile(hist, p) if hist.count else math.nan for p in ps}
    return pd.DataFrame.from_dict(rows, orient="index")


def request_counts(scrape):
    """Requests answered, as a DataFrame with columns route, status, version, requests.

    Raises:
        ValueError: if ``scrape`` is not a DataFrame from :func:`parse`.
    """
    import pandas as pd

    _check_scrape(scrape)
    rows = scrape[scrape["sample"] == f"{REQUESTS}_total"]
    if rows.empty:
        return pd.DataFrame(columns=["route", "status", "version", "requests"])
    out = rows[["route", "status", "version", "value"]].rename(columns={"value": "requests"})
    return out.reset_index(drop=True)


def error_rate(scrape, route=None, version: str | None = None) -> float:
    """Fraction (0..1) of requests answered with a 5xx status (:func:`is_server_error`),
    optionally for one version and for one route or several (``route`` a name, or a
    list/tuple/set of names). Returns ``nan`` when there were no requests.

    >>> m = AppMetrics()
    >>> for status in (200, 200, 200, 500):
    ...     m.observe("search", status, "2.0", 0.003)
    >>> m.observe("health", 503, "2.0", 0.001)
    >>> scrape = parse(m.text())
    >>> error_rate(scrape), error_rate(scrape, route=["search", "my_books"]), error_rate(scrape, route="health")
    (0.4, 0.25, 1.0)
    >>> error_rate(scrape, version="2.1")
    nan

    Raises:
        ValueError: if ``scrape`` is not a DataFrame from :func:`parse`.
    """
    counts = request_counts(scrape)
    if isinstance(route, (list, tuple, set, frozenset)):
        counts = _match(counts[counts["route"].isin(list(route))], version=version)
    else:
        counts = _match(counts, route=route, version=version)
    total = float(counts["requests"].sum())
    if total == 0:
        return math.nan
    errors = float(counts[server_errors(counts["status"])]["requests"].sum())
    return errors / total


def _check_scrape(scrape) -> None:
    import pandas as pd

    if not isinstance(scrape, pd.DataFrame) or not {"sample", "value"} <= set(scrape.columns):
        raise ValueError(
            "scrape must be a DataFrame from pageturn.live.appmetrics.parse or handle.scrape(), "
            f"got {type(scrape).__name__}"
        )


def palette() -> tuple:
    """The course's colour-blind-safe Okabe–Ito palette (:data:`pageturn.style.PALETTE`), as hex colour strings."""
    from pageturn.style import PALETTE

    return tuple(PALETTE)


def plot_latency_by_version(scrape, route: str, versions=None, ax=None, metric: str = LATENCY):
    """Draw the full latency histogram of ``route`` for each version, side by side:
    the share of that version's requests (%) in each bucket (ms). Returns the Axes.

    ``versions`` defaults to every version with requests on that route.

    Raises:
        ValueError: as :func:`histogram_table`.
    """
    import numpy as np

    from pageturn.style import figure

    _check_scrape(scrape)
    if versions is None:
        rows = _match(scrape[scrape["sample"] == f"{metric}_count"], route=route)
        versions = sorted(v for v, n in zip(rows.get("version", []), rows["value"]) if n > 0)
    if not versions:
        raise ValueError(f"no requests on route={route!r} yet: send some load first")
    if ax is None:
        _, ax = figure((8, 3.2))
    colours = palette()
    width = 0.8 / len(versions)
    labels = None
    for k, version in enumerate(versions):
        table = histogram_table(scrape, route, version, metric)
        total = int(table["cumulative"].iloc[-1])
        x = np.arange(len(table)) + (k - (len(versions) - 1) / 2) * width
        ax.bar(
            x,
            table["share"] * 100.0,
            width=width,
            color=colours[(4, 5, 2, 6, 0)[k % 5]],
            label=f"version {version} ({total} requests)",
        )
        labels = [f"≤{b * 1000:g}" if np.isfinite(b) else "more" for b in table["le_s"]]
    ax.set_xticks(np.arange(len(labels)), labels, rotation=60, fontsize="small")
    ax.set_title(f"Full latency histogram of {route}, by version")
    ax.set_xlabel("latency bucket (ms, upper bound)")
    ax.set_ylabel("share of the version's requests (%)")
    ax.legend(fontsize="small")
    return ax
