"""The debug page and the live console of a quarantined instance (the talk's REPL).

:class:`DebugServer` serves, on 127.0.0.1 only:

* ``GET /debug/<name>`` - the page the alert links to (HTML, no data until the admin token is given);
* ``GET /debug/<name>/data`` - needs ``X-Admin-Token``: the alert, the last log lines, the
  failed reader's journey across balancer and instance, and the snapshot taken when the alert fired;
* ``POST /debug/<name>/console`` ``{"code": "..."}`` - needs ``X-Admin-Token``: runs Python
  *inside* the quarantined instance and answers ``{"output": "..."}``.

The console is a door into a running server, so it is guarded at the door twice: the
admin token (compared in constant time), and the instance must be **quarantined**: it
serves no reader, and no request is in flight there. For an instance in service, or
one released, it refuses (HTTP 409). The snapshot holds readers' data; the page shows
it only with the token too.

What the console is *given* reaches only the quarantined instance: ``app``, its
snapshot, the alert, and a ``journey`` function over copies of the balancer's records
for that instance; no fleet, no balancer, no other instance (a test walks the objects
to check). That is a rule at the door, not isolation: this teaching fleet runs in one
Python process, and Python code in it can ``import`` its way to anything. A real system
runs the console inside the instance's own process or container, where the rest of the
fleet is not in memory at all.
"""

from __future__ import annotations

import html
import http.server
import io
import json
import secrets
import threading
import traceback
import urllib.parse

from pageturn import checks
from pageturn.style import CODE_BACKGROUND, RULE

MAX_OUTPUT = 20_000  # characters of console output sent back
MAX_CODE = 5_000  # characters of code accepted


class Console:
    """Run Python inside quarantined instance ``name`` of ``fleet``.

    The namespace holds ``app`` (the instance, a :class:`pageturn.live.app.Pageturn`),
    ``snapshot`` (its data when the alert fired), ``alert``, ``journey(reader, last=20)``
    (that reader's requests to this instance, as the balancer and the instance logged them:
    :func:`pageturn.live.quarantine.journey_frame` over copies of the balancer's records,
    taken when the console opened) and ``bad_records`` (:func:`pageturn.live.faults.bad_records`).
    Nothing in it refers to the fleet, the balancer or another instance. Names you define
    stay for the next command.

    Raises:
        PermissionError: if ``token`` is not the fleet's admin token, or ``name`` is
            not a quarantined, running instance (never a console on a serving instance).
    """

    def __init__(self, fleet, name: str, token: str):
        from pageturn.live.faults import bad_records

        _guard(fleet, name, token)
        record = fleet.quarantined[name]
        self.fleet, self.name, self._token = fleet, name, token
        app = fleet.instances[name]
        self.namespace = {
            "app": app,
            "snapshot": record.snapshot,
            "alert": record.alert,
            "journey": _journey_of(app, fleet.balancer.records(), name),
            "bad_records": bad_records,
        }
        self._lock = threading.Lock()

    def run(self, code: str) -> str:
        """Run ``code`` (an expression is evaluated and its ``repr`` shown; statements are
        executed); return what it printed, or the error's last lines.

        Raises:
            PermissionError: if the instance is no longer quarantined (released or back in service).
            ValueError: if ``code`` is not a string of at most MAX_CODE characters.
        """
        _guard(self.fleet, self.name, self._token)
        if not isinstance(code, str) or len(code) > MAX_CODE:
            raise ValueError(f"code must be Python source of at most {MAX_CODE} characters, got {code!r:.80}")
        out = io.StringIO()

        def _print(*args, sep=" ", end="\n", file=None, flush=False):
            out.write(sep.join(str(a) for a in args) + end)

        with self._lock:
            self.namespace["print"] = _print
            try:
                try:
                    compiled = compile(code, "<console>", "eval")
                except SyntaxError:
                    exec(compile(code, "<console>", "exec"), self.namespace)
                else:
                    value = eval(compiled, self.namespace)
                    if value is not None:
                        out.write(repr(value) + "\n")
            except Exception:
                out.write("".join(traceback.format_exc(limit=2).splitlines(True)[-3:]))
        self.fleet.instances[self.name].event(30, "console_command", chars=len(code))
        return out.getvalue()[:MAX_OUTPUT]


def _journey_of(app, records, name: str):
    """A ``journey(reader, last=20)`` for the console of instance ``name``: it closes over
    copies of the balancer ``records`` routed to ``name`` and over ``app`` (that instance),
    nothing else."""
    from pageturn.live.quarantine import journey_frame

    mine = tuple(dict(r) for r in records if r["instance"] == name)

    def journey(reader: str, last: int = 20):
        """``reader``'s last ``last`` requests to this instance, balancer and instance logs joined by request id."""
        last = checks.number("last", last, low=1, integer=True)
        return journey_frame([r for r in mine if r["reader"] == reader][-last:], app.log_events())

    return journey


def _guard(fleet, name, token) -> None:
    if not isinstance(token, str) or not secrets.compare_digest(token, fleet.admin_token):
        raise PermissionError("the console needs the fleet's admin token (fleet.admin_token)")
    if not fleet.is_quarantined(name):
        raise PermissionError(
            f"the console opens only on a quarantined instance; {name!r} is "
            f"{'in service' if name in fleet.in_service() else 'not running'}. "
            "A console on a serving instance could change what readers get."
        )


def debug_data(fleet, name: str, log_lines: int = 30) -> dict:
    """What the debug page shows for quarantined instance ``name`` (a JSON-ready dict):
    ``alert`` (its message), ``logs`` (last ``log_lines`` events), ``reader`` (the last
    reader whose request failed there), ``journey`` (that reader's requests, as records),
    ``snapshot`` (``taken_at_s``, ``books_total``, ``readers``, and that reader's books)."""
    record = fleet.quarantined.get(name)
    if record is None:
        raise ValueError(f"name must be a quarantined instance {sorted(fleet.quarantined)}, got {name!r}")
    app = fleet.instances.get(name)
    logs = app.log_events(last=log_lines) if app is not None else []
    reader = fleet.failed_reader(name)
    journey = []
    if reader:
        frame = fleet.journey(reader)
        journey = frame.astype(object).where(frame.notna(), None).to_dict("records")  # JSON has no NaN
    books = record.snapshot["books"]
    return {
        "name": name,
        "replacement": record.replacement,
        "alert": record.alert.message() if record.alert is not None else None,
        "logs": logs,
        "reader": reader,
        "journey": journey,
        "snapshot": {
            "taken_at_s": record.snapshot["taken_at_s"],
            "books_total": sum(len(b) for b in books.values()),
            "readers": len(books),
            "reader_books": books.get(reader, []) if reader else [],
        },
    }


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Debug {name}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; max-width: 70em; }}
pre {{ background: {code_bg}; padding: .6em; overflow-x: auto; font-size: 90%; }}
table {{ border-collapse: collapse; font-size: 90%; }} td, th {{ border: 1px solid {rule}; padding: 2px 6px; }}
#console-output {{ min-height: 2em; }}
</style></head><body>
<h1>Debug page: {name} (quarantined)</h1>
<p>This instance serves no reader now; it is kept running, its state intact, for debugging.
Readers' data is shown and the console opens only with the admin token.</p>
<form id="login"><label>Admin token <input id="token" type="password" autocomplete="off"></label>
<button id="open" type="submit">Open</button></form>
<p id="status" role="status"></p>
<div id="debug" hidden>
<h2>The alert</h2><pre id="alert"></pre>
<h2>Last log lines</h2><pre id="logs"></pre>
<h2>The failed reader's journey (<span id="reader"></span>)</h2><table id="journey"></table>
<h2>Snapshot when the alert fired</h2><pre id="snapshot"></pre>
<h2>Console (Python inside {name})</h2>
<form id="console"><textarea id="code" rows="3" cols="80">len(app.snapshot()["books"])</textarea><br>
<button id="run" type="submit">Run</button></form>
<pre id="console-output"></pre>
</div>
<script>
const base = "/debug/{name_js}";
const token = () => document.getElementById("token").value;
const show = (id, text) => {{ document.getElementById(id).textContent = text; }};
document.getElementById("login").addEventListener("submit", async (e) => {{
  e.preventDefault();
  const r = await fetch(base + "/data", {{headers: {{"X-Admin-Token": token()}}}});
  const data = await r.json();
  if (!r.ok) {{ show("status", data.error); return; }}
  show("status", "Opened.");
  show("alert", data.alert || "(quarantined by hand)");
  show("logs", data.logs.map(e => JSON.stringify(e)).join("\\n"));
  show("reader", data.reader || "none");
  const cols = ["request_id", "method", "path", "instance", "status", "ms", "instance_event", "version", "error"];
  const table = document.getElementById("journey");
  table.innerHTML = "";
  const head = table.insertRow(); cols.forEach(c => {{ const th = document.createElement("th"); th.textContent = c; head.appendChild(th); }});
  data.journey.forEach(row => {{ const tr = table.insertRow(); cols.forEach(c => {{ tr.insertCell().textContent = row[c] ?? ""; }}); }});
  show("snapshot", JSON.stringify(data.snapshot, null, 1));
  document.getElementById("debug").hidden = false;
}});
document.getElementById("console").addEventListener("submit", async (e) => {{
  e.preventDefault();
  const r = await fetch(base + "/console", {{method: "POST", headers: {{"X-Admin-Token": token(),
    "Content-Type": "application/json"}}, body: JSON.stringify({{code: document.getElementById("code").value}})}});
  const data = await r.json();
  show("console-output", r.ok ? data.output : "refused: " + data.error);
}});
</script></body></html>
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "PageturnDebug"
    sys_version = ""
    timeout = 15

    def log_message(self, format, *args):
        pass

    def _send(self, status, payload, kind="application/json"):
        data = payload.encode("utf-8") if isinstance(payload, str) else json.dumps(payload, default=str).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    def _parts(self):
        path = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
        if len(path) < 2 or path[0] != "debug":
            return None, None
        return path[1], (path[2] if len(path) > 2 else "")

    def do_GET(self):
        fleet = self.server.fleet
        if self.path == "/favicon.ico":  # browsers ask for it; there is none
            return self._send(204, "", "image/x-icon")
        name, what = self._parts()
        if name is None or name not in fleet.quarantined and what == "":
            if name is not None and name in fleet.instances:
                return self._send(
                    409, f"<p>{html.escape(name)} is in service: it has no debug page.</p>", "text/html; charset=utf-8"
                )
            return self._send(404, "<p>No such quarantined instance.</p>", "text/html; charset=utf-8")
        if what == "":
            page = _PAGE.format(
                name=html.escape(name), name_js=urllib.parse.quote(name), code_bg=CODE_BACKGROUND, rule=RULE
            )
            return self._send(200, page, "text/html; charset=utf-8")
        if what == "data":
            if not secrets.compare_digest(self.headers.get("X-Admin-Token", ""), fleet.admin_token):
                return self._send(403, {"error": "the debug data needs the X-Admin-Token header"})
            if name not in fleet.quarantined:
                return self._send(409, {"error": f"{name} is not quarantined"})
            return self._send(200, debug_data(fleet, name))
        return self._send(404, {"error": "no such page"})

    def do_POST(self):
        fleet = self.server.fleet
        name, what = self._parts()
        if name is None or what != "console":
            return self._send(404, {"error": "POST /debug/<name>/console only"})
        token = self.headers.get("X-Admin-Token", "")
        try:
            length = min(int(self.headers.get("Content-Length") or 0), 100_000)
            body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
            code = body.get("code") if isinstance(body, dict) else None
        except (ValueError, UnicodeDecodeError):
            return self._send(400, {"error": 'body must be JSON like {"code": "app.state()"}'})
        if not isinstance(token, str) or not secrets.compare_digest(token, fleet.admin_token):
            return self._send(403, {"error": "the console needs the X-Admin-Token header"})
        try:
            console = self.server.consoles.get(name)
            if console is None:
                console = self.server.consoles[name] = Console(fleet, name, token)
            output = console.run(code)
        except PermissionError as error:
            return self._send(409, {"error": str(error)})
        except ValueError as error:
            return self._send(400, {"error": str(error)})
        return self._send(200, {"output": output})


class DebugServer:
    """The fleet's debug pages on 127.0.0.1 (a free port). Attribute ``url``. :meth:`stop` closes it."""

    def __init__(self, fleet):
        from pageturn.live.serving import Background

        self._http = Background(_Handler, "pageturn-debug", fleet=fleet, consoles={})
        self.port, self.url = self._http.port, self._http.url

    def stop(self) -> None:
        """Close the port, end the thread, let a console command in flight finish (safe to call twice)."""
        self._http.stop()
