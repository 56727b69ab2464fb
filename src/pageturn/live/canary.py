"""A canary across the fleet, judged as in Lesson 3: against an equal-size control, on enough
requests and time, allowing for noise.

::

    from pageturn.live import canary
    from pageturn.model.canary import Policy

    run = canary.start(fleet, "2.1.1", percent=30)   # every instance in service: slots [0, 30) get 2.1.1
    fleet.load(duration_s=3, rate_per_s=300, readers=100)
    print(run.verdict(Policy(min_requests=150, min_duration_s=2)))   # wait, roll back or promote

Every instance decides a reader's version the same way
(:meth:`pageturn.live.app.Pageturn.version_for`): a reader whose hash slot
(:func:`pageturn.model.canary.reader_slot`, 0 to 100) is below ``percent`` gets the
candidate. So the **control** is the readers in slots ``[percent, 2 * percent)``: just as
many readers, on the stable version, counted from the same moment, on every instance.

The evidence is the **balancer's log**: the one place that sees every request of every
instance, with its reader, status and time (ms). The cohorts are counted from it by
:func:`pageturn.model.canary.cohorts` (Lesson 3's own counting), and the decision is
:func:`pageturn.model.canary.judge` with a :class:`pageturn.model.canary.Policy`: there is
no second rule here.

Times: ``time_s`` in the balancer's records and :attr:`FleetCanary.started_s` are seconds
since the epoch; durations are seconds; latencies ms. Bad arguments raise ``ValueError``.
"""

from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass

from pageturn import checks
from pageturn.live.routes import ROUTES
from pageturn.model import canary as _model

__all__ = ["FleetCanary", "start", "cohorts", "requests_frame"]


def requests_frame(records, since_s: float | None = None, until_s: float | None = None):
    """The balancer's ``records`` (:meth:`pageturn.live.balancer.Balancer.records`) received in
    ``[since_s, until_s)`` (seconds since the epoch; None: no bound), as a DataFrame with the columns
    :func:`pageturn.model.canary.cohorts` reads: ``time_s``, ``reader``, ``route`` (the app's
    route name, from path and method), ``status``, ``latency_ms`` (the balancer's ``ms``) and
    ``instance``. Records without a reader are left out.

    Raises:
        ValueError: if ``records`` is not a list of balancer records, or ``since_s > until_s``.
    """
    import pandas as pd

    if not isinstance(records, (list, tuple)):
        raise ValueError(f"records must be a list from Balancer.records(), got {type(records).__name__}")
    since_s = -math.inf if since_s is None else checks.number("since_s", since_s)
    until_s = math.inf if until_s is None else checks.number("until_s", until_s)
    if since_s > until_s:
        raise ValueError(f"since_s must be at most until_s, got since_s={since_s!r} > until_s={until_s!r}")
    rows = []
    for record in records:
        try:
            received, reader = float(record["time_s"]), record["reader"]
            route = ROUTES.get(record["path"], {}).get(record["method"], ("unknown",))[0]
            row = {
                "time_s": received,
                "reader": reader,
                "route": route,
                "status": int(record["status"]),
                "latency_ms": float(record["ms"]),
                "instance": record.get("instance"),
            }
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"records must be balancer records (time_s, reader, path, ...), got {record!r}") from None
        if reader is not None and since_s <= received < until_s:
            rows.append(row)
    columns = ["time_s", "reader", "route", "status", "latency_ms", "instance"]
    return pd.DataFrame(rows, columns=columns)


def cohorts(records, percent: float, threshold_ms: float, since_s: float | None = None, until_s: float | None = None):
    """``(canary, control)``: two :class:`pageturn.model.canary.Cohort` counted from the balancer's
    ``records`` received in ``[since_s, until_s)``, for a canary of ``percent`` % (0 < percent <= 50).

    The canary is the readers in hash slots ``[0, percent)``, the control those in
    ``[percent, 2 * percent)``; only answered requests on the reader routes count; a request is
    slow when the balancer took longer than ``threshold_ms`` (ms) to answer it.

    Raises:
        ValueError: as :func:`requests_frame` and :func:`pageturn.model.canary.cohorts`.
    """
    frame = requests_frame(records, since_s, until_s)
    return _model.cohorts(frame, percent, threshold_ms)  # the reader routes: model.endpoints.READER_ROUTES


@dataclass
class FleetCanary:
    """A canary running on a fleet (made by :func:`start`).

    It counts from ``started_s`` until it ends: by :meth:`stop`, :meth:`roll_back` or
    :meth:`promote`, or when :func:`start` begins another canary on the same fleet. If the fleet's
    instances stop running it some other way (``Fleet.set_version``, a replacement started
    without it), :meth:`evidence` refuses to answer rather than count the wrong readers.

    Attributes:
        fleet: the :class:`pageturn.live.fleet.Fleet`.
        version: the candidate version; ``stable``: the version the control runs.
        percent: the canary's share of readers (%, slots ``[0, percent)``).
        threshold_ms: a request slower than this (ms) counts as slow.
        started_s: when every instance in service had the canary (seconds since the epoch).
        stopped_s: when it ended (None while it runs).
    """

    fleet: object
    version: str
    stable: str
    percent: float
    threshold_ms: float
    started_s: float
    stopped_s: float | None = None

    def elapsed_s(self) -> float:
        """Seconds the canary has run (until it ended, if it has)."""
        end = time.time() if self.stopped_s is None else self.stopped_s
        return max(0.0, end - self.started_s)

    def running(self) -> bool:
        """True while it has not ended and every instance in service runs it as started."""
        if self.stopped_s is not None:
            return False
        for name in self.fleet.in_service():
            state = self.fleet.instances[name].state()
            if (state["version"], state["canary_version"]) != (self.stable, self.version) or not math.isclose(
                state["canary_percent"], self.percent
            ):
                return False
        return True

    def cohorts(self):
        """``(canary, control)`` Cohorts since the start (until it ended): see :func:`cohorts`.

        Raises:
            ValueError: as :meth:`evidence`.
        """
        return self.evidence()[:2]

    def evidence(self):
        """``(canary, control, elapsed_s)``: what :meth:`verdict` decides on, read at one moment
        (the age first, so the counts cover at least that long).

        Raises:
            ValueError: if the fleet stopped running this canary without it being ended.
        """
        if self.stopped_s is None and not self.running():
            raise ValueError(
                f"the fleet no longer runs canary {self.version} to {self.percent:g} % on every instance in "
                "service, so its readers cannot be counted; end a canary with stop(), roll_back() or promote()"
            )
        elapsed = self.elapsed_s()
        records = self.fleet.balancer.records()
        canary_group, control_group = cohorts(records, self.percent, self.threshold_ms, self.started_s, self.stopped_s)
        return canary_group, control_group, elapsed

    def verdict(self, policy: _model.Policy | None = None) -> _model.Verdict:
        """:func:`pageturn.model.canary.judge` on :meth:`evidence`, by ``policy`` (default ``Policy()``).

        Raises:
            ValueError: if ``policy`` is not a :class:`pageturn.model.canary.Policy`, or as :meth:`evidence`.
        """
        canary_group, control_group, elapsed = self.evidence()
        return _model.judge(canary_group, control_group, elapsed_s=elapsed, policy=policy)

    def _end(self) -> None:
        if self.stopped_s is None:
            self.stopped_s = time.time()
        if _CURRENT.get(self.fleet) is self:
            del _CURRENT[self.fleet]

    def stop(self) -> None:
        """End the canary: every instance in service sends all readers to ``stable`` again."""
        self._end()
        self.fleet.set_canary(None, 0)

    def roll_back(self) -> None:
        """The verdict was "roll back": the same as :meth:`stop`."""
        self.stop()

    def promote(self) -> None:
        """The verdict was "promote": end the canary and roll ``version`` out to every instance in service."""
        self._end()
        self.fleet.set_version(self.version)

    def __str__(self) -> str:
        state = "running" if self.stopped_s is None else "ended"
        return (
            f"canary {self.version} to readers in slots [0, {self.percent:g}), control on {self.stable} "
            f"in slots [{self.percent:g}, {2 * self.percent:g}), {state} after {self.elapsed_s():.1f} s"
        )


_CURRENT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # fleet -> the canary started on it last


def start(fleet, version: str, percent: float = 30.0, threshold_ms: float | None = None) -> FleetCanary:
    """Send ``version`` to the readers in slots ``[0, percent)`` on every instance in service of
    ``fleet``, and return the :class:`FleetCanary` that judges it. ``percent`` must be in (0, 50],
    so that an equal-size control exists; ``threshold_ms`` (ms) defaults to the fleet's SLO
    threshold. A canary already running on the fleet is replaced (the one started before ends
    now), so running the same notebook cell twice starts afresh.

    Raises:
        ValueError: if ``percent`` is not in (0, 50], ``threshold_ms`` is not > 0, ``version``
            is not one of Pageturn's versions or is the stable one, the fleet has no instance in
            service, or its instances run different stable versions.
    """
    from pageturn.live.versions import VERSIONS

    checks.choice("version", version, VERSIONS)
    percent = checks.number("percent", percent, low=0, high=50, low_open=True)
    if threshold_ms is None:
        threshold_ms = 1000.0 * fleet.slo.threshold_s
    threshold_ms = checks.number("threshold_ms", threshold_ms, low=0, low_open=True)
    members = fleet.in_service()
    if not members:
        raise ValueError("fleet must have an instance in service to run a canary, got none")
    stables = sorted({fleet.instances[name].state()["version"] for name in members})
    if len(stables) != 1:
        raise ValueError(f"fleet must run one stable version for a control, got {stables}; set_version first")
    stable = stables[0]
    if version == stable:
        raise ValueError(
            f"version must differ from the stable version {stable!r} it is judged against, got {version!r}"
        )
    previous = _CURRENT.get(fleet)
    if previous is not None:
        previous._end()
    fleet.set_canary(version, percent)
    run = FleetCanary(fleet, version, stable, percent, threshold_ms, started_s=time.time())
    _CURRENT[fleet] = run
    return run
