"""The debug page of a quarantined instance inside JupyterLab, as ipywidgets (the admin UI's view).

::

    from pageturn.live.debugview import DebugPanel
    DebugPanel(fleet, "pageturn-2", fleet.admin_token)   # shows itself as the last line of a cell

It shows what the HTTP debug page shows (:func:`pageturn.live.console.debug_data`),
and works where a browser cannot reach the fleet's ports (Binder). CSS classes, for
tests that drive it in a browser:

=================================  ==========================================
CSS class                          what it is
=================================  ==========================================
``pageturn-debug``                 the whole panel (a VBox)
``pageturn-debug-alert``           the alert's message
``pageturn-debug-logs``            the last log lines (a table)
``pageturn-debug-journey``         the failed reader's journey (a table)
``pageturn-debug-snapshot``        that reader's books in the snapshot (a table)
``pageturn-debug-code``            the console's input (Textarea)
``pageturn-debug-run``             run it (Button)
``pageturn-debug-output``          what it printed
=================================  ==========================================

Raises PermissionError (from the console's guard) for a wrong token or an instance in service.
"""

from __future__ import annotations

import html

from pageturn.live.console import Console, debug_data

_LOG_COLUMNS = ("level", "event", "route", "status", "reader", "request_id")
_JOURNEY_COLUMNS = ("request_id", "path", "instance", "status", "instance_event", "version", "error")
_BOOK_COLUMNS = ("id", "title", "logged_at", "version")


def _table(rows, columns) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if r.get(c) is None else str(r.get(c)))}</td>" for c in columns)
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


class DebugPanel:
    """The debug page and console of quarantined instance ``name`` of ``fleet``, as widgets.

    Attributes: ``widget`` (the VBox), ``code`` (Textarea), ``run_button``, ``output`` (HTML),
    ``console`` (the :class:`pageturn.live.console.Console`). :meth:`run` runs the code in ``code``.
    """

    def __init__(self, fleet, name: str, token: str, log_lines: int = 10):
        import ipywidgets as w

        self.console = Console(fleet, name, token)  # the guard: token and quarantine, or PermissionError
        data = debug_data(fleet, name, log_lines=log_lines)

        def box(css, value):
            widget = w.HTML(value=value)
            widget.add_class(css)
            return widget

        self.alert = box("pageturn-debug-alert", f"<pre>{html.escape(data['alert'] or 'quarantined by hand')}</pre>")
        self.logs = box("pageturn-debug-logs", _table(data["logs"], _LOG_COLUMNS))
        self.journey = box("pageturn-debug-journey", _table(data["journey"], _JOURNEY_COLUMNS))
        self.snapshot = box("pageturn-debug-snapshot", _table(data["snapshot"]["reader_books"], _BOOK_COLUMNS))
        self.code = w.Textarea(value="bad_records(snapshot)[:3]", layout=w.Layout(width="90%", height="4em"))
        self.code.add_class("pageturn-debug-code")
        self.run_button = w.Button(description="Run in " + name, button_style="warning")
        self.run_button.add_class("pageturn-debug-run")
        self.output = box("pageturn-debug-output", "")
        self.run_button.on_click(lambda _: self.run())
        reader = html.escape(data["reader"] or "none")
        self.widget = w.VBox(
            [
                w.HTML(
                    f"<h3>Debug page: {html.escape(name)} (quarantined, replaced by "
                    f"{html.escape(data['replacement'])})</h3>"
                ),
                self.alert,
                w.HTML("<b>Last log lines</b>"),
                self.logs,
                w.HTML(f"<b>Journey of the last reader who failed here ({reader})</b>"),
                self.journey,
                w.HTML("<b>That reader's books in the snapshot taken when the alert fired</b>"),
                self.snapshot,
                w.HTML(
                    f"<b>Console: Python inside {html.escape(name)}</b> (<code>app</code>, <code>snapshot</code>, "
                    "<code>bad_records</code>, <code>journey</code>)"
                ),
                self.code,
                self.run_button,
                self.output,
            ]
        )
        self.widget.add_class("pageturn-debug")

    def run(self) -> str:
        """Run the code in the input box in the instance; show and return its output."""
        try:
            text = self.console.run(self.code.value)
        except (PermissionError, ValueError) as error:
            text = f"refused: {error}"
        self.output.value = f"<pre>{html.escape(text)}</pre>"
        return text

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
