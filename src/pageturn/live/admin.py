"""An admin dashboard for the running Pageturn, built with ipywidgets.

::

    from pageturn.live import app, admin
    pt = app.start()
    panel = admin.Admin(pt)     # shows itself when it is the last line of a cell
    panel.close()               # stops its refresh thread and closes the widgets

What it shows and lets you change (each part has a stable CSS class, for tests
that drive it in a browser):

======================================  ===============================================
CSS class                               what it is
======================================  ===============================================
``pageturn-admin``                      the whole dashboard (a VBox)
``pageturn-admin-status``               which versions serve, and the canary share
``pageturn-admin-rate``                 requests per second since the last refresh
``pageturn-admin-errors``               share of requests answered with 5xx since the last refresh
``pageturn-admin-sanity``               last sanity-check result
``pageturn-admin-histogram``            the latency histogram by version (an Image)
``pageturn-admin-route``                which route's histogram to show (Dropdown)
``pageturn-admin-version``              version for every reader (Dropdown)
``pageturn-admin-deploy``               deploy that version to everyone (Button)
``pageturn-admin-canary-version``       version the canary readers get (Dropdown)
``pageturn-admin-canary``               canary share, % of readers (IntSlider)
``pageturn-admin-rollback``             roll back the last change (Button)
``pageturn-admin-loglevel``             log level, changed while the app runs (Dropdown)
``pageturn-admin-logs``                 the last log events
``pageturn-admin-message``              what the last action did
======================================  ===============================================

The dashboard refreshes itself every ``refresh_s`` seconds in a daemon thread.
The thread ends when :meth:`Admin.close` is called, when the app stops, when the
dashboard is garbage-collected, or when the Python process exits.
"""

from __future__ import annotations

import html
import io
import math
import threading
import time
import warnings
import weakref

from pageturn import checks, lifecycle
from pageturn.live import appmetrics
from pageturn.model.endpoints import LOG_BOOK, MY_BOOKS, QUIET_ROUTES, SEARCH
from pageturn.style import GREEN, VERMILLION

ROUTES = (MY_BOOKS, SEARCH, LOG_BOOK)  # the readers' routes, busiest first
_OPEN: weakref.WeakSet[Admin] = weakref.WeakSet()


def _loop(ref, stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        admin = ref()
        if admin is None:
            return
        try:
            if not admin.app.running:
                admin.message.value = "The app has stopped; the dashboard no longer refreshes."
                return
            admin.refresh()
        except Exception as error:  # keep a dashboard error visible, never kill the kernel
            try:
                admin.message.value = f"refresh failed: {html.escape(str(error))}"
            except Exception:
                return
        finally:
            del admin


class Admin:
    """The admin dashboard of one running app (a :class:`pageturn.live.app.Pageturn`).

    ``refresh_s``: seconds between refreshes (0.2..60), or ``None`` for no
    background refresh (call :meth:`refresh` yourself). ``route``: the route whose
    histogram is drawn first. Built like the course's other widgets (the deploy dial, the
    quiz): the constructor builds every ipywidget once, the whole panel is ``admin.widget``,
    and the object displays itself (:meth:`mimebundle`) as the last line of a cell. The controls are
    attributes (``version``, ``deploy``, ``canary_version``, ``canary``,
    ``rollback_button``, ``log_level``, ``route``) so code and tests can use them.

    Raises:
        ValueError: if ``app`` is not a running Pageturn, ``refresh_s`` is out of
            range or ``route`` is not one of :data:`ROUTES`.
    """

    def __init__(self, app, refresh_s: float | None = 1.0, route: str = MY_BOOKS):
        import ipywidgets as w

        from pageturn.live.app import LOG_LEVELS, VERSIONS, Pageturn

        if not isinstance(app, Pageturn) or not app.running:
            raise ValueError(f"app must be a running Pageturn (from pageturn.live.app.start()), got {app!r}")
        if refresh_s is not None:
            refresh_s = checks.number("refresh_s", refresh_s, low=0.2, high=60)
        checks.choice("route", route, ROUTES)
        self.app = app
        self.refresh_s = refresh_s
        self._local = threading.local()  # set while refresh() writes the controls, per thread
        self._last_totals = None
        self._last_chart_key = None
        self._lock = threading.Lock()
        state = app.state()

        def html_box(css, value=""):
            box = w.HTML(value=value)
            box.add_class(css)
            return box

        self.status = html_box("pageturn-admin-status")
        self.rate = html_box("pageturn-admin-rate", "<b>Requests</b>: – per second")
        self.errors = html_box("pageturn-admin-errors", "<b>Errors (5xx)</b>: – %")
        self.sanity_box = html_box("pageturn-admin-sanity", "<b>Sanity check</b>: not scheduled")
        self.logs_box = html_box("pageturn-admin-logs")
        self.message = html_box("pageturn-admin-message")
        self.chart = w.Image(format="png", layout=w.Layout(width="560px"))
        self.chart.add_class("pageturn-admin-histogram")

        style = {"description_width": "190px"}
        self.route = w.Dropdown(options=list(ROUTES), value=route, description="Histogram of route", style=style)
        self.route.add_class("pageturn-admin-route")
        self.version = w.Dropdown(
            options=list(VERSIONS), value=state["version"], description="Version for everyone", style=style
        )
        self.version.add_class("pageturn-admin-version")
        self.deploy = w.Button(
            description="Deploy to everyone",
            button_style="warning",
            tooltip="Deploy the chosen version to every reader (ends the canary)",
        )
        self.deploy.add_class("pageturn-admin-deploy")
        canary_choices = [v for v in VERSIONS if v != state["version"]] or list(VERSIONS)
        self.canary_version = w.Dropdown(
            options=list(VERSIONS),
            value=state["canary_version"] or canary_choices[0],
            description="Canary version",
            style=style,
        )
        self.canary_version.add_class("pageturn-admin-canary-version")
        self.canary = w.IntSlider(
            value=int(round(state["canary_percent"])),
            min=0,
            max=100,
            step=1,
            description="Canary share (% of readers)",
            continuous_update=False,
            style=style,
            layout=w.Layout(width="480px"),
        )
        self.canary.add_class("pageturn-admin-canary")
        self.rollback_button = w.Button(
            description="Roll back", button_style="danger", tooltip="End the canary, or go back to the previous version"
        )
        self.rollback_button.add_class("pageturn-admin-rollback")
        self.log_level = w.Dropdown(
            options=list(LOG_LEVELS), value=state["log_level"], description="Log level", style=style
        )
        self.log_level.add_class("pageturn-admin-loglevel")

        self.deploy.on_click(self._on_deploy)
        self.rollback_button.on_click(self._on_rollback)
        self.canary.observe(self._on_canary, names="value")
        self.canary_version.observe(self._on_canary, names="value")
        self.log_level.observe(self._on_log_level, names="value")
        self.route.observe(lambda change: self.refresh(), names="value")

        title = w.HTML(f"<h3 style='margin:0'>Pageturn admin · {html.escape(app.url)}</h3>")
        self.rate.layout.margin = "0 24px 0 0"
        numbers = w.HBox([self.rate, self.errors])
        controls = w.VBox(
            [
                w.HBox([self.version, self.deploy]),
                w.HBox([self.canary_version]),
                self.canary,
                w.HBox([self.log_level, self.rollback_button]),
                self.route,
            ]
        )
        caption = w.HTML(
            "<small>What the histogram shows: the share of each version's requests in each "
            "latency bucket of the chosen route. A canary that hurts readers shows as a hump "
            "that the stable version does not have.</small>"
        )
        caption.add_class("pageturn-admin-caption")
        self.widget = w.VBox(
            [
                title,
                self.status,
                numbers,
                self.sanity_box,
                controls,
                self.chart,
                caption,
                self.message,
                w.HTML("<b>Last log events</b>"),
                self.logs_box,
            ]
        )
        self.widget.add_class("pageturn-admin")

        self._stop = threading.Event()
        self._thread = None
        self.refresh()
        if refresh_s is not None:
            self._thread = threading.Thread(
                target=_loop,
                args=(weakref.ref(self), self._stop, refresh_s),
                name=f"pageturn-admin-{app.port}",
                daemon=True,
            )
            self._thread.start()
        self._finalizer = weakref.finalize(self, self._stop.set)
        _OPEN.add(self)

    # ------------------------------------------------------------------ display and life
    def mimebundle(self) -> dict:
        """The display bundle: the live widget view for JupyterLab with a kernel, and a line of
        ``text/plain`` for places without one (a dashboard of a running app has no still copy)."""
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = f"Pageturn admin dashboard for {self.app.url} (run the notebook to use it)."
        return bundle

    def _ipython_display_(self):
        from IPython.display import display

        display(self.mimebundle(), raw=True)

    @property
    def refreshing(self) -> bool:
        """True while the background refresh thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the refresh thread (waiting up to ``timeout_s`` s) and close the widgets.
        The app keeps running. Safe to call twice."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        _close_tree(self.widget)

    # ------------------------------------------------------------------ actions
    def _say(self, text: str) -> None:
        self.message.value = f"<i>{html.escape(text)}</i>"

    def _on_deploy(self, _button=None):
        version = self.app.set_version(self.version.value)
        self._say(f"Deployed {version} to every reader.")
        self.refresh()

    def _on_rollback(self, _button=None):
        before = self.app.state()
        version = self.app.rollback()
        if before["canary_version"] is not None:
            self._say(f"Rolled back: canary {before['canary_version']} ended; every reader gets {version}.")
        elif before["previous"] is not None:
            self._say(f"Rolled back: every reader gets {version} again.")
        else:
            self._say(f"Nothing to roll back; every reader gets {version}.")
        self.refresh()

    def _on_canary(self, _change=None):
        if getattr(self._local, "syncing", False):
            return
        percent = self.canary.value
        version = self.canary_version.value
        if percent > 0 and version == self.app.state()["version"]:
            self._say(f"{version} already serves everyone; choose another canary version.")
            return
        self.app.set_canary(version if percent > 0 else None, percent)
        self._say(f"Canary: {version} to {percent} % of readers." if percent else "Canary ended.")
        self.refresh()

    def _on_log_level(self, change):
        if getattr(self._local, "syncing", False):
            return
        self.app.set_log_level(change["new"])
        self._say(f"Log level is now {change['new']} (no restart).")
        self.refresh()

    # ------------------------------------------------------------------ refresh
    def refresh(self) -> None:
        """Read the app (state, metrics, logs, sanity) and update every part in place."""
        from pageturn.live import appmetrics

        with self._lock:
            state = self.app.state()
            scrape = self.app.scrape()
            self._sync_controls(state)
            canary = (
                f" · canary <b>{html.escape(state['canary_version'])}</b> to "
                f"<b>{state['canary_percent']:g} %</b> of readers"
                if state["canary_version"]
                else " · no canary"
            )
            self.status.value = (
                f"Serving <b>{html.escape(state['version'])}</b> to everyone{canary}"
                f" · log level {state['log_level']} · {state['books']} books kept"
            )
            self._update_rates(appmetrics.request_counts(scrape))
            self._update_sanity(state["sanity"])
            self._update_chart(scrape)
            events = self.app.log_events(last=6)
            lines = [html.escape(_event_line(e)) for e in events]
            self.logs_box.value = (
                "<pre style='margin:0;font-size:11px;line-height:1.25'>"
                + ("\n".join(lines) or "(no events yet)")
                + "</pre>"
            )

    def _sync_controls(self, state) -> None:
        self._local.syncing = True
        try:
            self.version.value = state["version"]
            if state["canary_version"] is not None:
                self.canary_version.value = state["canary_version"]
            self.canary.value = int(round(state["canary_percent"]))
            self.log_level.value = state["log_level"]
        finally:
            self._local.syncing = False

    def _update_rates(self, counts) -> None:
        counts = counts[~counts["route"].isin(QUIET_ROUTES)]
        total = float(counts["requests"].sum())
        errors = float(counts[appmetrics.server_errors(counts["status"])]["requests"].sum())
        now = time.monotonic()
        if self._last_totals is not None:
            then, total0, errors0 = self._last_totals
            seconds = max(now - then, 1e-6)
            sent = total - total0
            self.rate.value = f"<b>Requests</b>: {sent / seconds:.1f} per second"
            share = (errors - errors0) / sent * 100.0 if sent > 0 else 0.0
            colour = VERMILLION if share > 1 else "inherit"
            self.errors.value = f"<b>Errors (5xx)</b>: <span style='color:{colour}'>{share:.1f} %</span>"
        self._last_totals = (now, total, errors)

    def _update_sanity(self, last) -> None:
        if last is None:
            self.sanity_box.value = "<b>Sanity check</b>: not run yet (start it with app.start_sanity())"
            return
        ago = max(0.0, time.time() - last["at_s"])
        mark = (
            f"<span style='color:{GREEN}'>✔ passed</span>"
            if last["ok"]
            else f"<span style='color:{VERMILLION}'>✘ FAILED</span>"
        )
        self.sanity_box.value = f"<b>Sanity check</b>: {mark} {ago:.0f} s ago · {html.escape(last['detail'])}"

    def _update_chart(self, scrape) -> None:
        from pageturn.live import appmetrics

        route = self.route.value
        rows = scrape[(scrape["sample"] == f"{appmetrics.LATENCY}_count")]
        if "route" in rows:
            rows = rows[rows["route"] == route]
        key = (route, tuple(sorted(zip(rows.get("version", []), rows["value"]))))
        if key == self._last_chart_key:
            return
        self._last_chart_key = key
        self.chart.value = render_histogram_png(scrape, route)


def render_histogram_png(scrape, route: str) -> bytes:
    """The latency histogram of ``route`` by version as PNG bytes (a small figure,
    drawn without pyplot so nothing else appears in the notebook)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from pageturn.live import appmetrics

    # Not style.figure(): this small PNG for the widget keeps fixed margins and a screen dpi.
    figure = Figure(figsize=(7, 3.2), dpi=72)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    try:
        appmetrics.plot_latency_by_version(scrape, route, ax=ax)
    except ValueError:
        ax.set_title(f"Full latency histogram of {route}, by version")
        ax.set_xlabel("latency bucket (ms, upper bound)")
        ax.text(0.5, 0.5, "no requests yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel("share of requests (%)")  # shorter than the lesson's label: this figure is small
    figure.subplots_adjust(bottom=0.3, top=0.88, left=0.12, right=0.98)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _event_line(event: dict) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(event.get("time_s", 0)))
    fields = " ".join(
        f"{k}={v}"
        for k, v in event.items()
        if k not in ("time_s", "level", "event") and v is not None and not (isinstance(v, float) and math.isnan(v))
    )
    return f"{stamp} {event.get('level', '?'):7} {event.get('event', '?')} {fields}"[:160]


def _close_tree(widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def close_all() -> None:
    """Close every open dashboard (also run when the Python process exits)."""
    for admin in list(_OPEN):
        try:
            admin.close(timeout_s=1.0)
        except Exception as error:  # report, never hide: something may be left running
            warnings.warn(f"a Pageturn dashboard did not close: {error!r}", RuntimeWarning, stacklevel=2)


lifecycle.on_exit(close_all)
