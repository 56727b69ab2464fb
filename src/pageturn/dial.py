"""The deploy dial: one quarter of Pageturn under the settings you choose.

Lesson 1 uses this module. :func:`deploy_dial` builds an ipywidgets control
panel: sliders for how often Maya's team deploys, how often a deploy breaks
production and how long Sam takes to restore it, a small-batch switch and
buttons for the four DORA clusters. Below the controls sits one picture of a
simulated quarter (readers per hour, deploys, outages and readers lost) and two
scoreboards, Maya's and Sam's, so both jobs win and lose on the same screen.

Every change of a control re-runs :func:`pageturn.simulate` with the same
random seed (the same quarter, only the settings differ) and redraws the
picture in place. To keep that fast the figure is laid out once; the parts
that never change (the axes, labels, legend and the readers-per-hour line) are
drawn once and kept as a bitmap, and only the deploys, outages and readers
lost are drawn again on top of it ("blitting"). :func:`measure_update`
returns the time this takes, for ``make bench``.

The module also holds the two still plots of Lesson 1:
:func:`outage_cost_by_hour` / :func:`plot_outage_cost` (the same outage at
3 pm and at 3 am) and :func:`tradeoff_table` / :func:`plot_tradeoff` (deploy
rarely or often, with big or small batches).

matplotlib and ipywidgets are imported inside the functions that need them,
so ``import pageturn`` stays fast.
"""

from __future__ import annotations

import base64
import html
import io
import math
import time

from pageturn import checks

# Slider ranges. The DORA presets may lie outside these; the dial widens a
# range to include every preset (see _ranges).
DEPLOYS_PER_WEEK_RANGE = (0.25, 50.0)        # deploys per week, log scale
FAILURE_PERCENT_RANGE = (0.0, 60.0)          # percent
RESTORE_MINUTES_RANGE = (5.0, 10080.0)       # minutes, log scale (5 min .. 1 week)
DIAL_WEEKS_MAX = 52                          # the dial simulates at most a year

# CSS classes put on the widgets with add_class, for browser tests and styling.
CSS = {
    "dial": "pageturn-dial",
    "controls": "pageturn-dial-controls",
    "deploys": "pageturn-dial-deploys",
    "failure": "pageturn-dial-failure",
    "restore": "pageturn-dial-restore",
    "small_batch": "pageturn-dial-small-batch",
    "presets": "pageturn-dial-presets",
    "figure": "pageturn-dial-figure",
    "caption": "pageturn-dial-caption",
    "maya": "pageturn-scoreboard-maya",
    "sam": "pageturn-scoreboard-sam",
    "cluster": "pageturn-dial-cluster",
}
PRESET_CSS = "pageturn-preset-{}"            # pageturn-preset-elite, -high, -medium, -low

_FIG_SIZE_INCHES = (9.0, 3.2)
_FIG_DPI = 80                                # 720 x 256 pixels: sharp enough, cheap to encode
_HOURS_PER_WEEK = 168
_GOOD = "#009E73"                            # Okabe-Ito bluish green: better for that person
_BAD = "#D55E00"                             # Okabe-Ito vermillion: worse for that person


def _palette():
    from pageturn.style import PALETTE
    return PALETTE


def _check_weeks_seed(weeks, seed, *, max_weeks=520):
    weeks = checks.number("weeks", weeks, low=1, high=max_weeks, integer=True)
    seed = checks.number("seed", seed, low=0, integer=True)
    return weeks, seed


def _ranges():
    """Slider ranges widened to include every DORA preset."""
    from pageturn import PRESETS
    dep_lo, dep_hi = DEPLOYS_PER_WEEK_RANGE
    fail_lo, fail_hi = FAILURE_PERCENT_RANGE
    res_lo, res_hi = RESTORE_MINUTES_RANGE
    for preset in PRESETS.values():
        d = float(preset.get("deploys_per_week", dep_lo))
        f = 100.0 * float(preset.get("failure_rate", fail_lo / 100))
        r = float(preset.get("time_to_restore_minutes", res_lo))
        dep_lo, dep_hi = min(dep_lo, d), max(dep_hi, d)
        fail_hi = max(fail_hi, math.ceil(f))
        res_lo, res_hi = min(res_lo, r), max(res_hi, r)
    return (dep_lo, dep_hi), (fail_lo, fail_hi), (res_lo, res_hi)


# --------------------------------------------------------------------------
# Text helpers (scoreboards)
# --------------------------------------------------------------------------

def _is_nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def format_days(days) -> str:
    """Format a duration given in days as plain words: '45 minutes', '5.2 hours', '3.1 days'.

    Returns '—' (nothing to show) for NaN or None.
    """
    if _is_nan(days):
        return "—"
    hours = float(days) * 24
    if hours < 1:
        return f"{hours * 60:.0f} minutes"
    if hours < 24:
        return f"{hours:.1f} hours"
    return f"{float(days):.1f} days"


def _change(now, before, *, higher_is_better: bool, fmt) -> str:
    """A short 'better/worse than before' note, in words and colour."""
    if before is None or _is_nan(now) or _is_nan(before) or now == before:
        return ""
    better = (now > before) == higher_is_better
    colour = _GOOD if better else _BAD
    word = "better" if better else "worse"
    arrow = "▲" if now > before else "▼"
    return (f'<div style="color:{colour};font-size:85%;line-height:1.2">{arrow} {word}'
            f' (was {html.escape(fmt(before))})</div>')


def _rows(title, who, rows) -> str:
    body = "".join(f"<tr style='vertical-align:top'><td style='padding:0 1em 0.3em 0'>{html.escape(label)}</td>"
                   f"<td style='padding:0 0 0.3em 0;white-space:nowrap'><b>{html.escape(value)}</b>{note}</td></tr>"
                   for label, value, note in rows)
    return (f"<div role='status' aria-live='polite' aria-label='{html.escape(title)}'>"
            f"<div style='font-weight:bold'>{html.escape(title)}</div>"
            f"<div style='font-size:90%'>{html.escape(who)}</div>"
            f"<table style='border-collapse:collapse;line-height:1.3'>{body}</table></div>")


def maya_scoreboard_html(summary: dict, before: dict | None = None) -> str:
    """HTML for Maya's scoreboard: features shipped and median lead time.

    ``summary`` and ``before`` are dicts from ``Simulation.summary()``; when
    ``before`` is given each number says whether it got better or worse.
    """
    before = before or {}
    shipped = summary["features_shipped"]
    finished = summary["features_finished"]
    lead = summary["lead_time_days_median"]
    rows = [
        ("Features shipped", f"{shipped:,} of {finished:,} finished",
         _change(shipped, before.get("features_shipped"), higher_is_better=True, fmt=lambda v: f"{v:,}")),
        ("Median lead time (finished → in production)", format_days(lead),
         _change(lead, before.get("lead_time_days_median"), higher_is_better=False, fmt=format_days)),
    ]
    return _rows("Maya's scoreboard (building)", "Her win: features reaching readers, fast.", rows)


def sam_scoreboard_html(summary: dict, before: dict | None = None) -> str:
    """HTML for Sam's scoreboard: availability, downtime, readers affected, incidents, night pages.

    ``summary`` and ``before`` are dicts from ``Simulation.summary()``.
    """
    before = before or {}
    b = before.get
    rows = [
        ("Availability", f"{100 * summary['availability']:.3f} %",
         _change(summary["availability"], b("availability"), higher_is_better=True,
                 fmt=lambda v: f"{100 * v:.3f} %")),
        ("Downtime", f"{summary['downtime_minutes']:,.0f} minutes",
         _change(summary["downtime_minutes"], b("downtime_minutes"), higher_is_better=False,
                 fmt=lambda v: f"{v:,.0f} minutes")),
        ("Readers affected", f"{summary['readers_affected']:,.0f} readers",
         _change(summary["readers_affected"], b("readers_affected"), higher_is_better=False,
                 fmt=lambda v: f"{v:,.0f}")),
        ("Incidents", f"{summary['incidents']:,}",
         _change(summary["incidents"], b("incidents"), higher_is_better=False, fmt=lambda v: f"{v:,}")),
        ("Pages at night (22:00–07:00)", f"{summary['pages_at_night']:,}",
         _change(summary["pages_at_night"], b("pages_at_night"), higher_is_better=False,
                 fmt=lambda v: f"{v:,}")),
    ]
    return _rows("Sam's scoreboard (running)", "His win: a quiet site that simply works.", rows)


def describe_view(summary: dict, weeks: int) -> str:
    """One sentence that says what the picture shows, for screen readers and captions."""
    return (f"Picture of {weeks} weeks of Pageturn: {summary['deploys']:,} deploys, "
            f"{summary['incidents']:,} of which broke production; "
            f"{summary['downtime_minutes']:,.0f} minutes down in total and "
            f"{summary['readers_affected']:,.0f} readers affected.")


# --------------------------------------------------------------------------
# The quarter picture
# --------------------------------------------------------------------------

class _QuarterPicture:
    """One matplotlib figure, laid out once, with the moving parts redrawn by blitting."""

    def __init__(self, readers_per_minute, weeks: int):
        import numpy as np
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import LineCollection, PolyCollection
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        orange, sky, green, yellow, blue, vermillion, purple, black = _palette()
        self.weeks = weeks
        hours = len(readers_per_minute) // 60
        per_hour = np.asarray(readers_per_minute[: hours * 60]).reshape(hours, 60).sum(axis=1)
        x = np.arange(hours) / _HOURS_PER_WEEK                     # weeks since Monday 00:00
        top = float(per_hour.max()) * 1.08 or 1.0
        self.tick_y = -0.07 * top                                  # band for the deploy ticks

        self.fig = Figure(figsize=_FIG_SIZE_INCHES, dpi=_FIG_DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        # Fixed margins instead of constrained/tight layout: layout is computed once.
        self.fig.subplots_adjust(left=0.08, right=0.99, bottom=0.15, top=0.78)
        ax = self.ax = self.fig.add_subplot()
        ax.set_xlim(0, hours / _HOURS_PER_WEEK)
        ax.set_ylim(-0.14 * top, top)
        ax.set_xticks(range(0, weeks + 1, max(1, weeks // 13)))
        ax.set_xlabel("time since Monday 5 January 2026 (weeks)")
        ax.set_ylabel("readers per hour")
        self.fig.text(0.01, 0.97, f"{weeks} weeks of Pageturn: readers, deploys and outages",
                      fontsize=11, va="top", weight="bold")
        ax.axhline(0, color=black, lw=0.5)
        ax.plot(x, per_hour, color=blue, lw=0.5)
        ax.legend(handles=[
            Line2D([], [], color=blue, lw=1, label="readers arriving"),
            Patch(facecolor=vermillion, alpha=0.3, edgecolor=vermillion, label="site down"),
            Line2D([], [], color=vermillion, lw=2, label="readers lost"),
            Line2D([], [], color=green, marker="|", ls="", ms=8, label="deploy"),
            Line2D([], [], color=vermillion, marker="x", ls="", ms=6, label="deploy that broke it"),
        ], loc="lower left", bbox_to_anchor=(0, 1.0), ncols=5, frameon=False, fontsize=8,
            handlelength=1.5, columnspacing=1.2)
        # The moving parts: empty now, filled by update().
        self.spans = PolyCollection([], facecolor=vermillion, edgecolor=vermillion, alpha=0.3, lw=0.8)
        self.lost = LineCollection([], colors=vermillion, lw=1.5)
        self.ok = ax.scatter([], [], marker="|", s=50, color=green, lw=1)
        self.bad = ax.scatter([], [], marker="x", s=30, color=vermillion, lw=1.2)
        ax.add_collection(self.spans)
        ax.add_collection(self.lost)
        self._moving = (self.spans, self.lost, self.ok, self.bad)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def update(self, sim) -> bytes:
        """Redraw deploys, outages and readers lost for ``sim``; return the PNG bytes."""
        import numpy as np

        minutes_per_week = 60 * _HOURS_PER_WEEK
        deploys = sim.deploys
        at = deploys["minute"].to_numpy(dtype=float) / minutes_per_week
        failed = deploys["failed"].to_numpy(dtype=bool)
        self.ok.set_offsets(np.column_stack([at[~failed], np.full((~failed).sum(), self.tick_y)]))
        self.bad.set_offsets(np.column_stack([at[failed], np.full(failed.sum(), self.tick_y)]))

        inc = sim.incidents
        start = inc["start_minute"].to_numpy(dtype=float) / minutes_per_week
        end = inc["end_minute"].to_numpy(dtype=float) / minutes_per_week
        y0, y1 = 0.0, self.ax.get_ylim()[1]
        self.spans.set_verts([[(s, y0), (s, y1), (e, y1), (e, y0)] for s, e in zip(start, end)])

        down = np.asarray(sim.down)
        hours = len(down) // 60
        rpm = np.asarray(sim.readers_per_minute)[: hours * 60]
        lost = (rpm * down[: hours * 60]).reshape(hours, 60).sum(axis=1)
        where = np.flatnonzero(lost)
        xs = where / _HOURS_PER_WEEK
        self.lost.set_segments([[(x, 0.0), (x, float(v))] for x, v in zip(xs, lost[where])])

        self.canvas.restore_region(self.background)
        for artist in self._moving:
            self.ax.draw_artist(artist)
        return self.png()

    def png(self) -> bytes:
        """The current canvas as PNG bytes (fast settings: no metadata, light compression)."""
        from PIL import Image
        buffer = self.canvas.buffer_rgba()
        image = Image.frombuffer("RGBA", (buffer.shape[1], buffer.shape[0]), buffer, "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="png", compress_level=1)
        return out.getvalue()


# --------------------------------------------------------------------------
# The dial
# --------------------------------------------------------------------------

def _dial_class():
    """Build the DeployDial class on first use (ipywidgets is imported lazily)."""
    global DeployDial
    if "DeployDial" in globals():
        return DeployDial
    import ipywidgets as widgets

    class DeployDial(widgets.VBox):
        """The deploy dial: controls, one picture of a quarter and two scoreboards.

        Attributes: ``deploys`` (deploys per week), ``failure`` (percent),
        ``restore`` (minutes) sliders; ``small_batch`` toggle; ``preset_buttons``
        (dict name -> Button); ``figure`` (Image, PNG); ``caption``, ``maya``,
        ``sam``, ``cluster`` (HTML); ``summary`` (dict of the current view);
        ``settings`` (dict of simulate() arguments of the current view).
        """

        def _repr_mimebundle_(self, **kwargs):
            # The live widget for JupyterLab with a kernel, plus a still copy of
            # the current view (text/html with the PNG inlined, and image/png)
            # that nbviewer, GitHub or a notebook opened without a kernel can show.
            bundle = super()._repr_mimebundle_(**kwargs) or {}
            bundle["text/html"] = self.static_html()
            bundle["image/png"] = base64.b64encode(self.figure.value).decode("ascii")
            bundle["text/plain"] = "Deploy dial. " + describe_view(self.summary, self._weeks)
            return bundle

        def static_html(self) -> str:
            """A still HTML copy of the current view (picture inlined, scoreboards as text)."""
            png = base64.b64encode(self.figure.value).decode("ascii")
            alt = html.escape(describe_view(self.summary, self._weeks))
            settings = html.escape(settings_text(self.settings))
            return (f"<div class='{CSS['dial']}'><p><i>Still copy of the deploy dial ({settings}). "
                    f"Run the notebook to move the controls.</i></p>"
                    f"<img src='data:image/png;base64,{png}' alt='{alt}'/>"
                    f"<div style='display:flex;gap:2em'>{self.maya.value}{self.sam.value}</div></div>")

        def apply_preset(self, name: str) -> None:
            """Set the controls to a DORA cluster's settings ('elite', 'high', 'medium', 'low').

            Raises:
                ValueError: if ``name`` is not one of the presets.
            """
            from pageturn import PRESETS
            checks.choice("name", name, PRESETS)
            preset = PRESETS[name]
            self._quiet = True                       # one redraw for the whole preset, not four
            try:
                self.deploys.value = preset.get("deploys_per_week", self.deploys.value)
                self.failure.value = 100 * preset.get("failure_rate", self.failure.value / 100)
                self.restore.value = preset.get("time_to_restore_minutes", self.restore.value)
                self.small_batch.value = bool(preset.get("small_batch", False))
            finally:
                self._quiet = False
            self.refresh()

        def refresh(self, change=None) -> None:
            """Re-simulate with the current control values and update the view in place."""
            if self._quiet:
                return
            from pageturn import simulate
            self.small_batch.description = ("Small batches: on" if self.small_batch.value
                                            else "Small batches: off")
            self.failure.description = ("Chance one change breaks it (%)" if self.small_batch.value
                                        else "Chance a deploy breaks it (%)")
            self.settings = dict(deploys_per_week=float(self.deploys.value),
                                 failure_rate=float(self.failure.value) / 100,
                                 time_to_restore_minutes=float(self.restore.value),
                                 small_batch=bool(self.small_batch.value),
                                 weeks=self._weeks, seed=self._seed)
            sim = simulate(**self.settings)
            before, self.summary = self.summary, sim.summary()
            self.figure.value = self._picture.update(sim)
            text = describe_view(self.summary, self._weeks)
            # No tooltip on the Image: ipywidgets 8.1's DOMWidgetView.updateTooltip reads
            # description.length, which an Image model lacks, so its view fails to render.
            # The caption below the picture carries the same sentence for screen readers.
            self.caption.value = f"<span style='font-size:90%'>{html.escape(text)}</span>"
            self.maya.value = maya_scoreboard_html(self.summary, before)
            self.sam.value = sam_scoreboard_html(self.summary, before)
            self.cluster.value = cluster_html(self.summary)

    globals()["DeployDial"] = DeployDial
    return DeployDial


_KEY_WORDS = {"deploys_per_week": "deploy frequency", "lead_time_days_median": "lead time",
              "change_failure_rate": "change failure rate",
              "time_to_restore_minutes_median": "time to restore"}


def cluster_html(summary: dict) -> str:
    """HTML line naming, for each of the four key metrics, the DORA cluster(s) it falls in.

    Uses :func:`pageturn.dora.classify`; a key with no value (for example no
    incident, so no time to restore) shows '—'.
    """
    from pageturn import dora
    found = dora.classify(summary)
    parts = [f"{html.escape(_KEY_WORDS.get(key, key))}: <b>{html.escape(' / '.join(names) or '—')}</b>"
             for key, names in found.items()]
    return ("<span style='font-size:90%'>DORA cluster of each key metric: "
            + "; ".join(parts) + "</span>")


def settings_text(settings: dict) -> str:
    """The dial's settings in plain words, e.g. '5 deploys per week, 15 % of deploys fail, ...'."""
    per = "of changes" if settings.get("small_batch") else "of deploys"
    return (f"{settings['deploys_per_week']:.3g} deploys per week, "
            f"{100 * settings['failure_rate']:.3g} % {per} break production, "
            f"median {settings['time_to_restore_minutes']:,.0f} minutes to restore, "
            f"small batches {'on' if settings.get('small_batch') else 'off'}")


def deploy_dial(weeks: int = 13, seed: int = 0):
    """Build the deploy dial for ``weeks`` simulated weeks (default 13, one quarter).

    The dial opens on ``simulate()``'s defaults (5 deploys per week, 15 % of
    deploys fail, 60 minutes median restore, big batches). Every control change
    re-simulates the same quarter (same ``seed``) and updates the picture and
    scoreboards in place; the returned widget is the whole panel.

    Sliders use ``continuous_update=False``: the simulation runs when a handle
    is released (or on each arrow-key press), not for every pixel it is dragged
    through, so the kernel never queues up stale redraws.

    Args:
        weeks: whole number of weeks to simulate, 1 to 52.
        seed: whole number >= 0; the same seed gives the same quarter.

    Returns:
        DeployDial, an ``ipywidgets.VBox`` (see its attributes).

    Raises:
        ValueError: if ``weeks`` is not a whole number in [1, 52] or ``seed``
            is not a whole number >= 0.
    """
    import ipywidgets as widgets
    from pageturn import PRESETS, simulate

    weeks, seed = _check_weeks_seed(weeks, seed, max_weeks=DIAL_WEEKS_MAX)
    cls = _dial_class()
    (dep_lo, dep_hi), (fail_lo, fail_hi), (res_lo, res_hi) = _ranges()
    label_style = {"description_width": "17em"}
    wide = widgets.Layout(width="42em", max_width="100%")

    deploys = widgets.FloatLogSlider(
        value=5.0, base=10, min=math.log10(dep_lo), max=math.log10(dep_hi), step=0.05,
        description="Deploys per week", readout_format=".2f", continuous_update=False,
        style=label_style, layout=wide,
        tooltip="How many times a week Maya's team puts new code into production (log scale)")
    failure = widgets.FloatSlider(
        value=15.0, min=fail_lo, max=fail_hi, step=1.0, description="Chance a deploy breaks it (%)",
        readout_format=".0f", continuous_update=False, style=label_style, layout=wide,
        tooltip="Percent chance that a deploy (or, with small batches, one change) breaks production")
    restore = widgets.FloatLogSlider(
        value=60.0, base=10, min=math.log10(res_lo), max=math.log10(res_hi), step=0.05,
        description="Median time to restore (minutes)", readout_format=",.0f",
        continuous_update=False, style=label_style, layout=wide,
        tooltip="Typical minutes from a broken deploy until Sam has Pageturn working again (log scale)")
    small_batch = widgets.ToggleButton(
        value=False, description="Small batches: off", icon="cubes",
        tooltip="Ship each deploy with only the changes finished since the last one, "
                "and count the failure chance per change instead of per deploy",
        layout=widgets.Layout(width="14em"))
    preset_buttons = {}
    for name in PRESETS:
        button = widgets.Button(description=name.capitalize(),
                                tooltip=f"Set the controls to a typical DORA '{name}' team",
                                layout=widgets.Layout(width="7em"))
        button.add_class(PRESET_CSS.format(name))
        preset_buttons[name] = button
    figure = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    caption, cluster = widgets.HTML(), widgets.HTML()
    # the two scoreboards side by side (each at least 22em), stacked on narrow screens
    maya, sam = (widgets.HTML(layout=widgets.Layout(flex="1 1 22em", min_width="22em")) for _ in range(2))

    controls = widgets.VBox([
        deploys, failure, restore,
        widgets.HBox([small_batch, widgets.Label("DORA presets:"), *preset_buttons.values()],
                     layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
    ])
    scoreboards = widgets.HBox([maya, sam], layout=widgets.Layout(flex_flow="row wrap", grid_gap="0 1.5em"))
    dial = cls([controls, figure, caption, scoreboards, cluster])
    dial._weeks, dial._seed, dial._quiet = weeks, seed, False
    dial.summary, dial.settings = None, {}
    dial.deploys, dial.failure, dial.restore, dial.small_batch = deploys, failure, restore, small_batch
    dial.preset_buttons, dial.figure, dial.caption = preset_buttons, figure, caption
    dial.maya, dial.sam, dial.cluster = maya, sam, cluster

    first = simulate(weeks=weeks, seed=seed)
    dial._picture = _QuarterPicture(first.readers_per_minute, weeks)

    for widget, css in ((dial, "dial"), (controls, "controls"), (deploys, "deploys"),
                        (failure, "failure"), (restore, "restore"), (small_batch, "small_batch"),
                        (figure, "figure"), (caption, "caption"), (maya, "maya"), (sam, "sam"),
                        (cluster, "cluster")):
        widget.add_class(CSS[css])
    for slider in (deploys, failure, restore, small_batch):
        slider.observe(dial.refresh, names="value")
    for name, button in preset_buttons.items():
        button.on_click(lambda _button, name=name: dial.apply_preset(name))
    dial.refresh()
    return dial


def show_dial(weeks: int = 13, seed: int = 0) -> None:
    """Display the deploy dial in the notebook.

    Shows the live widget where a kernel runs it, and a still copy of its
    first view (picture and scoreboards) where there is none (GitHub,
    nbviewer, HTML export). Returns ``None`` so the dial is not shown twice;
    use :func:`deploy_dial` to keep a handle on the widget.

    Raises:
        ValueError: as :func:`deploy_dial`.
    """
    from IPython.display import display
    display(deploy_dial(weeks=weeks, seed=seed))


def measure_update(n: int = 30, weeks: int = 13, seed: int = 0) -> list[float]:
    """Time the dial's response: seconds from a slider change to the new picture's PNG bytes.

    Builds one dial, then moves the deploys-per-week slider ``n`` times across
    its range (each move is a real change that re-simulates and redraws) and
    returns the ``n`` durations in seconds, in order. Used by ``make bench``.

    Raises:
        ValueError: if ``n`` is not a whole number in [1, 10000], or for bad
            ``weeks``/``seed`` (see :func:`deploy_dial`).
    """
    n = checks.number("n", n, low=1, high=10_000, integer=True)
    dial = deploy_dial(weeks=weeks, seed=seed)
    values = [0.5, 2.0, 8.0, 30.0, 1.0, 50.0, 4.0, 15.0]
    durations = []
    for i in range(n):
        target = values[i % len(values)]
        if math.isclose(dial.deploys.value, target, rel_tol=0.01):
            target = values[(i + 1) % len(values)]
        before = dial.figure.value
        started = time.perf_counter()
        dial.deploys.value = target
        after = dial.figure.value
        durations.append(time.perf_counter() - started)
        if bytes(after) == bytes(before):
            raise RuntimeError(f"the dial did not draw a new picture for {target} deploys per week")
    return durations


# --------------------------------------------------------------------------
# Still plots for Lesson 1
# --------------------------------------------------------------------------

def show_figure(fig) -> None:
    """Display a matplotlib Figure in the notebook as a PNG image.

    The still plots here are made without pyplot (no global state, no inline
    backend needed), so a notebook shows them through this function.

    Raises:
        ValueError: if ``fig`` is not a matplotlib Figure.
    """
    from IPython.display import Image, display
    from matplotlib.figure import Figure
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    out = io.BytesIO()
    fig.savefig(out, format="png")
    display(Image(data=out.getvalue(), format="png"))


def outage_cost_by_hour(outage_minutes: float = 60.0, weeks: int = 1, seed: int = 0):
    """Readers a single outage would affect, by the hour of day it starts.

    Uses the readers of a quiet simulated period (``simulate(..., failure_rate=0)``,
    weekdays only) and, for each start hour 0..23, averages over the weekdays
    how many readers arrive in the ``outage_minutes`` after that hour begins.

    Returns:
        pandas.DataFrame indexed by ``start_hour`` (0..23) with column
        ``readers_affected`` (readers, mean over the weekdays).

    Raises:
        ValueError: if ``outage_minutes`` is not a number in [1, 1440], or for
            bad ``weeks`` (whole number in [1, 520]) or ``seed`` (whole number >= 0).
    """
    import numpy as np
    import pandas as pd
    from pageturn import simulate

    outage_minutes = checks.number("outage_minutes", outage_minutes, low=1, high=1440)
    weeks, seed = _check_weeks_seed(weeks, seed)
    rpm = np.asarray(simulate(failure_rate=0.0, weeks=weeks, seed=seed).readers_per_minute, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(rpm)])
    length = int(round(outage_minutes))
    rows = []
    for hour in range(24):
        starts = [day * 1440 + hour * 60 for day in range(weeks * 7) if day % 7 < 5]
        starts = [s for s in starts if s + length <= len(rpm)]
        affected = [cumulative[s + length] - cumulative[s] for s in starts]
        rows.append((hour, float(np.mean(affected)) if affected else float("nan")))
    return pd.DataFrame(rows, columns=["start_hour", "readers_affected"]).set_index("start_hour")


def plot_outage_cost(table, outage_minutes: float = 60.0, highlight=(3, 15)):
    """Bar chart of :func:`outage_cost_by_hour`'s table; the ``highlight`` hours stand out.

    Returns the matplotlib Figure.
    """
    from matplotlib.figure import Figure
    orange, sky, green, yellow, blue, vermillion, purple, black = _palette()
    fig = Figure(figsize=(8, 3), dpi=90, layout="constrained")
    ax = fig.add_subplot()
    colours = [vermillion if h in highlight else sky for h in table.index]
    ax.bar(table.index, table["readers_affected"], color=colours)
    for h in highlight:
        if h in table.index:
            v = table.loc[h, "readers_affected"]
            ax.annotate(f"{v:,.0f} readers", (h, v), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_xlabel("hour the outage starts (time of day, weekdays)")
    ax.set_ylabel("readers affected (readers)")
    ax.set_title(f"The same {outage_minutes:g}-minute outage, started at different hours")
    ax.margins(y=0.15)
    return fig


def tradeoff_table(deploys_per_week=(0.25, 0.5, 1, 2, 5, 10, 20, 50), *, failure_rate: float = 0.15,
                   change_failure_rate: float = 0.03, time_to_restore_minutes: float = 60.0,
                   weeks: int = 13, seeds=(0, 1, 2)):
    """Lead time and downtime for each deploy frequency, with big and with small batches.

    Big batches use ``failure_rate`` per deploy; small batches use
    ``change_failure_rate`` per change (see :func:`pageturn.simulate`). Each
    setting is simulated for every seed and the results averaged.

    Returns:
        pandas.DataFrame with columns ``deploys_per_week``, ``small_batch``,
        ``lead_time_days_median`` (days), ``downtime_minutes`` (minutes per
        quarter), ``incidents``, ``availability`` (fraction); one row per setting.

    Raises:
        ValueError: from :func:`pageturn.simulate` for values out of range, or
            if ``seeds`` is empty.
    """
    import numpy as np
    import pandas as pd
    from pageturn import simulate

    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got an empty collection")
    rows = []
    for small in (False, True):
        for dpw in deploys_per_week:
            results = [simulate(deploys_per_week=dpw,
                                failure_rate=change_failure_rate if small else failure_rate,
                                time_to_restore_minutes=time_to_restore_minutes, weeks=weeks,
                                seed=s, small_batch=small).summary() for s in seeds]
            rows.append({"deploys_per_week": float(dpw), "small_batch": small,
                         **{k: float(np.nanmean([r[k] for r in results]))
                            for k in ("lead_time_days_median", "downtime_minutes", "incidents",
                                      "availability")}})
    return pd.DataFrame(rows)


def plot_tradeoff(table):
    """Plot :func:`tradeoff_table`: median lead time (days) against downtime (minutes).

    One line per batch mode, one point per deploy frequency, labelled with it.
    Returns the matplotlib Figure.
    """
    from matplotlib.figure import Figure
    orange, sky, green, yellow, blue, vermillion, purple, black = _palette()
    fig = Figure(figsize=(7, 4), dpi=90, layout="constrained")
    ax = fig.add_subplot()
    for small, colour, marker, label in ((False, vermillion, "o", "big batches (failure chance per deploy)"),
                                         (True, blue, "s", "small batches (failure chance per change)")):
        part = table[table["small_batch"] == small].sort_values("deploys_per_week")
        ax.plot(part["lead_time_days_median"], part["downtime_minutes"], marker=marker,
                color=colour, label=label)
        for _, row in part.iterrows():
            ax.annotate(f"{row['deploys_per_week']:g}/wk", (row["lead_time_days_median"], row["downtime_minutes"]),
                        textcoords="offset points", xytext=(4, 4), fontsize=8, color=colour)
    from matplotlib.ticker import FuncFormatter
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_xlabel("Maya: median lead time (days, log scale)")
    ax.set_ylabel("Sam: downtime in the quarter (minutes)")
    ax.set_title("Deploy rarely or often: who wins?")
    ax.legend(fontsize=8)
    return fig
