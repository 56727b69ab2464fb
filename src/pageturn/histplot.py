"""Plots for Lesson 2: latency histograms side by side and a latency heat map.

Both functions draw on a matplotlib ``Axes`` (a new figure if none is given),
label every axis with its unit, use the Okabe–Ito colours of
:mod:`pageturn.style`, and return the ``Axes`` so a notebook can add to it.
matplotlib is imported only when a function is called.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .histogram import Histogram
from .style import PALETTE

LINE_COLOURS = tuple(PALETTE[i] for i in (0, 1, 2, 4, 5, 6, 7, 3))
"""Okabe–Ito colours in the order lines get them: yellow, hard to read on white, comes last."""
MARK_COLOURS = tuple(PALETTE[i] for i in (7, 5, 6, 4))
"""Colours of the labelled vertical marks: black, vermillion, reddish purple, blue."""


def _axes(ax, size):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def plot_histograms(hists: Mapping[str, Histogram], *, title: str, ax=None,
                    marks: Mapping[str, float] | None = None, log_x: bool = True):
    """Draw histograms as step lines, each as the share of its requests per bucket (%).

    Shares rather than counts let a small group (a canary, one server) sit next
    to a big one. ``marks`` draws labelled vertical lines (e.g. ``{"p99": 776.1}``,
    in ms). The x axis is the latency in ms, on a log scale unless ``log_x`` is False.

    Raises:
        ValueError: if ``hists`` is empty or holds something that is not a
            non-empty :class:`~pageturn.histogram.Histogram`, or if more are given
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
        ax.stairs(share, edges, label=label, color=LINE_COLOURS[i], linewidth=2,
                  linestyle=styles[i % len(styles)])
    for j, (label, value) in enumerate((marks or {}).items()):
        colour = MARK_COLOURS[j % len(MARK_COLOURS)]
        ax.axvline(value, color=colour, linestyle=":", linewidth=1.5)
        ax.annotate(f"{label} = {value:,.0f} ms", (value, 1.0), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=9, color=colour)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel("latency (ms" + (", log scale)" if log_x else ")"))
    ax.set_ylabel("share of requests per bucket (%)")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    return ax


def plot_heatmap(table: pd.DataFrame, *, title: str, ax=None, line: pd.Series | None = None):
    """Draw a latency heat map made by :func:`pageturn.histogram.heatmap`.

    Time runs along x, latency (ms, log scale) up y, and the colour of each cell
    is the number of requests in that slot and bucket (log colour scale; empty
    cells stay white). ``line`` (e.g. from
    :func:`~pageturn.histogram.percentile_over_time`) is drawn on top, in ms.

    Raises:
        ValueError: if ``table`` is not a heat map (a DataFrame with a
            DatetimeIndex and an IntervalIndex of positive latency buckets).
    """
    from matplotlib.colors import LinearSegmentedColormap, LogNorm

    if (not isinstance(table, pd.DataFrame) or not isinstance(table.index, pd.DatetimeIndex)
            or not isinstance(table.columns, pd.IntervalIndex) or table.empty):
        raise ValueError("table must be a DataFrame made by pageturn.histogram.heatmap, "
                         f"got {type(table).__name__}")
    edges = np.append(table.columns.left.to_numpy(float), table.columns.right[-1])
    if edges[0] <= 0 or not np.isfinite(edges[-1]):
        raise ValueError("table must have latency buckets with edges in (0, inf) to draw on a log scale, "
                         f"got edges from {edges[0]:g} to {edges[-1]:g} ms")
    step = table.index[1] - table.index[0] if len(table.index) > 1 else pd.Timedelta("1min")
    times = table.index.append(pd.DatetimeIndex([table.index[-1] + step]))
    ax = _axes(ax, (9, 4))
    colours = LinearSegmentedColormap.from_list("pageturn", ["#FFFFFF", PALETTE[1], PALETTE[4], PALETTE[7]])
    counts = table.to_numpy(float).T
    mesh = ax.pcolormesh(times, edges, np.ma.masked_equal(counts, 0), cmap=colours,
                         norm=LogNorm(vmin=1, vmax=max(2.0, counts.max())), shading="flat")
    ax.figure.colorbar(mesh, ax=ax, label="requests per cell (log scale)")
    if line is not None:
        ax.plot(line.index + step / 2, line.to_numpy(float), color=PALETTE[5], linewidth=2,
                label=str(line.name or "line"))
        ax.legend(loc="upper left", frameon=True)
    ax.set_yscale("log")
    ax.set_ylim(edges[0], edges[-1])
    ax.set_xlabel("time (Pageturn's clock)")
    ax.set_ylabel("latency (ms, log scale)")
    ax.set_title(title)
    return ax
