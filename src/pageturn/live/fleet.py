"""A small Pageturn fleet on 127.0.0.1: instances, a balancer, a monitor that alerts and quarantines.

::

    from pageturn.live.fleet import Fleet
    with Fleet(size=3, seed=0) as fleet:          # 3 instances + balancer + monitor + debug page
        fleet.inject("pageturn-2")                  # a poisoned import on one instance
        frame = fleet.load(duration_s=3)            # readers through the balancer
        fleet.alerts[0].message()                   # the e-mail, with its link
        fleet.quarantined["pageturn-2"]             # out of service, kept, replaced
    # here nothing runs any more: no thread, no port

Each instance is a :class:`pageturn.live.app.Pageturn` with its own metrics, logs
(kept at DEBUG, so every request and its request id is logged) and data.
The monitor scrapes every instance's ``/metrics`` over HTTP, as Prometheus
would, adds an ``instance`` label, and evaluates the burn-rate rule of
:mod:`pageturn.live.alerts`. Its clock runs ``time_scale`` times faster than
the wall clock (default 720: one hour of alert time in 5 s), because a lesson
cannot wait an hour; turn it to see the windows stretch.

Clean exit: :meth:`Fleet.close` (also on leaving the ``with`` block, when the
fleet is garbage-collected, at interpreter exit, and, inside a Jupyter kernel,
after a cell that was interrupted) stops the monitor, the balancer, the debug
server and every instance, and waits for their threads.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
import warnings
import weakref

from pageturn import checks, lifecycle
from pageturn.live import alerts as _alerts
from pageturn.live import client
from pageturn.live import faults as _faults
from pageturn.live.balancer import Balancer
from pageturn.live.quarantine import Quarantine, affected_readers, journey_frame, restore
from pageturn.model.endpoints import ENDPOINTS, METRICS
from pageturn.status import is_server_error

_OPEN: weakref.WeakSet[Fleet] = weakref.WeakSet()
PAGE_WINDOWS = tuple(w for w in _alerts.WORKBOOK_WINDOWS if w.severity == "page")


def _scrape_text(url: str, timeout_s: float = 2.0) -> str:
    return client.request(client.port_of(url), *ENDPOINTS[METRICS], timeout_s=timeout_s).body.decode("utf-8")


def _close_parts(stop: threading.Event, parts: list) -> None:
    """Stop everything in ``parts`` (monitor thread, servers, instances); used by close and finalizers."""
    stop.set()
    for part in list(parts):
        try:
            if isinstance(part, threading.Thread):
                if part is not threading.current_thread():
                    part.join(5.0)
            else:
                part.stop()
        except Exception as error:  # report, never hide: the part may still hold a port or a thread
            warnings.warn(f"a fleet part did not stop ({part!r}): {error!r}", RuntimeWarning, stacklevel=2)


class Fleet:
    """``size`` Pageturn instances (3..8) named ``pageturn-1``... behind a :class:`Balancer`.

    Arguments: ``version`` (what every instance runs at first), ``seed`` (service
    times), ``slo`` (an :class:`pageturn.live.alerts.SLO`), ``time_scale`` (alert
    seconds per wall second, 1..10000), ``scrape_every_s`` (wall seconds between
    scrapes, 0.02..10), ``auto_quarantine`` (quarantine the instance an alert names), ``slis``
    (which SLIs page: ``("errors",)`` by default; add ``"latency"`` to page on requests slower
    than the SLO's threshold too, which a busy laptop can trip on its own).

    Attributes: ``url`` (the balancer: send readers here), ``balancer``,
    ``instances`` (name -> Pageturn, every instance still running, in service or
    not), ``alerts`` (every alert that fired, first firing per instance and SLI),
    ``quarantined`` (name -> :class:`pageturn.live.quarantine.Quarantine`),
    ``series`` (the scraped :class:`pageturn.live.alerts.Series`), ``admin_token``
    (needed by the debug page and console), ``debug_url``.

    Raises:
        ValueError: for an argument out of range.
        RuntimeError: from :meth:`inject`, :meth:`load`, :meth:`set_canary` and :meth:`set_version`
            once the fleet is closed.
    """

    def __init__(
        self,
        size: int = 3,
        *,
        version: str = "2.1",
        seed: int = 0,
        slo=None,
        time_scale: float = 720.0,
        scrape_every_s: float = 0.1,
        auto_quarantine: bool = True,
        slis=("errors",),
    ):
        from pageturn.live.app import VERSIONS

        size = checks.number("size", size, low=3, high=8, integer=True)
        checks.choice("version", version, VERSIONS)
        self.seed = checks.number("seed", seed, integer=True)
        self.time_scale = checks.number("time_scale", time_scale, low=1, high=10_000)
        self.scrape_every_s = checks.number("scrape_every_s", scrape_every_s, low=0.02, high=10)
        self.slo = _alerts.SLO() if slo is None else slo
        if not isinstance(self.slo, _alerts.SLO):
            raise ValueError(f"slo must be a pageturn.live.alerts.SLO, got {slo!r}")
        if not isinstance(auto_quarantine, bool):
            raise ValueError(f"auto_quarantine must be True or False, got {auto_quarantine!r}")
        self.auto_quarantine = auto_quarantine
        self.slis = tuple(slis)
        for sli in self.slis:
            checks.choice("slis item", sli, _alerts.SLIS)
        self.version = version
        self.admin_token = secrets.token_hex(8)
        self.instances = {}
        self.alerts: list = []
        self.quarantined: dict[str, Quarantine] = {}
        self.injected: list = []
        self.series = _alerts.Series()
        self.monitor_errors: list[str] = []
        self._names = itertools.count(1)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._parts: list = []  # what close() stops, in order
        self._finalizer = weakref.finalize(self, _close_parts, self._stop, self._parts)
        try:
            self.balancer = Balancer()
            self._parts.append(self.balancer)
            self.url = self.balancer.url
            for _ in range(size):
                self._start_instance()
            from pageturn.live.console import DebugServer

            self.debug = DebugServer(self)
            self._parts.append(self.debug)
            self.debug_url = self.debug.url
            self._t0 = time.monotonic()
            self._monitor = threading.Thread(
                target=self._watch, name=f"pageturn-fleet-monitor-{self.balancer.port}", daemon=True
            )
            self._parts.insert(0, self._monitor)
            self._monitor.start()
        except BaseException:
            self.close()
            raise
        _OPEN.add(self)
        lifecycle.on_interrupt(_close_after_interrupt)  # inside IPython: the Interrupt button closes it

    # ------------------------------------------------------------------ instances
    def _start_instance(self, slot: str | None = None, version: str | None = None, *, admit: bool = True):
        """Start one instance; put it into rotation (serving ``slot``) unless ``admit`` is False."""
        from pageturn.live.app import Pageturn

        name = f"pageturn-{next(self._names)}"
        app = Pageturn(
            version=version or self.version,
            seed=self.seed * 100 + len(self.instances),
            log_level="DEBUG",
            log_capacity=5000,
        )
        self._parts.append(app)
        self.instances[name] = app
        if admit:
            self.balancer.add(name, app.url, slot=slot)
        return name

    def __repr__(self):
        state = "running" if self.running else "closed"
        return (
            f"<Fleet {state}: balancer {self.url}, in service {sorted(self.balancer.members())}, "
            f"quarantined {sorted(n for n in self.quarantined if self.is_quarantined(n))}>"
        )

    @property
    def running(self) -> bool:
        return not self._stop.is_set()

    def in_service(self) -> list[str]:
        """Names of the instances the balancer sends readers to, sorted."""
        return sorted(self.balancer.members())

    def readers_on(self, name: str, readers) -> list[str]:
        """Which of ``readers`` the balancer sends to instance ``name`` now."""
        self._check_name(name)
        return [r for r in readers if self.balancer.route(r) == name]

    def _check_open(self) -> None:
        if self._stop.is_set():
            raise RuntimeError(
                "this fleet is closed (by close(), or because a cell was interrupted); start a new one with Fleet(...)"
            )

    def _check_name(self, name):
        if name not in self.instances:
            raise ValueError(f"name must be one of the fleet's instances {sorted(self.instances)}, got {name!r}")

    @staticmethod
    def reader_ids(readers: int = 50) -> list[str]:
        """The reader ids :func:`pageturn.live.loadgen.run` uses for ``readers`` readers."""
        readers = checks.number("readers", readers, low=1, high=100_000, integer=True)
        return [f"reader-{i:05d}" for i in range(readers)]

    # ------------------------------------------------------------------ fault and load
    def inject(
        self, name: str, kind: str = "text-date", share: float = 0.3, readers: int = 50, seed: int | None = None
    ):
        """A poisoned import (:func:`pageturn.live.faults.poisoned_import`) on instance ``name``,
        for ``share`` of the readers (of the first ``readers`` load-generator readers) it serves.
        Returns the :class:`pageturn.live.faults.Injected` record (the answer key: the lesson
        looks at it only at the end)."""
        self._check_open()
        self._check_name(name)
        mine = self.readers_on(name, self.reader_ids(readers))
        done = _faults.poisoned_import(
            self.instances[name], mine, instance=name, kind=kind, share=share, seed=self.seed if seed is None else seed
        )
        self.injected.append(done)
        return done

    def load(
        self,
        duration_s: float = 2.0,
        rate_per_s: float = 80.0,
        readers: int = 50,
        seed: int = 0,
        workers: int = 8,
        **options,
    ):
        """Send readers through the balancer with :func:`pageturn.live.loadgen.run`; returns its DataFrame."""
        self._check_open()
        from pageturn.live import loadgen

        return loadgen.run(
            self.url,
            duration_s=duration_s,
            rate_per_s=rate_per_s,
            readers=readers,
            seed=seed,
            workers=workers,
            **options,
        )

    # ------------------------------------------------------------------ monitor and alerts
    def alert_time_s(self) -> float:
        """Seconds of alert time since the fleet started (wall seconds × time_scale)."""
        return (time.monotonic() - self._t0) * self.time_scale

    def _watch(self) -> None:
        while not self._stop.wait(self.scrape_every_s):
            try:
                self.check_once()
            except Exception as error:  # keep watching; the error is kept for the curious
                self.monitor_errors.append(f"{type(error).__name__}: {error}")
                del self.monitor_errors[:-100]  # keep the last 100

    def check_once(self) -> list:
        """Scrape every instance in service, add the sample, evaluate the page rule; quarantine
        what it names (if ``auto_quarantine``). Returns the alerts that fired for the first time."""
        with self._lock:
            if self._stop.is_set():
                return []
            members = self.in_service()
            counts = {}
            for name in members:
                app = self.instances.get(name)
                if app is not None and app.running:
                    counts[name] = _alerts.counts_from_text(_scrape_text(app.url), self.slo.threshold_s)
            t = self.alert_time_s()
            if self.series.times and t <= self.series.times[-1]:
                return []
            self.series.add(t, counts)
            new = []
            seen = {(a.instance, a.sli) for a in self.alerts}
            for alert in _alerts.evaluate(self.series, self.slo, PAGE_WINDOWS, slis=self.slis):
                if alert.instance in members and (alert.instance, alert.sli) not in seen:
                    alert = _alerts.Alert(**{**alert.__dict__, "link": self.debug_link(alert.instance)})
                    self.alerts.append(alert)
                    new.append(alert)
                    seen.add((alert.instance, alert.sli))
            for alert in new:
                if self.auto_quarantine and alert.instance not in self.quarantined:
                    self.quarantine(alert.instance, alert)
            return new

    def wait_for_alert(self, timeout_s: float = 10.0):
        """Wait (up to ``timeout_s`` s) for the first alert; return it, or None."""
        deadline = time.monotonic() + checks.number("timeout_s", timeout_s, low=0, high=120)
        while time.monotonic() < deadline and not self.alerts:
            time.sleep(0.05)
        return self.alerts[0] if self.alerts else None

    def debug_link(self, name: str) -> str:
        """The debug page of instance ``name`` (the alert's link)."""
        return f"{self.debug_url}/debug/{name}"

    # ------------------------------------------------------------------ quarantine
    def quarantine(self, name: str, alert=None) -> Quarantine:
        """Take ``name`` out of rotation, holding its readers' new requests at the balancer;
        wait for its requests in flight to finish (connection draining); snapshot it (it keeps
        running, state intact); start a replacement, restore the snapshot into it (invalid
        records held back), and only then give it exactly ``name``'s readers, whose held
        requests go on to it. So no write of theirs is lost: one in flight lands before the
        snapshot, one sent meanwhile lands on the replacement.
        Returns the :class:`pageturn.live.quarantine.Quarantine`.

        Raises:
            ValueError: if ``name`` is not an instance in service.
        """
        with self._lock:
            if name not in self.balancer.members():
                raise ValueError(f"name must be an instance in service {self.in_service()}, got {name!r}")
            app = self.instances[name]
            slot = self.balancer.slot_of(name)
            self.balancer.remove(name, hold=True)
            at_s = time.time()  # from here on, no request goes to it
            try:
                drained = self.balancer.drain(name, timeout_s=self.balancer.timeout_s + 1.0)
                snapshot = app.snapshot()
                replacement = self._start_instance(slot=slot, version=app.state()["version"], admit=False)
                held = restore(self.instances[replacement], snapshot)
                self.balancer.add(replacement, self.instances[replacement].url, slot=slot)
            except BaseException:
                self.balancer.unhold(slot)  # never leave readers waiting for a replacement that will not come
                raise
            record = Quarantine(name, replacement, alert, snapshot, at_s, held, drained=drained)
            self.quarantined[name] = record
            app.event(
                30, "quarantined", replacement=replacement, alert=None if alert is None else alert.name, drained=drained
            )
            return record

    def is_quarantined(self, name: str) -> bool:
        """True while ``name`` is quarantined and still running (not released)."""
        record = self.quarantined.get(name)
        return record is not None and not record.released and self.instances.get(name) is not None

    def affected(self, name: str | None = None):
        """Readers who met a 5xx before and after the quarantine of ``name`` (default: the
        first one), from the balancer's log: see :func:`pageturn.live.quarantine.affected_readers`."""
        if not self.quarantined:
            raise ValueError("nothing is quarantined yet: send load after injecting a fault")
        record = self.quarantined[name] if name else next(iter(self.quarantined.values()))
        return affected_readers(self.balancer.records(), record.at_s)

    # ------------------------------------------------------------------ debugging
    def journey(self, reader: str, last: int = 20):
        """The reader's last ``last`` requests, as the balancer and the instance each logged them,
        joined by request id: a DataFrame with ``time_s``, ``request_id``, ``method``, ``path``,
        ``instance``, ``status`` (balancer), ``ms`` (balancer, ms), ``instance_event``,
        ``version``, ``instance_ms`` and ``error`` (from the instance's log); see
        :func:`pageturn.live.quarantine.journey_frame`."""
        events = [event for app in self.instances.values() for event in app.log_events()]
        return journey_frame(self.balancer.records(reader=reader, last=last), events)

    def failed_reader(self, name: str) -> str | None:
        """The reader of the last 5xx answer instance ``name`` gave (None if none)."""
        failed = [r for r in self.balancer.records() if r["instance"] == name and is_server_error(r["status"])]
        return failed[-1]["reader"] if failed else None

    def console(self, name: str, token: str):
        """A :class:`pageturn.live.console.Console` inside quarantined instance ``name``.

        Raises:
            PermissionError: if ``token`` is not the fleet's admin token, or ``name`` is not quarantined.
        """
        from pageturn.live.console import Console

        return Console(self, name, token)

    # ------------------------------------------------------------------ fix and return
    def set_canary(self, version: str, percent: float) -> None:
        """Every instance in service sends ``percent`` % of its readers to ``version`` (by reader id)."""
        self._check_open()
        for name in self.in_service():
            self.instances[name].set_canary(version, percent)

    def set_version(self, version: str) -> None:
        """Roll ``version`` out to every instance in service (ends any canary)."""
        self._check_open()
        for name in self.in_service():
            self.instances[name].set_version(version)

    def readmit(self, name: str) -> int:
        """Import the records held back when ``name`` was quarantined into its replacement
        (do it after the fix is rolled out). Returns how many were readmitted."""
        record = self.quarantined[name]
        target = self.instances[record.replacement]
        by_reader: dict[str, list] = {}
        for item in record.held_back:
            by_reader.setdefault(item["reader"], []).append(item["book"])
        for reader, books in by_reader.items():
            target.import_books(reader, books)
        count = len(record.held_back)
        record.held_back = []
        return count

    def release(self, name: str) -> None:
        """Stop quarantined instance ``name`` (debugging done): its port closes, its console ends.

        Raises:
            ValueError: if ``name`` is not quarantined.
        """
        with self._lock:
            if not self.is_quarantined(name):
                raise ValueError(f"name must be a quarantined instance {sorted(self.quarantined)}, got {name!r}")
            app = self.instances.pop(name)
            self.quarantined[name].released = True
            app.stop(timeout_s=2.0)

    def scrape(self) -> dict:
        """Every running instance's ``/metrics``, parsed (:func:`pageturn.live.appmetrics.parse`): name -> DataFrame."""
        from pageturn.live.appmetrics import parse

        return {name: parse(_scrape_text(app.url)) for name, app in self.instances.items() if app.running}

    # ------------------------------------------------------------------ stopping
    def close(self) -> None:
        """Stop the monitor, the balancer, the debug page and every instance; wait for their
        threads. Safe to call twice."""
        self._stop.set()
        with self._lock:
            pass  # a check in progress has finished
        _close_parts(self._stop, self._parts)
        self._parts.clear()
        for name in list(self.instances):
            self.instances.pop(name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def close_all() -> None:
    """Close every fleet still open in this Python process (also run at exit)."""
    for fleet in list(_OPEN):
        fleet.close()


def _close_after_interrupt() -> None:
    """After an interrupted cell (IPython): close every open fleet, and say so in the cell's output."""
    open_fleets = [fleet for fleet in list(_OPEN) if fleet.running]
    for fleet in open_fleets:
        fleet.close()
    if open_fleets:
        print(
            f"Interrupted: closed {len(open_fleets)} fleet{'s' if len(open_fleets) > 1 else ''} "
            "(no thread, no port left). Run the cell that starts the fleet again for a new one."
        )


lifecycle.on_exit(close_all)
