"""Plots of the live fleet, in the course's style (Okabe–Ito colours, titles, labelled axes).

Two sides of the same night:

* :func:`plot_readers` - what readers saw: every request the load generator sent, and the
  ones that failed (a 5xx answer, or no answer at all), from its DataFrame;
* :func:`plot_failures` - what the balancer logged: reader requests and their 5xx answers.
"""

from __future__ import annotations

from pageturn import checks
from pageturn.status import is_server_error

COLUMNS = ["t_s", "requests", "failed"]


def _binned(times, failed, bin_s: float):
    """Count ``times`` (seconds from 0) and the ``failed`` ones (bools) per ``bin_s`` seconds."""
    import pandas as pd

    frame = pd.DataFrame({"bin": [int(t // bin_s) for t in times], "failed": [int(f) for f in failed]})
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    table = frame.groupby("bin").agg(requests=("failed", "size"), failed=("failed", "sum")).reset_index()
    table["t_s"] = table["bin"] * bin_s
    return table[COLUMNS]


def failures_over_time(records, quarantine_at_s: float | None = None, bin_s: float = 0.25):
    """Reader requests through the balancer and those answered 5xx, per ``bin_s`` seconds,
    from balancer records (:meth:`pageturn.live.balancer.Balancer.records`): a DataFrame
    with ``t_s`` (seconds since the first record, start of the bin), ``requests`` and ``failed``."""
    bin_s = checks.number("bin_s", bin_s, low=0.01, high=60)
    rows = [r for r in records if r["reader"] is not None]
    start = rows[0]["time_s"] if rows else 0.0
    return _binned([r["time_s"] - start for r in rows], [is_server_error(r["status"]) for r in rows], bin_s)


def _check_frame(frame):
    import pandas as pd

    if not isinstance(frame, pd.DataFrame) or not {"sent_s", "status"} <= set(frame.columns):
        raise ValueError(f"frame must be a DataFrame from pageturn.live.loadgen.run, got {type(frame).__name__}")


def readers_over_time(frame, bin_s: float = 0.25):
    """What readers saw, per ``bin_s`` seconds, from a load generator DataFrame
    (:func:`pageturn.live.loadgen.run`): a DataFrame with ``t_s`` (seconds since the run
    started, start of the bin, by when each request was sent), ``requests`` (sent) and
    ``failed`` (answered 5xx, or not answered at all: status 0).

    Raises:
        ValueError: if ``frame`` is not such a DataFrame, or ``bin_s`` is not in [0.01, 60].
    """
    _check_frame(frame)
    bin_s = checks.number("bin_s", bin_s, low=0.01, high=60)
    sent = frame[frame["sent_s"].notna()]
    failed = [is_server_error(s) or int(s) == 0 for s in sent["status"]]
    return _binned(sent["sent_s"].tolist(), failed, bin_s)


def _draw(table, bin_s, quarantine_x, ax, title, xlabel, failed_label):
    from pageturn.style import BLACK, SKY_BLUE, VERMILLION, figure

    if ax is None:
        _, ax = figure((8, 3))
    ax.bar(table["t_s"], table["requests"], width=bin_s * 0.9, align="edge", color=SKY_BLUE, label="reader requests")
    ax.bar(
        table["t_s"], table["failed"], width=bin_s * 0.9, align="edge", color=VERMILLION, hatch="//", label=failed_label
    )
    if quarantine_x is not None:
        ax.axvline(quarantine_x, color=BLACK, linestyle="--", label="quarantine + replacement")
    top = float(table["requests"].max()) if len(table) else 1.0
    ax.set_ylim(0, top * 1.5)  # room above the bars for the legend
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"requests per {bin_s:g} s")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_readers(frame, quarantine_at_s: float | None = None, bin_s: float = 0.25, ax=None):
    """Bar chart of what readers saw: the requests the load generator sent (``frame``, from
    :func:`pageturn.live.loadgen.run`) and the ones that failed, per ``bin_s`` s, with a line where
    the quarantine happened (``quarantine_at_s``, seconds since the epoch). Returns the Axes.

    Raises:
        ValueError: as :func:`readers_over_time`.
    """
    table = readers_over_time(frame, bin_s=bin_s)
    x = None
    if quarantine_at_s is not None:
        x = checks.number("quarantine_at_s", quarantine_at_s) - frame.attrs.get("started_at_s", 0.0)
    return _draw(
        table,
        bin_s,
        x,
        ax,
        "What readers saw: their requests and errors (the load generator)",
        "time (s since the load started)",
        "failed (5xx or no answer)",
    )


def plot_failures(records, quarantine_at_s: float | None = None, bin_s: float = 0.25, ax=None):
    """Bar chart of reader requests and of the 5xx answers among them, per ``bin_s`` s, from the
    balancer's log, with a line where the quarantine happened (``quarantine_at_s``, seconds since
    the epoch). Returns the Axes."""
    table = failures_over_time(records, bin_s=bin_s)
    readers = [r for r in records if r["reader"] is not None]
    x = quarantine_at_s - readers[0]["time_s"] if quarantine_at_s is not None and readers else None
    return _draw(
        table,
        bin_s,
        x,
        ax,
        "Reader requests and errors, through the balancer",
        "time (s since the first reader request)",
        "answered 5xx",
    )
