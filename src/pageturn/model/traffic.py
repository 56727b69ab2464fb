"""Pageturn's request logs: who asked for what, which server answered, and how long it took.

:func:`request_log` produces one row per request, with the columns
``timestamp, server, route, status, latency_ms, version``. The latencies have
the shapes an operator meets in real life:

* a **body**: most requests are quick, with a lognormal spread;
* a **slow mode**: a few percent of requests miss the cache and take many
  times longer;
* **incident windows**: while production is broken, many requests fail with
  HTTP 503 after a long wait, and the rest are slow;
* **one slow server**, whose requests all take longer than the others';
* a **canary**: during a window, a share of readers gets a new version, and
  that version can regress (add latency to the requests it serves).

Requests arrive with the same day/night rhythm as :mod:`pageturn.model.rhythm`.
Everything is vectorised with numpy and determined by the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pageturn.checks import number
from pageturn.model import rhythm

ROUTES = ("/books", "/log", "/search", "/health")
"""Pageturn's routes: list my books, log a book, search, health check."""
ROUTE_SHARE = (0.45, 0.20, 0.25, 0.10)
"""Share of requests going to each route in :data:`ROUTES`."""
ROUTE_MEDIAN_MS = (35.0, 60.0, 90.0, 4.0)
"""Median latency of each route in :data:`ROUTES`, in milliseconds, on a healthy server."""
BODY_SPREAD = 0.35
"""Standard deviation of log(latency) in the body of the distribution."""
SLOW_MODE_FACTOR = 9.0
"""How many times slower a cache miss is than a hit (median)."""
INCIDENT_FAILING_SHARE = 0.4
"""During an incident, the share of requests that fail at once with HTTP 503 (in 0.5–3 ms)."""


@dataclass(frozen=True)
class Canary:
    """A canary release: from ``start`` to ``end``, ``share`` of readers get ``version``,
    whose requests take ``extra_ms`` longer (median; 0 means no regression).

    ``start`` and ``end`` are anything :class:`pandas.Timestamp` accepts.
    """

    start: object
    end: object
    share: float = 0.05
    version: str = "2.0.0-canary"
    extra_ms: float = 120.0


def latency_ms(route: str, n: int, *, seed: int = 0, slow_mode_share: float = 0.04) -> np.ndarray:
    """Draw ``n`` healthy-server latencies for ``route``, in milliseconds.

    >>> [round(float(ms), 1) for ms in latency_ms("/books", 3, seed=0)]
    [486.8, 33.4, 43.8]
    >>> bool((latency_ms("/books", 5, seed=1) == latency_ms("/books", 5, seed=1)).all())
    True

    Raises:
        ValueError: for an unknown route, a negative ``n`` or a share outside [0, 1].
    """
    from pageturn.checks import choice

    choice("route", route, ROUTES)
    n = number("n", n, low=0, integer=True)
    slow_mode_share = number("slow_mode_share", slow_mode_share, low=0, high=1)
    rng = np.random.default_rng(seed)
    median = ROUTE_MEDIAN_MS[ROUTES.index(route)]
    lat = median * np.exp(BODY_SPREAD * rng.standard_normal(n))
    slow = rng.random(n) < slow_mode_share
    lat[slow] *= SLOW_MODE_FACTOR * np.exp(0.3 * rng.standard_normal(int(slow.sum())))
    return lat


def request_log(
    start="2026-03-30",
    days: float = 7,
    *,
    servers: int = 4,
    seed: int = 0,
    requests_per_reader: float = 1.0,
    slow_server: int | None = 3,
    slow_server_factor: float = 1.6,
    slow_mode_share: float = 0.04,
    versions=None,
    incidents=None,
    canary: Canary | None = None,
):
    """Make a DataFrame of Pageturn requests, one row each, sorted by time.

    Args:
        start: first moment of the log (anything :class:`pandas.Timestamp` accepts);
            the day/night rhythm follows the clock time, weekday and weekend.
        days: length of the log in days, in (0, 31].
        servers: number of web servers, named ``web-1`` …, a whole number in [1, 32].
        seed: a whole number >= 0.
        requests_per_reader: requests per arriving reader, in (0, 10]; with 1.0
            a week holds about 200,000 requests.
        slow_server: number of the slower server (1-based), or None for none.
        slow_server_factor: how much slower that server is, in [1, 10].
        slow_mode_share: share of requests that miss the cache, in [0, 1].
        versions: optional DataFrame with columns ``time`` and ``version``: the
            version deployed from each time on (the first row's version also
            covers anything before it). Default: everything is ``"1.0.0"``.
        incidents: optional DataFrame with columns ``start`` and ``end``:
            windows in which production is broken.
        canary: optional :class:`Canary`.

    Returns:
        DataFrame with columns timestamp (datetime64), server (str), route (str),
        status (int, HTTP status), latency_ms (float, milliseconds, 3 decimals),
        version (str).

    Raises:
        ValueError: naming the argument, for any value outside its range.
    """
    import pandas as pd

    days = number("days", days, low=0, high=31, low_open=True)
    servers = number("servers", servers, low=1, high=32, integer=True)
    seed = number("seed", seed, low=0, integer=True)
    requests_per_reader = number("requests_per_reader", requests_per_reader, low=0, high=10, low_open=True)
    if slow_server is not None:
        slow_server = number("slow_server", slow_server, low=1, high=servers, integer=True)
    slow_server_factor = number("slow_server_factor", slow_server_factor, low=1, high=10)
    slow_mode_share = number("slow_mode_share", slow_mode_share, low=0, high=1)
    if canary is not None:
        number("canary.share", canary.share, low=0, high=1)
        number("canary.extra_ms", canary.extra_ms, low=0)
    try:
        t0 = pd.Timestamp(start)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"start must be a date or time such as '2026-03-30', got {start!r}") from exc

    rng = np.random.default_rng([seed, 3])
    minutes = int(round(days * rhythm.MINUTES_PER_DAY))
    # Position in the weekly rhythm of each minute, from the clock time of `start`.
    offset = t0.day_of_week * rhythm.MINUTES_PER_DAY + t0.hour * 60 + t0.minute
    week = rhythm.readers_per_minute(1)
    rate = week[(offset + np.arange(minutes)) % rhythm.MINUTES_PER_WEEK] * requests_per_reader
    counts = rng.poisson(rate)
    minute_of = np.repeat(np.arange(minutes), counts)
    n = minute_of.size
    ms = np.sort(minute_of * 60_000 + rng.integers(0, 60_000, n))  # ms since start
    timestamp = t0 + pd.to_timedelta(ms, unit="ms")

    route_idx = rng.choice(len(ROUTES), size=n, p=ROUTE_SHARE)
    server_idx = rng.integers(0, servers, n)
    reader = rng.integers(0, 1_000_000, n)  # who asked; decides canary membership

    median = np.asarray(ROUTE_MEDIAN_MS)[route_idx]
    lat = median * np.exp(BODY_SPREAD * rng.standard_normal(n))
    cache_miss = (rng.random(n) < slow_mode_share) & (route_idx != ROUTES.index("/health"))
    lat[cache_miss] *= SLOW_MODE_FACTOR * np.exp(0.3 * rng.standard_normal(int(cache_miss.sum())))
    if slow_server is not None:
        lat[server_idx == slow_server - 1] *= slow_server_factor
    status = np.where(route_idx == ROUTES.index("/log"), 201, 200)
    status[(route_idx == ROUTES.index("/search")) & (rng.random(n) < 0.02)] = 404

    version = np.full(n, "1.0.0", dtype=object)
    if versions is not None and len(versions):
        v_times = pd.to_datetime(versions["time"]).to_numpy()
        idx = np.searchsorted(v_times, timestamp.to_numpy(), side="right") - 1
        names = np.asarray(versions["version"], dtype=object)
        version = names[np.maximum(idx, 0)]

    if canary is not None and canary.share > 0:
        in_window = (timestamp >= pd.Timestamp(canary.start)) & (timestamp < pd.Timestamp(canary.end))
        on_canary = np.asarray(in_window) & ((reader % 10_000) < canary.share * 10_000)
        version = version.copy()
        version[on_canary] = canary.version
        lat[on_canary] += canary.extra_ms * np.exp(0.25 * rng.standard_normal(int(on_canary.sum())))

    if incidents is not None and len(incidents):
        broken = np.zeros(n, dtype=bool)
        ts = timestamp.to_numpy()
        for s, e in zip(pd.to_datetime(incidents["start"]), pd.to_datetime(incidents["end"])):
            lo, hi = np.searchsorted(ts, [s.to_datetime64(), e.to_datetime64()])
            broken[lo:hi] = True
        # A broken deploy makes a share of requests fail FAST (the code errors out
        # before doing any work), and slows the rest a little. Fast failures pull
        # latency percentiles down, not up: the incident hides in a p99 line.
        failing = broken & (rng.random(n) < INCIDENT_FAILING_SHARE)
        status[failing] = 503
        lat[broken & ~failing] *= 1.5
        lat[failing] = 0.5 + 2.5 * rng.random(int(failing.sum()))

    return pd.DataFrame(
        {
            "timestamp": timestamp,
            "server": np.asarray([f"web-{i}" for i in range(1, servers + 1)], dtype=object)[server_idx],
            "route": np.asarray(ROUTES, dtype=object)[route_idx],
            "status": status.astype(np.int64),
            "latency_ms": np.round(lat, 3),
            "version": version,
        }
    )
