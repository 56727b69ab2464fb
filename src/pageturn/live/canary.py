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
from dataclasses import dataclass

from pageturn import checks
from pageturn.live.alerts import READER_ROUTES
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
    return _model.cohorts(frame, percent, threshold_ms, routes=READER_ROUTES)


@dataclass
class FleetCanary:
    """A canary running on a fleet (made by :func:`start`).

    Attributes:
        fleet: the :class:`pageturn.live.fleet.Fleet`.
        version: the candidate version; ``stable``: the version the control runs.
        percent: the canary's share of readers (%, slots ``[0, percent)``).
        threshold_ms: a request slower than this (ms) counts as slow.
        started_s: when every instance in service had the canary (seconds since the epoch).
        stopped_s: when :meth:`stop` ended it (None while it runs).
    """

    fleet: object
    version: str
    stable: str
    percent: float
    threshold_ms: float
    started_s: float
    stopped_s: float | None = None

    def elapsed_s(self) -> float:
        """Seconds the canary has run (until :meth:`stop`, if it was stopped)."""
        end = time.time() if self.stopped_s is None else self.stopped_s
        return max(0.0, end - self.started_s)

    def cohorts(self):
        """``(canary, control)`` Cohorts since the start (until :meth:`stop`): see :func:`cohorts`."""
        return cohorts(self.fleet.balancer.records(), self.percent, self.threshold_ms, self.started_s, self.stopped_s)

    def evidence(self):
        """``(canary, control, elapsed_s)``: what :meth:`verdict` decides on, read at one moment
        (the age first, so the counts cover at least that long)."""
        elapsed = self.elapsed_s()
        canary_group, control_group = self.cohorts()
        return canary_group, control_group, elapsed

    def verdict(self, policy: _model.Policy | None = None) -> _model.Verdict:
        """:func:`pageturn.model.canary.judge` on :meth:`evidence`, by ``policy`` (default ``Policy()``).

        Raises:
            ValueError: if ``policy`` is not a :class:`pageturn.model.canary.Policy`.
        """
        canary_group, control_group, elapsed = self.evidence()
        return _model.judge(canary_group, control_group, elapsed_s=elapsed, policy=policy)

    def stop(self) -> None:
        """End the canary on every instance in service (the readers go back to ``stable``)."""
        if self.stopped_s is None:
            self.stopped_s = time.time()
        self.fleet.set_canary(None, 0)

    def __str__(self) -> str:
        state = "running" if self.stopped_s is None else "stopped"
        return (
            f"canary {self.version} to readers in slots [0, {self.percent:g}), control on {self.stable} "
            f"in slots [{self.percent:g}, {2 * self.percent:g}), {state} for {self.elapsed_s():.1f} s"
        )


def start(fleet, version: str, percent: float = 30.0, threshold_ms: float | None = None) -> FleetCanary:
    """Send ``version`` to the readers in slots ``[0, percent)`` on every instance in service of
    ``fleet``, and return the :class:`FleetCanary` that judges it. ``percent`` must be in (0, 50],
    so that an equal-size control exists; ``threshold_ms`` (ms) defaults to the fleet's SLO
    threshold.

    Raises:
        ValueError: if ``percent`` is not in (0, 50], ``threshold_ms`` is not > 0, ``version``
            is not one of Pageturn's versions or is the stable one, or a canary is already running.
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
    states = [fleet.instances[name].state() for name in members]
    running = sorted({s["canary_version"] for s in states if s["canary_version"]})
    if running:
        raise ValueError(f"version {version!r} cannot start: a canary of {running} is already running; stop it first")
    stables = sorted({s["version"] for s in states})
    if len(stables) != 1:
        raise ValueError(f"fleet must run one stable version for a control, got {stables}; set_version first")
    stable = stables[0]
    if version == stable:
        raise ValueError(
            f"version must differ from the stable version {stable!r} it is judged against, got {version!r}"
        )
    fleet.set_canary(version, percent)
    return FleetCanary(fleet, version, stable, percent, threshold_ms, started_s=time.time())
