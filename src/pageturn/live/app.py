"""The running Pageturn: a small HTTP app that lives inside your Python kernel.

Start it, use it, look inside it, change it while it runs, stop it::

    from pageturn.live import app
    pt = app.start()                 # http://127.0.0.1:<free port>
    pt.url
    pt.set_canary("2.1-bad", 10)     # 10 % of readers get the new version
    pt.scrape()                      # the /metrics text, parsed into a DataFrame
    pt.rollback()
    pt.stop()

Routes (:mod:`pageturn.live.routes`; JSON in, JSON out; every answer carries an ``X-Pageturn-Version`` header):

* ``POST /books`` - log a book: ``{"reader": "ana", "title": "...", "author": "..."}`` → 201;
* ``GET /books?reader=ana`` - list my books → 200;
* ``GET /search?reader=ana&q=dune`` - search my books → 200;
* ``GET /health`` - is it up, which versions serve → 200;
* ``GET /metrics`` - the Prometheus text format (request counts, latency histograms, ...);
* ``GET /admin/state``, ``GET /admin/logs?last=N``, ``POST /admin/version`` ``{"version"}``,
  ``POST /admin/canary`` ``{"version", "percent"}``, ``POST /admin/loglevel`` ``{"level"}``,
  ``POST /admin/rollback`` - need the ``X-Admin-Token`` header (``handle.admin_token``).

Bad requests get a 4xx answer ``{"error": "..."}`` that says what was expected.

Versions (:data:`VERSIONS`, :mod:`pageturn.live.versions`): ``"2.0"`` (the current release), ``"2.1"`` (a good
new release) and ``"2.1-bad"`` (a faulty build of 2.1: its list of my books
leaves out the newest book, and its new cover lookup adds about 40 ms for
about 40 % of readers on ``/books`` and ``/search``).

Canary routing is by reader id: a reader's place in 0..100 comes from a hash of
the id, so the same reader always gets the same version, and raising the share
from 10 % to 20 % keeps the first 10 % in.

Starting twice: :func:`start` **reuses** the app it started before if that one
still runs (so re-running a notebook cell does not pile up servers); pass
``fresh=True`` for a new, independent app. Everything binds to 127.0.0.1 only.
Threads are daemon threads and the one exit hook (:mod:`pageturn.lifecycle`) stops every app when the
Python process ends.
"""

from __future__ import annotations

import collections
import dataclasses
import errno
import http.server
import itertools
import json
import logging
import random
import secrets
import threading
import time
import traceback
import urllib.parse

from pageturn import checks, lifecycle
from pageturn.live import routes, versions
from pageturn.live.serving import TrackedServer
from pageturn.live.versions import VERSIONS  # noqa: F401 - app.VERSIONS, as admin and fleet read it
from pageturn.model.canary import reader_slot
from pageturn.model.endpoints import ENDPOINTS, METRICS, QUIET_ROUTES
from pageturn.status import is_server_error

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
HOST = "127.0.0.1"

_INSTANCES = itertools.count(1)
_LIVE: set = set()
_LIVE_LOCK = threading.Lock()
_CURRENT = None


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    """One answered request, as given to observers (see :meth:`Pageturn.add_observer`).

    ``route`` (e.g. ``"search"``), ``method``, ``status`` (HTTP code), ``version``
    (which version answered), ``reader`` (or None) and ``seconds`` (time to answer, s).
    """

    route: str
    method: str
    status: int
    version: str
    reader: str | None
    seconds: float


class InvariantError(AssertionError):
    """An invariant the app asserts about itself was found broken."""

    def __init__(self, name: str, detail: str):
        super().__init__(f"{name}: {detail}")
        self.name = name
        self.detail = detail


class _RingHandler(logging.Handler):
    """Keep the last log events as dicts in a ring buffer."""

    def __init__(self, capacity: int):
        super().__init__(level=logging.DEBUG)
        self.events = collections.deque(maxlen=capacity)
        self.lock_events = threading.Lock()

    def emit(self, record):
        event = {"time_s": record.created, "level": record.levelname, "event": record.getMessage()}
        event.update(getattr(record, "pageturn", {}) or {})
        with self.lock_events:
            self.events.append(event)


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "Pageturn"
    sys_version = ""
    timeout = 15  # seconds a client may take to send its request

    def version_string(self):
        return "Pageturn"

    def do_GET(self):
        self.server.app._serve(self, "GET")

    def do_POST(self):
        self.server.app._serve(self, "POST")

    def do_PUT(self):
        self.server.app._serve(self, "PUT")

    def do_DELETE(self):
        self.server.app._serve(self, "DELETE")

    def log_message(self, format, *args):  # keep the notebook quiet; Pageturn logs its own events
        pass


class Pageturn:
    """A running Pageturn app: the handle :func:`start` returns.

    Attributes: ``url`` (``http://127.0.0.1:PORT``), ``port``, ``admin_token``
    (needed by the ``/admin`` routes over HTTP), ``metrics``
    (:class:`pageturn.live.appmetrics.AppMetrics`), ``registry`` (its private
    ``CollectorRegistry``), ``sanity`` (the :class:`pageturn.live.sanity.SanityChecker`
    or None). Create it with :func:`start`.
    """

    def __init__(self, port=None, *, version="2.0", seed=0, log_level="INFO", asserts=True, log_capacity=2000):
        from pageturn.live.appmetrics import AppMetrics

        checks.choice("version", version, VERSIONS)
        checks.choice("log_level", log_level, LOG_LEVELS)
        seed = checks.number("seed", seed, integer=True)
        log_capacity = checks.number("log_capacity", log_capacity, low=10, high=100_000, integer=True)
        if port is not None:
            port = checks.number("port", port, low=1024, high=65535, integer=True)
        if not isinstance(asserts, bool):
            raise ValueError(f"asserts must be True or False, got {asserts!r}")

        self.instance = next(_INSTANCES)
        self.metrics = AppMetrics()
        self.registry = self.metrics.registry
        self.admin_token = secrets.token_hex(8)
        self.asserts = asserts
        self.sanity = None
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._books: dict[str, list[dict]] = {}
        self._book_ids = itertools.count(1)
        self._stable = version
        self._previous = None
        self._canary_version = None
        self._canary_percent = 0.0
        self._pause_until = 0.0
        self._observers: list = []
        self._stopped = threading.Event()

        self._ring = _RingHandler(log_capacity)
        # A logger of its own, not registered in logging's global manager: nothing else can
        # find it by name (a console inside one instance cannot reach another's logs), and
        # instances that stop leave no logger behind. Unregistered, it must keep one level
        # (logging clears its level cache only for registered loggers): the ring's level
        # decides what is kept.
        self.log = logging.Logger(f"pageturn.live.app.{self.instance}", logging.DEBUG)
        self.log.propagate = False
        self.log.handlers[:] = [self._ring]
        self._ring.setLevel(log_level)

        try:
            self._server = TrackedServer(_Handler, "pageturn", port=port or 0, app=self)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise OSError(
                    errno.EADDRINUSE,
                    f"port {port} on {HOST} is already taken (by another program or another "
                    "Pageturn); pass port=None to let Pageturn pick a free port",
                ) from None
            raise
        self.port = self._server.server_address[1]
        self.url = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"pageturn-http-{self.port}",
            daemon=True,
        )
        self._thread.start()
        with _LIVE_LOCK:
            _LIVE.add(self)
        self.event(logging.INFO, "started", url=self.url, version=version)

    # ------------------------------------------------------------------ state
    def __repr__(self):
        state = "stopped" if self._stopped.is_set() else "running"
        canary = (
            f", canary {self._canary_version} to {self._canary_percent:g} % of readers" if self._canary_version else ""
        )
        return f"<Pageturn {state} at {self.url}: version {self._stable}{canary}>"

    @property
    def running(self) -> bool:
        """True until :meth:`stop` is called."""
        return not self._stopped.is_set()

    def state(self) -> dict:
        """What runs now: ``version``, ``previous``, ``canary_version``, ``canary_percent``
        (percent of readers), ``log_level``, ``asserts``, ``books`` (count), ``sanity``
        (last result as a dict, or None) and ``url``."""
        with self._lock:
            books = sum(len(b) for b in self._books.values())
            state = {
                "url": self.url,
                "version": self._stable,
                "previous": self._previous,
                "canary_version": self._canary_version,
                "canary_percent": self._canary_percent,
                "log_level": logging.getLevelName(self._ring.level),
                "asserts": self.asserts,
                "books": books,
            }
        last = self.sanity.last() if self.sanity is not None else None
        state["sanity"] = dataclasses.asdict(last) if last is not None else None
        return state

    def version_for(self, reader: str | None) -> str:
        """The version that serves ``reader`` now (the stable one when ``reader`` is None)."""
        with self._lock:
            if reader is not None and self._canary_version is not None and reader_slot(reader) < self._canary_percent:
                return self._canary_version
            return self._stable

    # ------------------------------------------------------------------ changes while it runs
    def set_version(self, version: str) -> str:
        """Deploy ``version`` to every reader (ends any canary). Returns the version.

        The version it replaces is kept, so :meth:`rollback` can go back to it.

        Raises:
            ValueError: if ``version`` is not one of :data:`VERSIONS`.
        """
        checks.choice("version", version, VERSIONS)
        with self._lock:
            if version != self._stable:
                self._previous = self._stable
            self._stable = version
            self._canary_version, self._canary_percent = None, 0.0
            self.metrics.canary.set(0)
        self.event(logging.INFO, "deployed", version=version, previous=self._previous)
        return version

    def set_canary(self, version: str | None, percent: float = 10.0) -> dict:
        """Send ``percent`` % of readers (chosen by reader id, stable per reader) to ``version``.

        ``set_canary(None)`` or ``percent=0`` ends the canary. Returns the new state.

        Raises:
            ValueError: if ``version`` is not one of :data:`VERSIONS` (or None), or
                ``percent`` is not a number in [0, 100].
        """
        if version is not None:
            checks.choice("version", version, VERSIONS)
        percent = checks.number("percent", percent, low=0, high=100)
        with self._lock:
            if version is None or percent == 0:
                self._canary_version, self._canary_percent = None, 0.0
            else:
                self._canary_version, self._canary_percent = version, percent
            self.metrics.canary.set(self._canary_percent)
        self.event(logging.INFO, "canary", version=version, percent=percent)
        return self.state()

    def rollback(self) -> str:
        """Undo the last change: end the canary if one runs, otherwise go back to the
        previous stable version. Returns the version that now serves every reader
        (unchanged, with a logged warning, when there is nothing to undo)."""
        with self._lock:
            if self._canary_version is not None:
                undone = f"canary {self._canary_version}"
                self._canary_version, self._canary_percent = None, 0.0
                self.metrics.canary.set(0)
            elif self._previous is not None:
                undone = f"version {self._stable}"
                self._stable, self._previous = self._previous, None
            else:
                undone = None
            stable = self._stable
        if undone is None:
            self.event(logging.WARNING, "rollback_nothing_to_undo", version=stable)
        else:
            self.event(logging.WARNING, "rolled_back", undone=undone, version=stable)
        return stable

    def set_log_level(self, level: str) -> str:
        """Change which log events are kept, while the app runs (no restart).

        Raises:
            ValueError: if ``level`` is not one of :data:`LOG_LEVELS`.
        """
        checks.choice("level", level, LOG_LEVELS)
        self._ring.setLevel(level)
        self.event(logging.WARNING, "log_level_changed", new_level=level)
        return level

    def set_asserts(self, on: bool) -> bool:
        """Turn the app's invariant checks (asserts) on or off while it runs.

        Raises:
            ValueError: if ``on`` is not a bool.
        """
        if not isinstance(on, bool):
            raise ValueError(f"on must be True or False, got {on!r}")
        self.asserts = on
        self.event(logging.WARNING, "asserts_changed", asserts=on)
        return on

    def stall(self, seconds: float) -> None:
        """Make the app stop answering for ``seconds`` s (like a long garbage-collection
        pause); requests that arrive meanwhile wait. Returns at once.

        Raises:
            ValueError: if ``seconds`` is not in [0, 30].
        """
        seconds = checks.number("seconds", seconds, low=0, high=30)
        with self._lock:
            self._pause_until = max(self._pause_until, time.monotonic() + seconds)
        self.event(logging.WARNING, "stall", seconds=seconds)

    def add_observer(self, function) -> None:
        """Call ``function(record)`` after every answered request, with a
        :class:`RequestRecord`. Use it to add your own metrics. An observer that
        raises is logged (ERROR ``observer_failed``) and does not break the request.

        Raises:
            ValueError: if ``function`` is not callable.
        """
        if not callable(function):
            raise ValueError(f"function must be callable, got {function!r}")
        with self._lock:
            self._observers.append(function)

    def remove_observer(self, function) -> None:
        """Stop calling ``function`` (no error if it was not added)."""
        with self._lock:
            if function in self._observers:
                self._observers.remove(function)

    # ------------------------------------------------------------------ looking inside
    def scrape(self):
        """GET ``/metrics`` over HTTP and parse it: a DataFrame as
        :func:`pageturn.live.appmetrics.parse` returns (one row per sample)."""
        from pageturn.live.appmetrics import parse
        from pageturn.live.sanity import request_json

        status, _, text = request_json(self.url, *ENDPOINTS[METRICS])
        if status != 200:
            raise RuntimeError(f"/metrics answered HTTP {status}")
        return parse(text)

    def logs(self, last: int | None = None, level: str | None = None):
        """The kept log events as a DataFrame (oldest first): ``time_s`` (seconds since
        the epoch), ``level``, ``event`` and the event's fields (``route``, ``reader``,
        ``version``, ``status``, ``ms``, ...). ``level`` keeps that level and above;
        ``last`` keeps the last N rows.

        Raises:
            ValueError: if ``last`` is not a positive whole number or ``level`` is unknown.
        """
        import pandas as pd

        events = self.log_events(last=None, level=level)
        if last is not None:
            last = checks.number("last", last, low=1, integer=True)
            events = events[-last:]
        frame = pd.DataFrame(events)
        if frame.empty:
            return pd.DataFrame(columns=["time_s", "level", "event"])
        return frame

    def log_events(self, last: int | None = None, level: str | None = None) -> list[dict]:
        """The kept log events as a list of dicts (the JSON the ``/admin/logs`` route sends)."""
        if level is not None:
            checks.choice("level", level, LOG_LEVELS)
        with self._ring.lock_events:
            events = list(self._ring.events)
        if level is not None:
            floor = logging.getLevelName(level)
            events = [e for e in events if logging.getLevelName(e["level"]) >= floor]
        if last is not None:
            last = checks.number("last", last, low=1, integer=True)
            events = events[-last:]
        return events

    # ------------------------------------------------------------------ data: import and snapshot
    def import_books(self, reader: str, records) -> int:
        """Import a reader's history from the old app: each record (a dict with ``title``,
        ``author`` and ``logged_at``) is stored **as given**, like the old import did; no
        check of ``logged_at`` (seconds since the epoch, or whatever the old app wrote).
        Returns how many books the reader now has.

        Raises:
            ValueError: if ``reader`` is not a valid reader id or a record has no title.
        """
        try:
            reader = routes.check_reader(reader)
        except routes.HttpError as error:
            raise ValueError(error.message) from None
        records = list(records)
        for record in records:
            if not isinstance(record, dict) or not str(record.get("title", "")).strip():
                raise ValueError(f"records must be dicts with a title, got {record!r}")
        with self._lock:
            shelf = self._books.setdefault(reader, [])
            for record in records:
                shelf.append(
                    {
                        "id": next(self._book_ids),
                        "title": str(record["title"]),
                        "author": str(record.get("author", "")),
                        "logged_at": record.get("logged_at", time.time()),
                        "version": record.get("version", "import"),
                    }
                )
            self.metrics.books.set(sum(len(b) for b in self._books.values()))
            count = len(shelf)
        self.event(logging.INFO, "books_imported", reader=reader, records=len(records))
        return count

    def add_book(self, reader: str, title: str, author: str, version: str) -> tuple[dict, int]:
        """Store a book a reader logged through ``version``; return it (a new dict with ``id``,
        ``title``, ``author``, ``logged_at`` in seconds since the epoch, ``version``) and how
        many books the reader now has. Checks the ``book_has_title`` invariant.

        The route does the input checks; this is the app's own bookkeeping.
        """
        with self._lock:
            book = {
                "id": next(self._book_ids),
                "title": title,
                "author": author,
                "logged_at": time.time(),
                "version": version,
            }
            self.check_invariant(bool(book["title"]), "book_has_title", f"book {book['id']} has no title")
            shelf = self._books.setdefault(reader, [])
            shelf.append(book)
            count = len(shelf)
            self.metrics.books.inc()
        return book, count

    def books_of(self, reader: str) -> list[dict]:
        """The books ``reader`` has logged, oldest first (a new list; empty for an unknown reader)."""
        with self._lock:
            return list(self._books.get(reader, []))

    def snapshot(self) -> dict:
        """A copy of the app's data now: ``taken_at_s`` (seconds since the epoch),
        ``state`` (as :meth:`state`) and ``books`` (reader id -> list of book dicts, copied)."""
        import copy

        with self._lock:
            books = copy.deepcopy(self._books)
        return {"taken_at_s": time.time(), "state": self.state(), "books": books}

    # ------------------------------------------------------------------ sanity checks
    def start_sanity(self, every_s: float = 5.0, check=None):
        """Run a sanity check now and then every ``every_s`` seconds in the background.

        ``check`` is a function of the app's URL returning True/False (or
        ``(ok, detail)``); by default Pageturn's own :func:`pageturn.live.sanity.log_and_read_back`
        on every version that serves readers (stable and canary). Results are logged
        (ERROR ``sanity_failed`` / DEBUG ``sanity_ok``), counted in the
        ``pageturn_sanity_checks_total`` metric and kept in ``handle.sanity``.
        A sanity schedule already running is stopped first. Returns the checker.

        Raises:
            ValueError: if ``every_s`` is not in [0.05, 3600] s or ``check`` is not callable.
        """
        from pageturn.live.sanity import SanityChecker

        if check is not None and not callable(check):
            raise ValueError(f"check must be a function of the app's url, got {check!r}")
        self.stop_sanity()
        run = (lambda: check(self.url)) if check is not None else self._default_sanity
        self.sanity = SanityChecker(
            run, every_s, on_result=self._on_sanity, name=f"pageturn-sanity-{self.port}"
        ).start()
        return self.sanity

    def stop_sanity(self) -> None:
        """Stop the sanity schedule (the kept results stay readable)."""
        if self.sanity is not None:
            self.sanity.stop()

    def _default_sanity(self):
        from pageturn.live.sanity import log_and_read_back

        with self._lock:
            versions = [self._stable] + ([self._canary_version] if self._canary_version else [])
        details = []
        ok_all = True
        for version in versions:
            ok, detail = log_and_read_back(self.url, version=version, admin_token=self.admin_token)
            ok_all = ok_all and ok
            details.append(f"{version}: {'ok' if ok else 'FAILED'} - {detail}")
        return ok_all, "; ".join(details)

    def _on_sanity(self, result):
        self.metrics.sanity.labels(result="ok" if result.ok else "failed").inc()
        if result.ok:
            self.event(logging.DEBUG, "sanity_ok", detail=result.detail)
        else:
            self.event(logging.ERROR, "sanity_failed", detail=result.detail)

    # ------------------------------------------------------------------ stopping
    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop serving, stop the sanity schedule, close the port and wait (up to
        ``timeout_s`` s) for the app's threads to end. Safe to call twice."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.stop_sanity()
        with self._lock:
            self._pause_until = 0.0
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout_s)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._server.active_lock:
                active = list(self._server.active)
            if not active:
                break
            active[0].join(max(0.0, deadline - time.monotonic()))
        self.event(logging.INFO, "stopped", url=self.url)
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ serving
    def event(self, level: int, event: str, /, **fields) -> None:
        """Log one structured event at ``level`` (a :mod:`logging` level number): its name and
        ``fields`` go into :meth:`logs`, like the app's own events."""
        self.log.log(level, event, extra={"pageturn": fields})

    def _serve(self, handler, method: str) -> None:
        started = time.perf_counter()
        self._wait_if_paused()
        parts = urllib.parse.urlsplit(handler.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items()}
        route, function, allowed = self._route(parts.path, method)
        reader = None
        version = self._stable
        extra_headers = {}
        try:
            if function is None:
                if allowed:
                    raise routes.HttpError(
                        405, f"{parts.path} accepts {', '.join(allowed)}, not {method}", {"Allow": ", ".join(allowed)}
                    )
                raise routes.HttpError(
                    404,
                    f"no route {parts.path}; try POST /books, GET /books?reader=ID, "
                    "GET /search?reader=ID&q=WORDS, GET /health, GET /metrics",
                )
            body = self._read_body(handler) if method == "POST" else {}
            if route.startswith("admin") or "X-Pageturn-Version" in handler.headers:
                if not secrets.compare_digest(handler.headers.get("X-Admin-Token", ""), self.admin_token):
                    raise routes.HttpError(403, "admin routes and version pinning need the X-Admin-Token header")
            reader = query.get("reader", body.get("reader") if isinstance(body, dict) else None)
            if reader is not None:
                reader = routes.check_reader(reader)
            version = self._pick_version(reader, handler.headers.get("X-Pageturn-Version"))
            self._simulate_work(route, version, reader)
            status, payload = function(self, query=query, body=body, reader=reader, version=version)
        except routes.HttpError as error:
            status, payload, extra_headers = error.status, {"error": error.message}, error.headers
        except InvariantError as error:
            self.metrics.invariants.labels(invariant=error.name, version=version).inc()
            self.event(
                logging.ERROR,
                "invariant_broken",
                invariant=error.name,
                detail=error.detail,
                route=route,
                reader=reader,
                version=version,
            )
            status, payload = 500, {"error": f"internal error: invariant '{error.name}' broken"}
        except Exception as error:  # any other bug: a logged 500, never a dead thread
            self.event(
                logging.ERROR,
                "unhandled_error",
                route=route,
                version=version,
                error=f"{type(error).__name__}: {error}",
                where=traceback.format_exc(limit=3).splitlines()[-3:],
            )
            status, payload = 500, {"error": "internal error (see the app's logs)"}
        seconds = time.perf_counter() - started
        # Metrics, logs and observers first, then the answer: by the time a client has its
        # response, a scrape or an observer already counts that request.
        self.metrics.observe(route, status, version, seconds)
        fields = dict(
            route=route, method=method, status=status, ms=round(seconds * 1000, 3), reader=reader, version=version
        )
        request_id = handler.headers.get("X-Request-Id")
        if request_id:  # set by a load balancer (pageturn.live): log it, echo it
            fields["request_id"] = extra_headers["X-Request-Id"] = request_id[:64]
        if is_server_error(status):
            self.event(logging.ERROR, "request_failed", error=payload.get("error"), **fields)
        elif status >= 400:
            self.event(logging.WARNING, "bad_request", error=payload.get("error"), **fields)
        elif route not in QUIET_ROUTES:  # scrapes and admin calls would drown the rest
            self.event(logging.DEBUG, "request", **fields)
        self._notify(RequestRecord(route, method, status, version, reader, seconds))
        self._respond(handler, status, payload, version, extra_headers)

    def _notify(self, record: RequestRecord) -> None:
        with self._lock:
            observers = list(self._observers)
        for observer in observers:
            try:
                observer(record)
            except Exception as error:
                self.event(
                    logging.ERROR,
                    "observer_failed",
                    observer=getattr(observer, "__name__", "?"),
                    error=f"{type(error).__name__}: {error}",
                )

    def _route(self, path: str, method: str):
        table = routes.ROUTES.get(path)
        if table is None:
            return "unknown", None, []
        if method not in table:
            return "unknown", None, sorted(table)
        name, function = table[method]
        return name, function, sorted(table)

    def _read_body(self, handler):
        length = handler.headers.get("Content-Length")
        try:
            length = int(length or 0)
        except ValueError:
            raise routes.HttpError(400, f"Content-Length must be a whole number, got {length!r}") from None
        if length > routes.MAX_BODY_BYTES:
            raise routes.HttpError(413, f"body too large: {length} bytes, at most {routes.MAX_BODY_BYTES} bytes")
        raw = handler.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise routes.HttpError(400, 'body must be JSON, e.g. {"reader": "ana", "title": "Dune"}') from None
        if not isinstance(body, dict):
            raise routes.HttpError(400, f"body must be a JSON object, got {type(body).__name__}")
        return body

    def _pick_version(self, reader, pinned):
        if pinned is None:
            return self.version_for(reader)
        with self._lock:
            live = [self._stable] + ([self._canary_version] if self._canary_version else [])
        if pinned not in live:
            raise routes.HttpError(
                400, f"X-Pageturn-Version must be a version serving now ({', '.join(live)}), got {pinned!r}"
            )
        return pinned

    def _simulate_work(self, route, version, reader) -> None:
        if route not in versions.SERVICE_S:  # metrics and admin answer at once: no lock, no sleep
            return
        with self._lock:
            seconds = versions.service_seconds(route, version, reader, self._rng)
        time.sleep(seconds)

    def _wait_if_paused(self) -> None:
        while True:
            with self._lock:
                left = self._pause_until - time.monotonic()
            if left <= 0 or self._stopped.is_set():
                return
            time.sleep(min(left, 0.02))

    def _respond(self, handler, status, payload, version, extra_headers) -> None:
        if isinstance(payload, str):
            data, kind = payload.encode("utf-8"), "text/plain; version=0.0.4; charset=utf-8"
        else:
            data, kind = json.dumps(payload).encode("utf-8"), "application/json"
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("X-Pageturn-Version", version)
            for key, value in extra_headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client went away; nothing to answer

    def check_invariant(self, condition: bool, name: str, detail: str) -> None:
        """Pageturn's assert: when asserts are on and ``condition`` is false, raise
        :class:`InvariantError` (the request then answers 500)."""
        if self.asserts and not condition:
            raise InvariantError(name, detail)


# ---------------------------------------------------------------------- start / stop
def start(
    port=None, *, version="2.0", seed=0, log_level="INFO", asserts=True, sanity_every_s=None, fresh=False
) -> Pageturn:
    """Start Pageturn on 127.0.0.1 in background threads and return its handle.

    ``port``: a port number (1024..65535) or None to let the system pick a free
    one. ``version``: the version serving every reader at first (see
    :data:`VERSIONS`). ``seed``: seeds the simulated service times.
    ``log_level``: one of :data:`LOG_LEVELS`. ``asserts``: whether the app checks
    its invariants. ``sanity_every_s``: if given, start Pageturn's own sanity check
    every that many seconds.

    If an app started by :func:`start` still runs, it is **returned as it is**
    (its books and settings kept, the arguments ignored) so re-running a cell does
    not start a second server; pass ``fresh=True`` to get a new, independent app.

    Raises:
        ValueError: for an argument outside the ranges above.
        OSError: if ``port`` is already taken (the message says so; use ``port=None``).
    """
    global _CURRENT
    if not fresh and _CURRENT is not None and _CURRENT.running:
        return _CURRENT
    if sanity_every_s is not None:
        checks.number("sanity_every_s", sanity_every_s, low=0.05, high=3600)
    app = Pageturn(port, version=version, seed=seed, log_level=log_level, asserts=asserts)
    if sanity_every_s is not None:
        app.start_sanity(sanity_every_s)
    if not fresh:
        _CURRENT = app
    return app


def running() -> list[Pageturn]:
    """Every Pageturn app still running in this Python process."""
    with _LIVE_LOCK:
        return [app for app in _LIVE if app.running]


def stop_all() -> None:
    """Stop every Pageturn app running in this Python process (also run at exit)."""
    for app in running():
        app.stop(timeout_s=2.0)


lifecycle.on_exit(stop_all)
