"""Plots for Lesson 2: latency histograms side by side and a latency heat map.

Both functions draw on a matplotlib ``Axes`` (a new figure if none is given),
label every axis with its unit, use the Okabe–Ito colours of
:mod:`pageturn.style`, and return the ``Axes`` so a notebook can add to it.
matplotlib is imported only when a function is called.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pageturn.model.histogram import Histogram
from pageturn.style import PALETTE, WHITE, figure

LINE_COLOURS = tuple(PALETTE[i] for i in (0, 1, 2, 4, 5, 6, 7, 3))
"""Okabe–Ito colours in the order lines get them: yellow, hard to read on white, comes last."""
MARK_COLOURS = tuple(PALETTE[i] for i in (7, 5, 6, 4))
"""Colours of the labelled vertical marks: black, vermillion, reddish purple, blue."""


def _axes(ax, size):
    if ax is None:
        _, ax = figure(size)
    return ax


def plot_histograms(
    hists: Mapping[str, Histogram], *, title: str, ax=None, marks: Mapping[str, float] | None = None, log_x: bool = True
):
    """Draw histograms as step lines, each as the share of its requests per bucket (%).

    Shares rather than counts let a small group (a canary, one server) sit next
    to a big one. ``marks`` draws labelled vertical lines (e.g. ``{"p99": 776.1}``,
    in ms). The x axis is the latency in ms, on a log scale unless ``log_x`` is False.

    Raises:
        ValueError: if ``hists`` is empty or holds something that is not a
            non-empty :class:`~pageturn.model.histogram.Histogram`, or if more are given
            than the palette has colours (8).
    """
    if not isinstance(hists, Mapping) or not hists:
        raise ValueError(f"hists must be a non-empty mapping of label -> Histogram, got {hists!r:.80}")
    if len(hists) > len(PALETTE):
        raise ValueError(f"hists must hold at most {len(PALETTE)} histograms, got {len(hists)}")
    for label, h in hists.items():
        if not isinstance(h, Histogram) or h.count == 0:
            raise ValueError(f"hists[{label!r}] must be a non-empty Histogram, got {h!r:.80}")
    ax = _axes(ax, (8, 3.6))
    styles = ["-", "--", "-.", ":"]
    for i, (label, h) in enumerate(hists.items()):
        share = 100.0 * h.counts / h.count
        edges = h.edges.copy()
        if log_x and edges[0] <= 0:
            edges[0] = edges[1] / 2
        ax.stairs(share, edges, label=label, color=LINE_COLOURS[i], linewidth=2, linestyle=styles[i % len(styles)])
    for j, (label, value) in enumerate((marks or {}).items()):
        colour = MARK_COLOURS[j % len(MARK_COLOURS)]
        ax.axvline(value, color=colour, linestyle=":", linewidth=1.5)
        ax.annotate(
            f"{label} = {value:,.0f} ms",
            (value, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=9,
            color=colour,
        )
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel("latency (ms" + (", log scale)" if log_x else ")"))
    ax.set_ylabel("share of requests per bucket (%)")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    return ax


def plot_heatmap(table: pd.DataFrame, *, title: str, ax=None, line: pd.Series | None = None):
    """Draw a latency heat map made by :func:`pageturn.model.histogram.heatmap`.

    Time runs along x, latency (ms, log scale) up y, and the colour of each cell
    is the number of requests in that slot and bucket (log colour scale; empty
    cells stay white). ``line`` (e.g. from
    :func:`~pageturn.model.histogram.percentile_over_time`) is drawn on top, in ms.

    Raises:
        ValueError: if ``table`` is not a heat map (a DataFrame with a
            DatetimeIndex and an IntervalIndex of positive latency buckets).
    """
    from matplotlib.colors import LinearSegmentedColormap, LogNorm

    if (
        not isinstance(table, pd.DataFrame)
        or not isinstance(table.index, pd.DatetimeIndex)
        or not isinstance(table.columns, pd.IntervalIndex)
        or table.empty
    ):
        raise ValueError(
            f"table must be a DataFrame made by pageturn.model.histogram.heatmap, got {type(table).__name__}"
        )
    edges = np.append(table.columns.left.to_numpy(float), table.columns.right[-1])
    if edges[0] <= 0 or not np.isfinite(edges[-1]):
        raise ValueError(
            "table must have latency buckets with edges in (0, inf) to draw on a log scale, "
            f"got edges from {edges[0]:g} to {edges[-1]:g} ms"
        )
    step = table.index[1] - table.index[0] if len(table.index) > 1 else pd.Timedelta("1min")
    times = table.index.append(pd.DatetimeIndex([table.index[-1] + step]))
    ax = _axes(ax, (9, 4))
    colours = LinearSegmentedColormap.from_list("pageturn", [WHITE, PALETTE[1], PALETTE[4], PALETTE[7]])
    counts = table.to_numpy(float).T
    mesh = ax.pcolormesh(
        times,
        edges,
        np.ma.masked_equal(counts, 0),
        cmap=colours,
        norm=LogNorm(vmin=1, vmax=max(2.0, counts.max())),
        shading="flat",
    )
    ax.figure.colorbar(mesh, ax=ax, label="requests per cell (log scale)")
    if line is not None:
        ax.plot(
            line.index + step / 2, line.to_numpy(float), color=PALETTE[5], linewidth=2, label=str(line.name or "line")
        )
        ax.legend(loc="upper left", frameon=True)
    ax.set_yscale("log")
    ax.set_ylim(edges[0], edges[-1])
    ax.set_xlabel("time (Pageturn's clock)")
    ax.set_ylabel("latency (ms, log scale)")
    ax.set_title(title)
    return ax


def plot_group_percentiles(per_group: pd.Series, overall: float, *, title: str, p: float = 99, ax=None):
    """Bars of each group's ``p``-th percentile (ms), with the true overall one and the mean of the bars.

    Shows at a glance that the true percentile lies between the smallest and the
    largest group's, and that nothing ties it to their mean.

    Raises:
        ValueError: if ``per_group`` is not a non-empty Series of numbers or ``overall`` is not a number.
    """
    from pageturn.checks import number

    if not isinstance(per_group, pd.Series) or per_group.empty:
        raise ValueError(f"per_group must be a non-empty pandas Series of percentiles (ms), got {per_group!r:.80}")
    overall = number("overall", overall)
    ax = _axes(ax, (7, 3.2))
    ax.bar(
        [str(i) for i in per_group.index], per_group.to_numpy(float), color=PALETTE[1], label=f"each group's own p{p:g}"
    )
    ax.axhline(overall, color=PALETTE[5], linewidth=2, label=f"true overall p{p:g}: {overall:,.0f} ms")
    ax.axhline(
        float(per_group.mean()),
        color=PALETTE[7],
        linestyle="--",
        label=f"mean of the p{p:g}s: {per_group.mean():,.0f} ms",
    )
    ax.set(title=title, xlabel=str(per_group.index.name or "group"), ylabel=f"p{p:g} latency (ms)")
    ax.legend(loc="upper left", frameon=False)
    return ax


def plot_bucket_widths(
    layouts: Mapping[str, np.ndarray], *, title: str = "Bucket width across the latency range", ax=None
):
    """Step lines of each layout's bucket width (ms) against the bucket's upper edge (ms), log-log.

    ``layouts`` maps a label to bucket edges in ms (all > 0).

    Raises:
        ValueError: if ``layouts`` is empty, or a layout is not at least 2 increasing edges > 0.
    """
    if not isinstance(layouts, Mapping) or not layouts:
        raise ValueError(f"layouts must be a non-empty mapping of label -> edges (ms), got {layouts!r:.80}")
    ax = _axes(ax, (7, 3.4))
    styles = ["-", "--", "-.", ":"]
    for i, (label, edges) in enumerate(layouts.items()):
        e = np.asarray(edges, dtype=float)
        if e.ndim != 1 or e.size < 2 or not (np.diff(e) > 0).all():
            raise ValueError(f"layouts[{label!r}] must be at least 2 strictly increasing edges, got {edges!r:.80}")
        ax.step(
            e[1:],
            np.diff(e),
            where="post",
            color=LINE_COLOURS[(i + 3) % len(LINE_COLOURS)],
            linewidth=2,
            linestyle=styles[i % len(styles)],
            label=label,
        )
    ax.set(
        xscale="log", yscale="log", title=title, xlabel="latency (ms, log scale)", ylabel="bucket width (ms, log scale)"
    )
    ax.legend(frameon=False)
    return ax


def plot_fanout(max_calls: int = 100, marks=(10, 50, 100), p: float = 99.0, ax=None):
    """The share of pages (%) that wait for at least one call slower than the backends'
    ``p``-th percentile, for 1 to ``max_calls`` independent calls per page, with labelled marks.

    Raises:
        ValueError: if ``max_calls`` is not a whole number in [2, 10000] or a mark is outside 1..max_calls.
    """
    from pageturn.checks import number
    from pageturn.model.histogram import fanout_probability

    max_calls = number("max_calls", max_calls, low=2, high=10_000, integer=True)
    marks = [number("marks", k, low=1, high=max_calls, integer=True) for k in marks]
    n = np.arange(1, max_calls + 1)
    ax = _axes(ax, (7, 3.2))
    ax.plot(n, 100 * (1 - (p / 100) ** n), color=PALETTE[4], linewidth=2)
    for k in marks:
        share = 100 * fanout_probability(k, p)
        last = k == max(marks)
        ax.plot(k, share, "o", color=PALETTE[7])
        ax.annotate(
            f"N = {k}: {share:.0f} %",
            (k, share),
            textcoords="offset points",
            xytext=(-8, 8) if last else (8, -16),
            ha="right" if last else "left",
            color=PALETTE[7],
        )
    ax.set(
        title=f"Pages that wait for at least one call slower than the p{p:g}",
        xlabel="backend calls per page, N",
        ylabel="share of pages (%)",
        ylim=(0, 100),
    )
    return ax


def plot_outcome_heatmaps(
    ok: pd.DataFrame,
    failed: pd.DataFrame,
    *,
    title: str,
    ok_line: pd.Series | None = None,
    error_share: pd.Series | None = None,
):
    """Two latency heat maps one above the other, on the same time and latency axes:
    the successful requests (with ``ok_line``, e.g. their p99) and the failed ones
    (with ``error_share``, the share of requests that failed in each slot, 0..1,
    drawn in % on a right-hand axis). Returns the figure.

    Keeping failed requests apart is what the SRE book advises: a fast error must
    neither flatter the latency of the requests that worked nor hide in it.

    Raises:
        ValueError: as :func:`plot_heatmap`, or if the two tables' slots or buckets differ.
    """
    for name, table in (("ok", ok), ("failed", failed)):
        if not isinstance(table, pd.DataFrame) or not isinstance(table.columns, pd.IntervalIndex):
            raise ValueError(
                f"{name} must be a DataFrame made by pageturn.model.histogram.heatmap, got {type(table).__name__}"
            )
    if not ok.columns.equals(failed.columns):
        raise ValueError("ok and failed must use the same latency buckets")
    failed = failed.reindex(index=ok.index, fill_value=0)
    fig, (top, bottom) = figure((9, 6), 2, 1, sharex=True)
    plot_heatmap(ok, title=f"{title}: successful requests", ax=top, line=ok_line)
    plot_heatmap(failed, title=f"{title}: failed requests (5xx)", ax=bottom)
    if error_share is not None:
        step = ok.index[1] - ok.index[0] if len(ok.index) > 1 else pd.Timedelta("1min")
        right = bottom.twinx()
        right.plot(
            error_share.index + step / 2,
            100 * error_share.to_numpy(float),
            color=PALETTE[5],
            linewidth=2,
            label="share of requests that failed (%)",
        )
        right.set_ylabel("requests that failed (%)")
        right.set_ylim(0, 100)
        right.legend(loc="upper right", frameon=True)
    top.set_xlabel("")
    return fig


def side_by_side(size=(12, 3.6)):
    """A new figure with two axes side by side (fixed layout); returns the two Axes."""
    _, (left, right) = figure(size, 1, 2)
    return left, right
