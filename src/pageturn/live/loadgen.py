"""A load generator for the running Pageturn: readers at a steady rate, bounded.

:func:`run` sends ``count`` requests on a fixed schedule: request ``i`` is *due*
at ``i / rate_per_s`` seconds after the start. Each request records three times:

* ``due_s`` - when the schedule wanted it sent;
* ``sent_s`` - when it was actually sent (later than due if the senders were busy);
* ``done_s`` - when its answer arrived.

From these come two latencies, both in milliseconds:

* ``latency_ms`` = done - sent: what a naive tool reports;
* ``latency_from_due_ms`` = done - due: what a reader who arrived on schedule felt.

When the app stalls, a naive tool with few senders simply waits, sends the
waiting requests late, and measures each of them as fast: the stall vanishes from
``latency_ms`` but not from ``latency_from_due_ms``. This gap is called
*coordinated omission*.

The load is bounded in count (at most :data:`MAX_COUNT` requests) and in time
(the run ends at ``max_wall_s``; requests not sent by then are recorded with
``status`` 0 and ``error`` ``"not sent: time limit"``). Only 127.0.0.1 is reached.
"""

from __future__ import annotations

import http.client
import itertools
import random
import threading
import time

from pageturn import checks
from pageturn.live import client
from pageturn.model import endpoints
from pageturn.model.endpoints import HEALTH, LOG_BOOK, MY_BOOKS, READER_ROUTES, SEARCH

MAX_COUNT = 20_000
MAX_DURATION_S = 120.0
DEFAULT_MIX = {LOG_BOOK: 0.2, MY_BOOKS: 0.6, SEARCH: 0.2}
MIX_ROUTES = (*READER_ROUTES, HEALTH)
"""The routes a load run may send (a ``mix``'s keys)."""
_WORDS = (
    "the",
    "night",
    "river",
    "dune",
    "house",
    "war",
    "sea",
    "stone",
    "garden",
    "city",
    "winter",
    "letters",
    "moon",
    "road",
    "fire",
    "silence",
)
COLUMNS = [
    "i",
    "route",
    "reader",
    "due_s",
    "sent_s",
    "done_s",
    "latency_ms",
    "latency_from_due_ms",
    "status",
    "version",
    "error",
]


def plan(count: int, *, mix=None, readers: int = 50, seed: int = 0) -> list[dict]:
    """The requests a run will send, in order: dicts with ``route``, ``reader``,
    ``method``, ``path`` and ``body`` (None for GET). Same arguments, same plan.

    Raises:
        ValueError: if ``count`` is not in [1, MAX_COUNT], ``readers`` not in
            [1, 100000], or ``mix`` is not a dict of known routes to weights >= 0
            with a positive sum.
    """
    count = checks.number("count", count, low=1, high=MAX_COUNT, integer=True)
    readers = checks.number("readers", readers, low=1, high=100_000, integer=True)
    seed = checks.number("seed", seed, integer=True)
    mix = _check_mix(mix)
    rng = random.Random(seed)
    routes, weights = list(mix), list(mix.values())
    out = []
    for i in range(count):
        route = rng.choices(routes, weights)[0]
        reader = f"reader-{rng.randrange(readers):05d}"
        method, path = endpoints.ENDPOINTS[route]
        item = {"method": method, "path": path, "body": None}
        if route == LOG_BOOK:
            title = " ".join(rng.choice(_WORDS) for _ in range(3)).capitalize()
            item["body"] = {"reader": reader, "title": f"{title} {i}", "author": f"Author {rng.randrange(40)}"}
        elif route == MY_BOOKS:
            item["path"] = f"{path}?reader={reader}"
        elif route == SEARCH:
            item["path"] = f"{path}?reader={reader}&q={rng.choice(_WORDS)}"
        item.update(route=route, reader=reader)
        out.append(item)
    return out


def _check_mix(mix):
    if mix is None:
        return dict(DEFAULT_MIX)
    if not isinstance(mix, dict) or not mix:
        raise ValueError(f"mix must be a dict like {DEFAULT_MIX}, got {mix!r}")
    for route, weight in mix.items():
        checks.choice("mix route", route, MIX_ROUTES)
        checks.number(f"mix[{route!r}]", weight, low=0)
    if sum(mix.values()) <= 0:
        raise ValueError(f"mix must have a positive total weight, got {mix!r}")
    return dict(mix)


def run(
    url: str,
    *,
    rate_per_s: float = 50.0,
    duration_s: float | None = None,
    count: int | None = None,
    workers: int = 4,
    mix=None,
    readers: int = 50,
    seed: int = 0,
    timeout_s: float = 5.0,
    max_wall_s: float | None = None,
):
    """Drive the app at ``url`` at ``rate_per_s`` requests per second and return a DataFrame.

    Give ``duration_s`` (seconds of load; count = rate × duration) or ``count``
    (requests); with neither, 2 s of load. ``workers`` threads send them (1 = one request at a time, the
    naive tool that shows coordinated omission best). ``mix`` weights the routes
    (default :data:`DEFAULT_MIX`); ``readers`` is how many distinct readers;
    ``timeout_s`` caps one request (seconds); ``max_wall_s`` caps the whole run
    (default: planned duration + 10 s).

    Columns (see :data:`COLUMNS`): ``due_s``, ``sent_s``, ``done_s`` (seconds since
    the run started), ``latency_ms`` (done - sent), ``latency_from_due_ms``
    (done - due), ``status`` (HTTP code; 0 when no answer), ``version`` (from the
    ``X-Pageturn-Version`` header) and ``error`` (None when all went well).
    ``frame.attrs`` holds the arguments, ``planned_s`` and ``started_at_s`` (when the run
    started, in seconds since the epoch: add it to a ``*_s`` column to compare with logs).

    Raises:
        ValueError: if ``url`` is not ``http://127.0.0.1:PORT``, ``rate_per_s`` not in
            (0, 2000], both ``duration_s`` and ``count`` given, the planned
            run longer than MAX_DURATION_S (120 s) or more than MAX_COUNT requests,
            ``workers`` not in [1, 64], or as :func:`plan`.
    """
    import pandas as pd

    port = _check_url(url)
    rate_per_s = checks.number("rate_per_s", rate_per_s, low=0, high=2000, low_open=True)
    if count is not None and duration_s is not None:
        raise ValueError(f"give duration_s or count, not both; got duration_s={duration_s!r}, count={count!r}")
    if count is None:
        duration_s = 2.0 if duration_s is None else duration_s
        duration_s = checks.number("duration_s", duration_s, low=0, high=MAX_DURATION_S, low_open=True)
        count = max(1, round(rate_per_s * duration_s))
    count = checks.number("count", count, low=1, high=MAX_COUNT, integer=True)
    planned_s = count / rate_per_s
    if planned_s > MAX_DURATION_S:
        raise ValueError(
            f"count / rate_per_s must be at most {MAX_DURATION_S:g} s of load, "
            f"got {count} / {rate_per_s:g} = {planned_s:g} s"
        )
    workers = checks.number("workers", workers, low=1, high=64, integer=True)
    timeout_s = checks.number("timeout_s", timeout_s, low=0.01, high=60)
    if max_wall_s is None:
        max_wall_s = planned_s + 10.0
    max_wall_s = checks.number("max_wall_s", max_wall_s, low=0, high=MAX_DURATION_S + 60, low_open=True)
    requests = plan(count, mix=mix, readers=readers, seed=seed)

    rows: list[dict | None] = [None] * count
    next_index = itertools.count()
    index_lock = threading.Lock()
    t0 = time.perf_counter() + 0.02
    started_at_s = time.time() + 0.02  # t0 on the epoch clock the balancer and the app log with
    deadline = t0 + max_wall_s

    stop = threading.Event()  # set when the caller is interrupted: the senders stop too

    def worker():
        while not stop.is_set():
            with index_lock:
                i = next(next_index)
            if i >= count:
                return
            item = requests[i]
            due = i / rate_per_s
            row = {
                "i": i,
                "route": item["route"],
                "reader": item["reader"],
                "due_s": due,
                "sent_s": float("nan"),
                "done_s": float("nan"),
                "status": 0,
                "version": None,
                "error": None,
            }
            if t0 + due >= deadline:  # due after the time limit: never sent, never waited for
                row["error"] = "not sent: time limit"
                rows[i] = row
                continue
            wait = t0 + due - time.perf_counter()
            if wait > 0 and stop.wait(wait):
                return
            if time.perf_counter() >= deadline:
                row["error"] = "not sent: time limit"
                rows[i] = row
                continue
            sent = time.perf_counter()
            row["sent_s"] = sent - t0
            try:
                status, version = _send(port, item, min(timeout_s, max(0.01, deadline - sent)))
                row["status"], row["version"] = status, version
            except (OSError, http.client.HTTPException) as error:
                row["error"] = f"{type(error).__name__}: {error}"
            row["done_s"] = time.perf_counter() - t0
            rows[i] = row

    threads = [threading.Thread(target=worker, name=f"pageturn-load-{k}", daemon=True) for k in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # Ctrl-C or a kernel interrupt: no sender goes on sending in the background
        stop.set()
        for thread in threads:
            thread.join(timeout_s + 1.0)
        raise

    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("latency_ms", "latency_from_due_ms")])
    frame["latency_ms"] = (frame["done_s"] - frame["sent_s"]) * 1000.0
    frame["latency_from_due_ms"] = (frame["done_s"] - frame["due_s"]) * 1000.0
    frame = frame[COLUMNS]
    frame.attrs.update(
        started_at_s=started_at_s,
        url=url,
        rate_per_s=rate_per_s,
        count=count,
        workers=workers,
        readers=readers,
        seed=seed,
        planned_s=planned_s,
    )
    return frame


def _check_url(url) -> int:
    return client.port_of(url)


def _send(port, item, timeout_s):
    answer = client.request(port, item["method"], item["path"], body=item["body"], timeout_s=timeout_s)
    return answer.status, answer.headers.get("X-Pageturn-Version")


def summary(frame, percentiles=(50, 90, 99, 100)):
    """Percentiles (ms) of both latencies side by side: a DataFrame indexed by
    percentile (e.g. ``p99``) with columns ``from sent (ms)`` and ``from due (ms)``.
    Only answered requests (status > 0) count.

    Raises:
        ValueError: if ``frame`` is not a DataFrame from :func:`run` or has no answered request.
    """
    import numpy as np
    import pandas as pd

    if not isinstance(frame, pd.DataFrame) or not {"latency_ms", "latency_from_due_ms", "status"} <= set(frame):
        raise ValueError(f"frame must be a DataFrame from pageturn.live.loadgen.run, got {type(frame).__name__}")
    done = frame[frame["status"] > 0]
    if done.empty:
        raise ValueError("frame has no answered request (status > 0)")
    for p in percentiles:
        checks.number("percentile", p, low=0, high=100)
    return pd.DataFrame(
        {
            "from sent (ms)": [float(np.percentile(done["latency_ms"], p)) for p in percentiles],
            "from due (ms)": [float(np.percentile(done["latency_from_due_ms"], p)) for p in percentiles],
        },
        index=[f"p{p:g}" for p in percentiles],
    ).round(1)


def plot_latency_over_time(frame, ax=None, title="Each request's latency, measured two ways"):
    """Scatter each request's latency (ms) against when it was due (s): from sent
    and from due, in two Okabe–Ito colours, on a log scale. Returns the Axes."""
    import matplotlib.ticker

    from pageturn.live.appmetrics import palette
    from pageturn.style import figure

    colours = palette()
    if ax is None:
        _, ax = figure((8, 3.2))
    done = frame[frame["status"] > 0]
    ax.scatter(done["due_s"], done["latency_from_due_ms"], s=8, color=colours[5], label="from due (what a reader felt)")
    ax.scatter(
        done["due_s"],
        done["latency_ms"],
        s=8,
        color=colours[4],
        marker="x",
        label="from sent (what a naive tool reports)",
    )
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_title(title)
    ax.set_xlabel("time the request was due (s since the run started)")
    ax.set_ylabel("latency (ms, log scale)")
    top = float(done[["latency_ms", "latency_from_due_ms"]].max().max()) if len(done) else 1.0
    bottom = float(done[["latency_ms", "latency_from_due_ms"]].min().min()) if len(done) else 0.1
    ax.set_ylim(max(bottom, 0.01) / 1.5, max(top, 1.0) * 12)  # room above the points for the legend
    ax.legend(loc="upper left", fontsize="small", ncols=2)
    return ax
