"""The deploy dial: one quarter of Pageturn under the settings you choose.

Lesson 1 uses this module. :func:`deploy_dial` builds an ipywidgets control
panel: sliders for how often Maya's team deploys, how often a deploy fails on
its own, how often one change carries a fault and how long Sam takes to
restore; a switch for each mechanism of :mod:`pageturn.model.sim`; buttons for the
"every deploy equally risky" world, the course's world and the four DORA
clusters. Below the controls sits one picture of a
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
3 pm and at 3 am) and :func:`mechanism_table` / :func:`plot_mechanisms` (deploy
rarely or often, as the mechanisms are switched on one at a time).

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
from pageturn.style import GREEN, VERMILLION, figure, show_figure  # noqa: F401 - saved notebooks import show_figure from here

# Slider ranges. The DORA presets may lie outside these; the dial widens a
# range to include every preset (see _ranges).
DEPLOYS_PER_WEEK_RANGE = (0.25, 50.0)  # deploys per week, log scale
FAILURE_PERCENT_RANGE = (0.0, 60.0)  # percent: a deploy failing on its own
DEFECT_PERCENT_RANGE = (0.0, 30.0)  # percent: one change carrying a fault
RESTORE_MINUTES_RANGE = (5.0, 10080.0)  # minutes, log scale (5 min .. 1 week)
DIAL_WEEKS_MAX = 52  # the dial simulates at most a year

# CSS classes put on the widgets with add_class, for browser tests and styling.
CSS = {
    "dial": "pageturn-dial",
    "controls": "pageturn-dial-controls",
    "deploys": "pageturn-dial-deploys",
    "failure": "pageturn-dial-failure",
    "restore": "pageturn-dial-restore",
    "defects": "pageturn-dial-defects",
    "mechanisms": "pageturn-dial-mechanisms",
    "worlds": "pageturn-dial-worlds",
    "presets": "pageturn-dial-presets",
    "figure": "pageturn-dial-figure",
    "caption": "pageturn-dial-caption",
    "maya": "pageturn-scoreboard-maya",
    "sam": "pageturn-scoreboard-sam",
    "cluster": "pageturn-dial-cluster",
}
PRESET_CSS = "pageturn-preset-{}"  # pageturn-preset-elite, -high, -medium, -low
WORLD_CSS = "pageturn-world-{}"  # pageturn-world-equal_risk, -faults_in_changes, -course
MECHANISM_CSS = "pageturn-mechanism-{}"  # pageturn-mechanism-review_catch, ...

# The three mechanism switches: (simulate() argument, value when off, label, tooltip).
SWITCHES = {
    "review_catch": (
        "review_catch",
        0.0,
        "Review and tests catch faults",
        "Review and tests stop a share of faulty changes before they ship: half of them in "
        "a deploy of one change, fewer as the batch grows",
    ),
    "slow_diagnosis": (
        "restore_growth",
        0.0,
        "Big batches take longer to diagnose",
        "A failed deploy of n changes takes the square root of n times longer to restore: "
        "there is more to search through",
    ),
    "fix_forward": (
        "fix_forward_factor",
        1.0,
        "Big batches are fixed forward",
        "A deploy of up to 3 changes is rolled back; a bigger one must be fixed forward, which takes 3 times longer",
    ),
}
WORLDS = {
    "equal_risk": ("Every deploy equally risky", ()),
    "faults_in_changes": ("Faults live in changes", ("faults_in_changes",)),
    "course": ("All mechanisms on", ("faults_in_changes", "review_catch", "slow_diagnosis", "fix_forward")),
}
"""The world buttons: label and the mechanisms of :data:`pageturn.model.sim.MECHANISMS` they switch on."""

_FIG_SIZE_INCHES = (9.0, 3.2)
_FIG_DPI = 80  # 720 x 256 pixels: sharp enough, cheap to encode
_HOURS_PER_WEEK = 168
_GOOD = GREEN  # Okabe-Ito bluish green: better for that person
_BAD = VERMILLION  # Okabe-Ito vermillion: worse for that person


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
        f = 100.0 * float(preset.get("deploy_failure_rate", fail_lo / 100))
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
    return (
        f'<div style="color:{colour};font-size:85%;line-height:1.2">{arrow} {word}'
        f" (was {html.escape(fmt(before))})</div>"
    )


def _rows(title, who, rows) -> str:
    body = "".join(
        f"<tr style='vertical-align:top'><td style='padding:0 1em 0.3em 0'>{html.escape(label)}</td>"
        f"<td style='padding:0 0 0.3em 0;white-space:nowrap'><b>{html.escape(value)}</b>{note}</td></tr>"
        for label, value, note in rows
    )
    return (
        f"<div role='status' aria-live='polite' aria-label='{html.escape(title)}'>"
        f"<div style='font-weight:bold'>{html.escape(title)}</div>"
        f"<div style='font-size:90%'>{html.escape(who)}</div>"
        f"<table style='border-collapse:collapse;line-height:1.3'>{body}</table></div>"
    )


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
        (
            "Features shipped",
            f"{shipped:,} of {finished:,} finished",
            _change(shipped, before.get("features_shipped"), higher_is_better=True, fmt=lambda v: f"{v:,}"),
        ),
        (
            "Median lead time (finished → in production)",
            format_days(lead),
            _change(lead, before.get("lead_time_days_median"), higher_is_better=False, fmt=format_days),
        ),
    ]
    if "faults_caught" in summary:
        caught, faulty = summary["faults_caught"], summary["faults_caught"] + summary["faults_shipped"]
        rows.append(
            (
                "Faulty changes caught by review and tests",
                f"{caught:,} of {faulty:,}",
                _change(caught, before.get("faults_caught"), higher_is_better=True, fmt=lambda v: f"{v:,}"),
            )
        )
    return _rows("Maya's scoreboard (building)", "Her win: features reaching readers, fast.", rows)


def budget_text(left_minutes: float, budget_minutes: float) -> str:
    """The error budget in words: '45 of 131 minutes left' or 'overspent by 300 minutes (of 131)'."""
    if left_minutes >= 0:
        return f"{left_minutes:,.0f} of {budget_minutes:,.0f} minutes left"
    return f"overspent by {-left_minutes:,.0f} minutes (of {budget_minutes:,.0f})"


def sam_scoreboard_html(summary: dict, before: dict | None = None) -> str:
    """HTML for Sam's scoreboard: availability, error budget left, downtime, readers affected,
    incidents, night pages.

    The error budget is the downtime that a 99.9 % availability target allows
    over the simulated period (:data:`pageturn.model.sim.SLO_TARGET`; 131 minutes in
    a quarter). ``summary`` and ``before`` are dicts from ``Simulation.summary()``.
    """
    before = before or {}
    b = before.get
    budget = summary["error_budget_minutes"]
    rows = [
        (
            "Availability",
            f"{100 * summary['availability']:.3f} %",
            _change(
                summary["availability"], b("availability"), higher_is_better=True, fmt=lambda v: f"{100 * v:.3f} %"
            ),
        ),
        (
            "Error budget (99.9 % target)",
            budget_text(summary["error_budget_left_minutes"], budget),
            _change(
                summary["error_budget_left_minutes"],
                b("error_budget_left_minutes"),
                higher_is_better=True,
                fmt=lambda v: budget_text(v, budget),
            ),
        ),
        (
            "Downtime",
            f"{summary['downtime_minutes']:,.0f} minutes",
            _change(
                summary["downtime_minutes"],
                b("downtime_minutes"),
                higher_is_better=False,
                fmt=lambda v: f"{v:,.0f} minutes",
            ),
        ),
        (
            "Readers affected",
            f"{summary['readers_affected']:,.0f} readers",
            _change(
                summary["readers_affected"], b("readers_affected"), higher_is_better=False, fmt=lambda v: f"{v:,.0f}"
            ),
        ),
        (
            "Incidents",
            f"{summary['incidents']:,}",
            _change(summary["incidents"], b("incidents"), higher_is_better=False, fmt=lambda v: f"{v:,}"),
        ),
        (
            "Pages at night (22:00–07:00)",
            f"{summary['pages_at_night']:,}",
            _change(summary["pages_at_night"], b("pages_at_night"), higher_is_better=False, fmt=lambda v: f"{v:,}"),
        ),
    ]
    return _rows("Sam's scoreboard (running)", "His win: a quiet site that simply works.", rows)


def describe_view(summary: dict, weeks: int) -> str:
    """One sentence that says what the picture shows, for screen readers and captions."""
    return (
        f"Picture of {weeks} weeks of Pageturn: {summary['deploys']:,} deploys, "
        f"{summary['incidents']:,} of which broke production; "
        f"{summary['downtime_minutes']:,.0f} minutes down in total and "
        f"{summary['readers_affected']:,.0f} readers affected."
    )


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
        x = np.arange(hours) / _HOURS_PER_WEEK  # weeks since Monday 00:00
        top = float(per_hour.max()) * 1.08 or 1.0
        self.tick_y = -0.07 * top  # band for the deploy ticks

        # Not style.figure(): the dial blits onto a fixed-layout Figure of its own canvas.
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
        self.fig.text(
            0.01, 0.97, f"{weeks} weeks of Pageturn: readers, deploys and outages", fontsize=11, va="top", weight="bold"
        )
        ax.axhline(0, color=black, lw=0.5)
        ax.plot(x, per_hour, color=blue, lw=0.5)
        ax.legend(
            handles=[
                Line2D([], [], color=blue, lw=1, label="readers arriving"),
                Patch(facecolor=vermillion, alpha=0.3, edgecolor=vermillion, label="site down"),
                Line2D([], [], color=vermillion, lw=2, label="readers lost"),
                Line2D([], [], color=green, marker="|", ls="", ms=8, label="deploy"),
                Line2D([], [], color=vermillion, marker="x", ls="", ms=6, label="deploy that broke it"),
            ],
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=5,
            frameon=False,
            fontsize=8,
            handlelength=1.5,
            columnspacing=1.2,
        )
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


class DeployDial:
    """The deploy dial: controls, one picture of a quarter and two scoreboards.

    Built like the course's other widgets (the quiz, the admin panel): the
    constructor builds every ipywidget once, ``widget`` is the whole panel (an
    ``ipywidgets.VBox``), and the object displays itself (:meth:`mimebundle`)
    when it is the last line of a cell. Arguments as :func:`deploy_dial`.

    Attributes: ``deploys`` (deploys per week), ``failure`` (percent of
    deploys failing on their own), ``defects`` (percent of changes with a
    fault), ``restore`` (minutes) sliders; ``switches`` (dict mechanism ->
    Checkbox, see :data:`SWITCHES`); ``world_buttons`` and ``preset_buttons``
    (dict name -> Button); ``figure`` (Image, PNG); ``caption``, ``maya``,
    ``sam``, ``cluster`` (HTML); ``summary`` (dict of the current view);
    ``settings`` (dict of simulate() arguments of the current view).

    Raises:
        ValueError: as :func:`deploy_dial`.
    """

    def __init__(self, weeks: int = 13, seed: int = 0, world: str = "equal_risk"):
        import ipywidgets as widgets

        from pageturn import PRESETS, simulate
        from pageturn.model.sim import MECHANISMS

        weeks, seed = _check_weeks_seed(weeks, seed, max_weeks=DIAL_WEEKS_MAX)
        checks.choice("world", world, WORLDS)
        (dep_lo, dep_hi), (fail_lo, fail_hi), (res_lo, res_hi) = _ranges()
        label_style = {"description_width": "17em"}
        wide = widgets.Layout(width="42em", max_width="100%")

        deploys = widgets.FloatLogSlider(
            value=5.0,
            base=10,
            min=math.log10(dep_lo),
            max=math.log10(dep_hi),
            step=0.05,
            description="Deploys per week",
            readout_format=".2f",
            continuous_update=False,
            style=label_style,
            layout=wide,
            tooltip="How many times a week Maya's team puts new code into production (log scale)",
        )
        failure = widgets.FloatSlider(
            value=10.0,
            min=fail_lo,
            max=fail_hi,
            step=0.1,
            description="Chance a deploy fails on its own (%)",
            readout_format=".1f",
            continuous_update=False,
            style=label_style,
            layout=wide,
            tooltip="Percent chance that the act of deploying breaks production, whatever the deploy carries",
        )
        defects = widgets.FloatSlider(
            value=0.0,
            min=DEFECT_PERCENT_RANGE[0],
            max=DEFECT_PERCENT_RANGE[1],
            step=0.5,
            description="Chance one change has a fault (%)",
            readout_format=".1f",
            continuous_update=False,
            style=label_style,
            layout=wide,
            tooltip="Percent chance that one finished change carries a fault that breaks production if it ships",
        )
        restore = widgets.FloatLogSlider(
            value=45.0,
            base=10,
            min=math.log10(res_lo),
            max=math.log10(res_hi),
            step=0.05,
            description="Median time to restore (minutes)",
            readout_format=",.0f",
            continuous_update=False,
            style=label_style,
            layout=wide,
            tooltip=(
                "Typical minutes from a broken deploy of one change until Sam has Pageturn working again (log scale)"
            ),
        )
        switches = {}
        for name, (_arg, _off, label, tip) in SWITCHES.items():
            box = widgets.Checkbox(
                value=False, description=label, tooltip=tip, indent=False, layout=widgets.Layout(width="20em")
            )
            box.add_class(MECHANISM_CSS.format(name))
            switches[name] = box
        world_buttons = {}
        for name, (label, _mechs) in WORLDS.items():
            button = widgets.Button(
                description=label,
                tooltip=f"Set every control to the world '{label}' (the deploy frequency stays)",
                layout=widgets.Layout(width="16em"),
            )
            button.add_class(WORLD_CSS.format(name))
            world_buttons[name] = button
        preset_buttons = {}
        for name in PRESETS:
            button = widgets.Button(
                description=name.capitalize(),
                tooltip=f"Set the controls to settings that land in DORA's '{name}' cluster",
                layout=widgets.Layout(width="7em"),
            )
            button.add_class(PRESET_CSS.format(name))
            preset_buttons[name] = button
        figure = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        caption, cluster = widgets.HTML(), widgets.HTML()
        # the two scoreboards side by side (each at least 22em), stacked on narrow screens
        maya, sam = (widgets.HTML(layout=widgets.Layout(flex="1 1 22em", min_width="22em")) for _ in range(2))

        row = widgets.Layout(flex_flow="row wrap", align_items="center")
        mechanisms = widgets.HBox([widgets.Label("Mechanisms:"), *switches.values()], layout=row)
        worlds = widgets.HBox([widgets.Label("Worlds:"), *world_buttons.values()], layout=row)
        controls = widgets.VBox(
            [
                deploys,
                failure,
                defects,
                restore,
                mechanisms,
                worlds,
                widgets.HBox([widgets.Label("DORA presets:"), *preset_buttons.values()], layout=row),
            ]
        )
        scoreboards = widgets.HBox([maya, sam], layout=widgets.Layout(flex_flow="row wrap", grid_gap="0 1.5em"))
        self.widget = widgets.VBox([controls, figure, caption, scoreboards, cluster])
        self._weeks, self._seed, self._quiet = weeks, seed, False
        self.summary, self.settings, self.long_summary = None, {}, None
        self.deploys, self.failure, self.defects, self.restore = deploys, failure, defects, restore
        self.switches, self.world_buttons = switches, world_buttons
        self.preset_buttons, self.figure, self.caption = preset_buttons, figure, caption
        self.maya, self.sam, self.cluster = maya, sam, cluster
        self._on_values = {k: MECHANISMS[k][1][SWITCHES[k][0]] for k in SWITCHES}
        self._fixed = {}

        first = simulate(weeks=weeks, seed=seed)
        self._picture = _QuarterPicture(first.readers_per_minute, weeks)

        for widget, css in (
            (self.widget, "dial"),
            (controls, "controls"),
            (deploys, "deploys"),
            (failure, "failure"),
            (defects, "defects"),
            (restore, "restore"),
            (mechanisms, "mechanisms"),
            (worlds, "worlds"),
            (figure, "figure"),
            (caption, "caption"),
            (maya, "maya"),
            (sam, "sam"),
            (cluster, "cluster"),
        ):
            widget.add_class(CSS[css])
        for control in (deploys, failure, defects, restore, *switches.values()):
            control.observe(self.refresh, names="value")
        for name, button in preset_buttons.items():
            button.on_click(lambda _button, name=name: self.apply_preset(name))
        for name, button in world_buttons.items():
            button.on_click(lambda _button, name=name: self.apply_world(name))
        self.apply_world(world)

    def mimebundle(self) -> dict:
        """The display bundle: the live widget view for JupyterLab with a kernel, plus a still
        copy of the current view (``text/html`` with the PNG inlined, ``image/png`` and
        ``text/plain``) that nbviewer, GitHub or a notebook opened without a kernel can show."""
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/html"] = self.static_html()
        bundle["image/png"] = base64.b64encode(self.figure.value).decode("ascii")
        bundle["text/plain"] = "Deploy dial. " + describe_view(self.summary, self._weeks)
        return bundle

    def _ipython_display_(self):
        from IPython.display import display

        display(self.mimebundle(), raw=True)

    def static_html(self) -> str:
        """A still HTML copy of the current view (picture inlined, scoreboards as text)."""
        png = base64.b64encode(self.figure.value).decode("ascii")
        alt = html.escape(describe_view(self.summary, self._weeks))
        settings = html.escape(settings_text(self.settings))
        return (
            f"<div class='{CSS['dial']}'><p><i>Still copy of the deploy dial ({settings}). "
            f"Run the notebook to move the controls.</i></p>"
            f"<img src='data:image/png;base64,{png}' alt='{alt}'/>"
            f"<div style='display:flex;gap:2em'>{self.maya.value}{self.sam.value}</div></div>"
        )

    def _set_controls(self, settings: dict) -> None:
        """Put ``settings`` (simulate() arguments) on the controls, with one redraw."""
        from pageturn.model.sim import DEFAULTS

        full = {**DEFAULTS, **settings}
        self._quiet = True  # one redraw for the whole change, not one per control
        try:
            self.deploys.value = full["deploys_per_week"]
            self.failure.value = 100 * full["deploy_failure_rate"]
            self.defects.value = 100 * full["defect_rate"]
            self.restore.value = full["time_to_restore_minutes"]
            self._fixed = {k: full[k] for k in ("features_per_week", "rollback_max_batch", "full_outage_max_minutes")}
            for name, (arg, off, _label, _tip) in SWITCHES.items():
                on = full[arg] != off
                if on:
                    self._on_values[name] = full[arg]
                self.switches[name].value = on
        finally:
            self._quiet = False
        self.refresh()

    def apply_preset(self, name: str) -> None:
        """Set the controls to a DORA cluster's settings ('elite', 'high', 'medium', 'low').

        Raises:
            ValueError: if ``name`` is not one of the presets.
        """
        from pageturn import PRESETS

        checks.choice("name", name, PRESETS)
        self._set_controls(PRESETS[name])

    def apply_world(self, name: str) -> None:
        """Set the controls to a world of :data:`WORLDS`: 'equal_risk', 'faults_in_changes' or 'course'.

        The deploy frequency stays where it is; everything else is set.

        Raises:
            ValueError: if ``name`` is not one of :data:`WORLDS`.
        """
        from pageturn.model.sim import MECHANISMS, mechanisms_on

        checks.choice("name", name, WORLDS)
        self._on_values = {k: MECHANISMS[k][1][SWITCHES[k][0]] for k in SWITCHES}
        self._set_controls(dict(mechanisms_on(*WORLDS[name][1]), deploys_per_week=float(self.deploys.value)))

    def refresh(self, change=None) -> None:
        """Re-simulate with the current control values and update the view in place."""
        if self._quiet:
            return
        from pageturn import simulate

        self.settings = dict(
            deploys_per_week=float(self.deploys.value),
            deploy_failure_rate=float(self.failure.value) / 100,
            defect_rate=float(self.defects.value) / 100,
            time_to_restore_minutes=float(self.restore.value),
            **self._fixed,
            weeks=self._weeks,
            seed=self._seed,
        )
        for name, (arg, off, _label, _tip) in SWITCHES.items():
            self.settings[arg] = self._on_values[name] if self.switches[name].value else off
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
        # The clusters need more deploys than a quarter holds: classify a long run of the same settings.
        from pageturn.model.dora import PRESET_WEEKS

        self.long_summary = simulate(**dict(self.settings, weeks=PRESET_WEEKS)).summary()
        self.cluster.value = cluster_html(self.summary, self.long_summary, PRESET_WEEKS)


_KEY_WORDS = {
    "deploys_per_week": "deploy frequency",
    "lead_time_days_median": "lead time",
    "change_failure_rate": "change failure rate",
    "time_to_restore_minutes_median": "time to restore",
}


def cluster_html(summary: dict, long_summary: dict | None = None, long_weeks: int | None = None) -> str:
    """HTML naming, for each of the four key metrics, the DORA cluster(s) it falls in.

    Uses :func:`pageturn.model.dora.classify`; a key with no value (for example no
    incident, so no time to restore) shows '—'. ``summary`` is the quarter on
    screen. ``long_summary``, if given, is the same settings simulated for
    ``long_weeks`` weeks: a team that deploys a few times a quarter has too few
    deploys for one quarter to pin its change failure rate, so the long run is
    shown first. The clusters are those of one year's survey (see :mod:`pageturn.model.dora`).
    """
    from pageturn.model import dora

    def line(found):
        return "; ".join(
            f"{html.escape(_KEY_WORDS.get(key, key))}: <b>{html.escape(' / '.join(names) or '—')}</b>"
            for key, names in found.items()
        )

    parts = []
    if long_summary is not None:
        years = (long_weeks or 0) / 52
        parts.append(f"over {years:g} years with these settings: {line(dora.classify(long_summary))}")
    parts.append(f"in this quarter: {line(dora.classify(summary))}")
    return "<span style='font-size:90%'>DORA 2023 cluster of each key metric, " + "<br>".join(parts) + "</span>"


def settings_text(settings: dict) -> str:
    """The dial's settings in plain words, e.g. '5 deploys per week, 0.2 % of deploys fail on their own, ...'."""
    on = [SWITCHES[name][2].lower() for name, (arg, off, _l, _t) in SWITCHES.items() if settings.get(arg, off) != off]
    return (
        f"{settings['deploys_per_week']:.3g} deploys per week, "
        f"{100 * settings['deploy_failure_rate']:.3g} % of deploys fail on their own, "
        f"{100 * settings['defect_rate']:.3g} % of changes carry a fault, "
        f"median {settings['time_to_restore_minutes']:,.0f} minutes to restore; "
        + ("; ".join(on) if on else "no batch-size mechanism on")
    )


def deploy_dial(weeks: int = 13, seed: int = 0, world: str = "equal_risk"):
    """Build the deploy dial for ``weeks`` simulated weeks (default 13, one quarter).

    The dial opens on ``world`` (see :data:`WORLDS`): by default every deploy
    is equally risky (:data:`pageturn.model.sim.EQUAL_RISK`), how Sam sees it at first,
    at 5 deploys per week. Every control change re-simulates the same quarter
    (same ``seed``) and updates the picture and scoreboards in place. The
    returned :class:`DeployDial` shows itself as the last line of a cell; its
    ``widget`` is the whole panel.

    Sliders use ``continuous_update=False``: the simulation runs when a handle
    is released (or on each arrow-key press), not for every pixel it is dragged
    through, so the kernel never queues up stale redraws.

    Args:
        weeks: whole number of weeks to simulate, 1 to 52.
        seed: whole number >= 0; the same seed gives the same quarter.
        world: 'equal_risk', 'faults_in_changes' or 'course'.

    Returns:
        DeployDial (see its attributes; ``.widget`` is the ipywidgets panel).

    Raises:
        ValueError: if ``weeks`` is not a whole number in [1, 52], ``seed``
            is not a whole number >= 0 or ``world`` is not one of :data:`WORLDS`.
    """
    return DeployDial(weeks=weeks, seed=seed, world=world)


def show_dial(weeks: int = 13, seed: int = 0, world: str = "equal_risk") -> None:
    """Display the deploy dial in the notebook.

    Shows the live widget where a kernel runs it, and a still copy of its
    first view (picture and scoreboards) where there is none (GitHub,
    nbviewer, HTML export). Returns ``None`` so the dial is not shown twice;
    use :func:`deploy_dial` to keep a handle on the widget.

    Raises:
        ValueError: as :func:`deploy_dial`.
    """
    from IPython.display import display

    display(deploy_dial(weeks=weeks, seed=seed, world=world))


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


def outage_cost_by_hour(outage_minutes: float = 60.0, weeks: int = 1, seed: int = 0):
    """Readers a single outage would affect, by the hour of day it starts.

    Uses the readers of a quiet simulated period (no faults, no failed deploys,
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
    rpm = np.asarray(
        simulate(defect_rate=0.0, deploy_failure_rate=0.0, weeks=weeks, seed=seed).readers_per_minute, dtype=float
    )
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

    orange, sky, green, yellow, blue, vermillion, purple, black = _palette()
    fig, ax = figure((8, 3), dpi=90)
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


def mechanism_table(deploys_per_week=(0.25, 0.5, 1, 2, 5, 10, 20, 50), *, weeks: int = 13, seeds=range(20), **settings):
    """Median lead time and downtime for each deploy frequency, as the mechanisms switch on.

    Step 0 is :data:`pageturn.model.sim.EQUAL_RISK` (every deploy equally risky);
    step ``k`` switches on the first ``k`` mechanisms of
    :data:`pageturn.model.sim.MECHANISMS`, so the last step is the course's world.
    Each setting is simulated for every seed; the table holds medians over the
    seeds. ``settings`` are further :func:`pageturn.simulate` arguments applied
    to every step (for example ``time_to_restore_minutes=30``).

    Returns:
        pandas.DataFrame with columns ``step`` (0, 1, ...), ``mechanism`` (the
        mechanism switched on at that step, or 'every deploy equally risky'),
        ``deploys_per_week``, ``lead_time_days_median`` (days),
        ``downtime_minutes`` (minutes in the period), ``incidents`` and
        ``share_within_budget`` (share of seeds whose downtime fits the
        99.9 % error budget); one row per step and frequency.

    Raises:
        ValueError: from :func:`pageturn.simulate` for values out of range, or
            if ``seeds`` is empty.
    """
    import numpy as np
    import pandas as pd

    from pageturn import simulate
    from pageturn.model.sim import MECHANISMS, mechanisms_on

    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got an empty collection")
    names = list(MECHANISMS)
    rows = []
    for step in range(len(names) + 1):
        world = {**mechanisms_on(*names[:step]), **settings}
        label = MECHANISMS[names[step - 1]][0] if step else "Every deploy equally risky"
        for dpw in deploys_per_week:
            results = [simulate(deploys_per_week=dpw, weeks=weeks, seed=s, **world).summary() for s in seeds]
            rows.append(
                {
                    "step": step,
                    "mechanism": label,
                    "deploys_per_week": float(dpw),
                    **{
                        k: float(np.nanmedian([r[k] for r in results]))
                        for k in ("lead_time_days_median", "downtime_minutes", "incidents")
                    },
                    "share_within_budget": float(np.mean([r["error_budget_left_minutes"] >= 0 for r in results])),
                }
            )
    return pd.DataFrame(rows)


def plot_mechanisms(table, budget_minutes: float | None = None):
    """Plot :func:`mechanism_table`: Sam's median downtime against deploy frequency, one line per step.

    A dashed line marks ``budget_minutes`` (default: the 99.9 % error budget of
    a quarter, 131 minutes). Returns the matplotlib Figure.
    """
    from matplotlib.ticker import FuncFormatter

    from pageturn.model.sim import error_budget_minutes

    orange, sky, green, yellow, blue, vermillion, purple, black = _palette()
    if budget_minutes is None:
        budget_minutes = error_budget_minutes(13)
    fig, ax = figure((8, 5.4), dpi=90)
    styles = [(vermillion, "o", "-"), (orange, "s", "--"), (sky, "^", "-."), (purple, "D", ":"), (blue, "v", "-")]
    for step, part in table.groupby("step", sort=True):
        colour, marker, line = styles[step % len(styles)]
        part = part.sort_values("deploys_per_week")
        label = f"{step}. " + (part["mechanism"].iloc[0] if step == 0 else "+ " + part["mechanism"].iloc[0])
        ax.plot(
            part["deploys_per_week"],
            part["downtime_minutes"],
            marker=marker,
            ls=line,
            color=colour,
            label=label,
            lw=2 if step == table["step"].max() else 1.2,
        )
    ax.axhline(budget_minutes, color=black, ls="--", lw=0.8)
    ax.annotate(
        f"error budget at 99.9 %: {budget_minutes:,.0f} minutes",
        (table["deploys_per_week"].min(), budget_minutes),
        textcoords="offset points",
        xytext=(2, 4),
        fontsize=8,
    )
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=100, linscale=0.5)
    ax.set_ylim(0, max(float(table["downtime_minutes"].max()), budget_minutes) * 1.5)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.set_xlabel("deploys per week (log scale); Maya's lead time gets shorter to the right")
    ax.set_ylabel("Sam: median downtime (minutes)\nlog scale above 100")
    ax.set_title("Sam's downtime in a quarter, as the mechanisms switch on one at a time")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    return fig
