"""Plots of the live fleet, in the course's style (Okabe–Ito colours, titles, labelled axes)."""

from __future__ import annotations

from pageturn import checks
from pageturn.status import is_server_error


def failures_over_time(records, quarantine_at_s: float | None = None, bin_s: float = 0.25):
    """Reader requests through the balancer and those answered 5xx, per ``bin_s`` seconds,
    from balancer records (:meth:`pageturn.live.balancer.Balancer.records`): a DataFrame
    with ``t_s`` (seconds since the first record, start of the bin), ``requests`` and ``failed``."""
    import pandas as pd

    bin_s = checks.number("bin_s", bin_s, low=0.01, high=60)
    rows = [r for r in records if r["reader"] is not None]
    if not rows:
        return pd.DataFrame(columns=["t_s", "requests", "failed"])
    start = rows[0]["time_s"]
    frame = pd.DataFrame(
        {
            "bin": [int((r["time_s"] - start) // bin_s) for r in rows],
            "failed": [int(is_server_error(r["status"])) for r in rows],
        }
    )
    table = frame.groupby("bin").agg(requests=("failed", "size"), failed=("failed", "sum")).reset_index()
    table["t_s"] = table["bin"] * bin_s
    return table[["t_s", "requests", "failed"]]


def plot_failures(records, quarantine_at_s: float | None = None, bin_s: float = 0.25, ax=None):
    """Bar chart of reader requests and of the 5xx answers among them, per ``bin_s`` s, with a line
    where the quarantine happened (``quarantine_at_s``, seconds since the epoch). Returns the Axes."""
    from pageturn.style import BLACK, SKY_BLUE, VERMILLION, figure

    table = failures_over_time(records, bin_s=bin_s)
    if ax is None:
        _, ax = figure((8, 3))
    ax.bar(
        table["t_s"], table["requests"], width=bin_s * 0.9, align="edge", color=SKY_BLUE, label="all reader requests"
    )
    ax.bar(
        table["t_s"],
        table["failed"],
        width=bin_s * 0.9,
        align="edge",
        color=VERMILLION,
        hatch="//",
        label="answered 5xx",
    )
    readers = [r for r in records if r["reader"] is not None]
    if quarantine_at_s is not None and readers:
        x = quarantine_at_s - readers[0]["time_s"]
        ax.axvline(x, color=BLACK, linestyle="--", label="quarantine + replacement")
    top = float(table["requests"].max()) if len(table) else 1.0
    ax.set_ylim(0, top * 1.5)  # room above the bars for the legend
    ax.set_title("Reader requests and errors, through the balancer")
    ax.set_xlabel("time (s since the first reader request)")
    ax.set_ylabel(f"requests per {bin_s:g} s")
    ax.legend(loc="upper right", fontsize="small")
    return ax
