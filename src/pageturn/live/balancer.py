"""A small HTTP load balancer for the Pageturn fleet, on 127.0.0.1.

Each reader has a home instance: the balancer picks it by *rendezvous hashing*
(highest ``sha256(instance, reader)`` among the instances in service), so a reader
always lands on the same instance, and taking one instance out moves only that
instance's readers. Requests without a reader (``/health``) go round-robin.

Every request gets a request id (header ``X-Request-Id``), which the balancer
logs and passes on, so the instance logs it too (:mod:`pageturn.live.app` does).
The answer carries ``X-Request-Id`` and ``X-Pageturn-Instance``.

Taking an instance *out of rotation* (:meth:`Balancer.remove`) is what real load
balancers call deregistration: new requests stop going there, requests already
in flight finish (connection draining: :meth:`Balancer.drain` waits for them), and
the instance keeps running. With ``hold=True`` its *slot* (its share of the readers)
stays reserved: its readers' new requests wait at the balancer until a replacement
serves the slot (:meth:`Balancer.add` with that ``slot``), instead of going to an
instance that does not have their data.
"""

from __future__ import annotations

import collections
import hashlib
import http.client
import http.server
import itertools
import json
import threading
import time
import urllib.parse

from pageturn import checks
from pageturn.live.serving import HOST, Background

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def home(reader: str, members) -> str | None:
    """The instance (a name from ``members``) that serves ``reader``: rendezvous hashing.
    None when ``members`` is empty."""
    best, best_score = None, -1
    for name in members:
        score = int.from_bytes(hashlib.sha256(f"{name}|{reader}".encode()).digest()[:8], "big")
        if score > best_score:
            best, best_score = name, score
    return best


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "PageturnBalancer"
    sys_version = ""
    timeout = 15

    def do_GET(self):
        self.server.balancer._forward(self, "GET")

    def do_POST(self):
        self.server.balancer._forward(self, "POST")

    def log_message(self, format, *args):
        pass


class Balancer:
    """Routes readers to the instances in service. Create it with a dict ``{name: url}``
    of instances (may be empty); ``url`` is ``http://127.0.0.1:PORT``.

    Attributes: ``url``, ``port``. Log records (dicts, newest last) are in
    :meth:`records`: ``time_s`` (when the balancer received and routed it, seconds since
    the epoch), ``request_id``, ``method``, ``path``, ``reader``, ``instance``, ``status`` (0 if the instance did not
    answer) and ``ms`` (time through the balancer, milliseconds).

    Raises:
        ValueError: if ``members`` is not a dict of names to 127.0.0.1 URLs.
    """

    def __init__(self, members=None, *, log_capacity: int = 20_000, timeout_s: float = 5.0):
        self._lock = threading.Lock()
        self._members: dict[str, str] = {}
        self._slots: dict[str, str] = {}
        self._held: set[str] = set()  # slots whose readers wait for a replacement
        self._in_flight: collections.Counter = collections.Counter()  # name -> requests being forwarded there
        self._changed = threading.Condition(self._lock)  # membership or in-flight counts changed
        self._records = collections.deque(maxlen=checks.number("log_capacity", log_capacity, low=10, integer=True))
        self._ids = itertools.count(1)
        self._round = itertools.count()
        self.timeout_s = checks.number("timeout_s", timeout_s, low=0.1, high=60)
        for name, url in (members or {}).items():
            self.add(name, url)
        self._http = Background(_Handler, "pageturn-balancer", balancer=self)
        self.port, self.url = self._http.port, self._http.url

    # ------------------------------------------------------------------ membership
    def add(self, name: str, url: str, slot: str | None = None) -> None:
        """Put instance ``name`` (at ``url``) into rotation. Readers are hashed to *slots*;
        ``slot`` (default: ``name``) lets a replacement take over exactly the readers
        of the instance it replaces, and nobody else's.

        Raises:
            ValueError: if ``name`` is not a short string or ``url`` is not on 127.0.0.1.
        """
        if not isinstance(name, str) or not 1 <= len(name) <= 40:
            raise ValueError(f"name must be a string of 1 to 40 characters, got {name!r}")
        parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "http" or parts.hostname != HOST or not parts.port:
            raise ValueError(f"url must look like 'http://127.0.0.1:PORT', got {url!r}")
        slot = name if slot is None else str(slot)
        with self._lock:
            if slot in self._slots.values():
                raise ValueError(f"slot must not be served twice; {slot!r} is already served")
            self._members[name] = url
            self._slots[name] = slot
            self._held.discard(slot)
            self._changed.notify_all()

    def remove(self, name: str, *, hold: bool = False) -> None:
        """Take ``name`` out of rotation (deregister it). Requests in flight finish
        (:meth:`drain` waits for them); the instance itself is not touched.

        With ``hold=True`` the instance's slot stays reserved: requests of its readers
        wait at the balancer (up to ``timeout_s``, then 503) until :meth:`add` gives the
        slot to a replacement, or :meth:`unhold` lets them go to the other instances.

        Raises:
            ValueError: if ``name`` is not in rotation, or ``hold`` is not a bool.
        """
        if not isinstance(hold, bool):
            raise ValueError(f"hold must be True or False, got {hold!r}")
        with self._lock:
            if name not in self._members:
                raise ValueError(f"name must be an instance in rotation ({sorted(self._members)}), got {name!r}")
            del self._members[name]
            slot = self._slots.pop(name)
            if hold:
                self._held.add(slot)
            self._changed.notify_all()

    def unhold(self, slot: str) -> None:
        """Stop reserving ``slot`` (see :meth:`remove`): its readers' requests go to the other
        instances again. Unknown slots are ignored."""
        with self._lock:
            self._held.discard(slot)
            self._changed.notify_all()

    def in_flight(self, name: str) -> int:
        """How many requests the balancer is forwarding to instance ``name`` now (sent, not yet answered)."""
        with self._lock:
            return self._in_flight[name]

    def drain(self, name: str, timeout_s: float = 5.0) -> bool:
        """Wait (up to ``timeout_s`` s) until no request forwarded to ``name`` is still in flight:
        connection draining. Call it after :meth:`remove`. True if drained, False on timeout.

        Raises:
            ValueError: if ``timeout_s`` is not in [0, 60].
        """
        deadline = time.monotonic() + checks.number("timeout_s", timeout_s, low=0, high=60)
        with self._lock:
            while self._in_flight[name] > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def members(self) -> dict[str, str]:
        """The instances in rotation now: ``{name: url}``."""
        with self._lock:
            return dict(self._members)

    def slot_of(self, name: str) -> str | None:
        """The slot instance ``name`` serves (None if it is not in rotation)."""
        with self._lock:
            return self._slots.get(name)

    def route(self, reader: str | None) -> str | None:
        """The instance that would serve ``reader`` now (None if none is in service, or if the
        reader's slot is held for a replacement)."""
        with self._lock:
            return self._route_locked(reader)

    def _route_locked(self, reader):
        by_slot = {slot: name for name, slot in self._slots.items()}
        if reader is None:
            names = sorted(by_slot.values())
            return names[next(self._round) % len(names)] if names else None
        slot = self._slot_for(reader)
        return None if slot is None else by_slot.get(slot)

    def _slot_for(self, reader):
        """The slot ``reader`` hashes to, among the served and the held slots (None if there are none)."""
        return home(reader, sorted(set(self._slots.values()) | self._held))

    def _acquire(self, reader, deadline: float):
        """Pick the instance for ``reader`` and count the request in flight there, in one step
        (so :meth:`drain` cannot miss it); wait while the reader's slot is held.
        Returns ``(name, url)``, or ``(None, None)`` when nothing serves the reader."""
        with self._lock:
            while True:
                name = self._route_locked(reader)
                if name is not None:
                    self._in_flight[name] += 1
                    return name, self._members[name]
                held = reader is not None and self._slot_for(reader) in self._held
                left = deadline - time.monotonic()
                if not held or left <= 0:
                    return None, None
                self._changed.wait(left)

    def _done(self, name: str) -> None:
        with self._lock:
            self._in_flight[name] -= 1
            if self._in_flight[name] <= 0:
                del self._in_flight[name]
            self._changed.notify_all()

    # ------------------------------------------------------------------ logs
    def records(self, reader: str | None = None, last: int | None = None) -> list[dict]:
        """The balancer's log records, oldest first; only ``reader``'s if given; the last ``last``."""
        with self._lock:
            out = list(self._records)
        if reader is not None:
            out = [r for r in out if r["reader"] == reader]
        if last is not None:
            out = out[-checks.number("last", last, low=1, integer=True) :]
        return out

    # ------------------------------------------------------------------ serving
    def _forward(self, handler, method: str) -> None:
        started = time.perf_counter()
        received_s = time.time()  # when the routing decision is made: what quarantine changes
        request_id = f"req-{next(self._ids):06d}"
        parts = urllib.parse.urlsplit(handler.path)
        query = urllib.parse.parse_qs(parts.query)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(min(length, 100_000)) if length > 0 else None
        reader = (query.get("reader") or [None])[-1]
        if reader is None and body:
            try:
                reader = json.loads(body.decode("utf-8")).get("reader")
            except (ValueError, UnicodeDecodeError, AttributeError):
                reader = None
        reader = reader if isinstance(reader, str) else None
        name, url = self._acquire(reader, time.monotonic() + self.timeout_s)
        status, data, headers = 503, b'{"error": "no instance in service"}', {"Content-Type": "application/json"}
        if url is not None:
            port = urllib.parse.urlsplit(url).port
            forward = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_HEADERS}
            forward["X-Request-Id"] = request_id
            connection = http.client.HTTPConnection(HOST, port, timeout=self.timeout_s)
            try:
                connection.request(method, handler.path, body=body, headers=forward)
                response = connection.getresponse()
                status, data = response.status, response.read()
                headers = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS}
            except (OSError, http.client.HTTPException) as error:
                status, data = 502, json.dumps({"error": f"instance {name} did not answer: {error}"}).encode()
                headers = {"Content-Type": "application/json"}
            finally:
                connection.close()
                self._done(name)
        headers["X-Request-Id"] = request_id
        if name:
            headers["X-Pageturn-Instance"] = name
        record = {
            "time_s": received_s,
            "request_id": request_id,
            "method": method,
            "path": parts.path,
            "reader": reader,
            "instance": name if url else None,
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000.0, 3),
        }
        with self._lock:
            self._records.append(record)
        try:
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass

    # ------------------------------------------------------------------ stopping
    @property
    def running(self) -> bool:
        return self._http.running

    def stop(self) -> None:
        """Stop serving and close the port, letting requests in flight finish (safe to call twice)."""
        self._http.stop(drain_s=self.timeout_s + 1.0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
