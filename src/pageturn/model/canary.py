"""Judging a canary the careful way: against an equal-size control, on enough requests, allowing for noise.

A canary is judged on **service level indicators** (SLIs) counted per group of
readers: the share of requests slower than a threshold (a *latency SLI*) and the
share answered with a 5xx error. Following the SRE workbook's canarying chapter
and the Spinnaker/Kayenta judges, this module:

* compares the canary with a **control**: a group of readers of the *same size*,
  served by the stable version and counted over the *same* window (see
  :func:`cohorts`), rather than with the whole fleet, whose readers, caches and
  history differ;
* waits for a **minimum number of requests** in each group and a **minimum
  duration** before it decides anything (:class:`Policy`);
* uses a **decision rule that allows for noise**: the difference between the two
  shares gets a confidence interval (Newcombe's method, from two Wilson score
  intervals), and the canary is rolled back only when the whole interval lies
  above the agreed tolerance, promoted only when the whole interval lies below it,
  and otherwise the judge says "wait" (:func:`judge`).

:func:`simulate` shows why all three matter: it draws many canaries of known
quality and counts how often a rule decides wrongly after a given number of requests.

Shares are fractions in [0, 1]; tolerances are in **percentage points**
(from 2 % to 5 % is 3 points); durations are in seconds; latencies in ms.
Bad arguments raise ``ValueError`` naming the argument, the value and what was expected.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from statistics import NormalDist

import numpy as np

from pageturn import checks
from pageturn.model.endpoints import READER_ROUTES
from pageturn.status import server_errors

__all__ = [
    "Cohort",
    "Policy",
    "Verdict",
    "wilson_interval",
    "difference_interval",
    "judge",
    "naive_rule",
    "cohorts",
    "simulate",
    "DECISIONS",
]

DECISIONS = ("wait", "roll back", "promote")
"""What :func:`judge` can answer."""


@dataclass(frozen=True)
class Cohort:
    """What one group of readers met in the canary window.

    Attributes:
        requests: requests answered (whole number >= 0).
        slow: how many of them were slower than the latency SLI's threshold.
        errors: how many were answered with a 5xx status.

    >>> Cohort(200, slow=30, errors=4).slow_share
    0.15
    >>> Cohort(100, 5, 1) + Cohort(100, 15, 3)
    Cohort(requests=200, slow=20, errors=4)

    Raises:
        ValueError: if a count is negative or not whole, or ``slow`` or ``errors``
            exceeds ``requests``.
    """

    requests: int
    slow: int = 0
    errors: int = 0

    def __post_init__(self):
        n = checks.number("requests", self.requests, low=0, integer=True)
        object.__setattr__(self, "requests", n)
        for name in ("slow", "errors"):
            value = checks.number(name, getattr(self, name), low=0, high=n, integer=True)
            object.__setattr__(self, name, value)

    @property
    def slow_share(self) -> float:
        """Fraction (0..1) of requests slower than the threshold; nan with no requests."""
        return self.slow / self.requests if self.requests else math.nan

    @property
    def error_share(self) -> float:
        """Fraction (0..1) of requests answered with a 5xx; nan with no requests."""
        return self.errors / self.requests if self.requests else math.nan

    def __add__(self, other: Cohort) -> Cohort:
        """Counts add up: two servers' (or two minutes') cohorts merge exactly."""
        if not isinstance(other, Cohort):
            return NotImplemented
        return Cohort(self.requests + other.requests, self.slow + other.slow, self.errors + other.errors)


@dataclass(frozen=True)
class Policy:
    """The rule agreed **before** the canary starts.

    Attributes:
        min_requests: requests each group needs before any decision (>= 1).
        min_duration_s: seconds the canary must have run before any decision (>= 0).
        max_slow_points: how many percentage points more slow requests the canary may
            have than the control before it counts as worse.
        max_error_points: the same for the share of 5xx answers.
        confidence: confidence of the interval around each difference, in (0.5, 1).
        max_duration_s: the deadline (s), or None for none (the default). A canary the
            judge still cannot decide on after this long is rolled back, not left running:
            the safe side when the data never settles.
    """

    min_requests: int = 200
    min_duration_s: float = 2.0
    max_slow_points: float = 5.0
    max_error_points: float = 1.0
    confidence: float = 0.95
    max_duration_s: float | None = None

    def __post_init__(self):
        checks.number("min_requests", self.min_requests, low=1, integer=True)
        checks.number("min_duration_s", self.min_duration_s, low=0)
        checks.number("max_slow_points", self.max_slow_points, low=0, high=100)
        checks.number("max_error_points", self.max_error_points, low=0, high=100)
        checks.number("confidence", self.confidence, low=0.5, high=1, low_open=True, high_open=True)
        if self.max_duration_s is not None:
            checks.number("max_duration_s", self.max_duration_s, low=self.min_duration_s, low_open=True)


@dataclass(frozen=True)
class Verdict:
    """The judge's answer.

    Attributes:
        decision: ``"wait"``, ``"roll back"`` or ``"promote"``.
        reason: one plain sentence saying why.
        canary, control: the counts it was based on.
        elapsed_s: how long the canary had run (s).
        slow_points, error_points: for each SLI, (estimate, low, high) of
            canary minus control, in percentage points (nan before enough requests).
    """

    decision: str
    reason: str
    canary: Cohort
    control: Cohort
    elapsed_s: float
    slow_points: tuple = field(default=(math.nan, math.nan, math.nan))
    error_points: tuple = field(default=(math.nan, math.nan, math.nan))

    def table(self):
        """The numbers behind the verdict as a small DataFrame (one row per SLI)."""
        import pandas as pd

        rows = []
        for name, attr, points in (
            ("slower than the threshold", "slow_share", self.slow_points),
            ("errors (5xx)", "error_share", self.error_points),
        ):
            rows.append(
                {
                    "SLI": name,
                    "canary (%)": 100 * getattr(self.canary, attr),
                    "control (%)": 100 * getattr(self.control, attr),
                    "difference (points)": points[0],
                    "interval low": points[1],
                    "interval high": points[2],
                }
            )
        return pd.DataFrame(rows).set_index("SLI").round(2)

    def __str__(self) -> str:
        return (
            f"{self.decision}: {self.reason} (canary {self.canary.requests} requests, "
            f"control {self.control.requests} requests, {self.elapsed_s:g} s)"
        )


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (low, high) for a share of ``k`` out of ``n`` (fractions 0..1).

    Unlike ``k/n ± z·sqrt(p(1-p)/n)``, it stays inside [0, 1] and does not
    collapse to a single point when ``k`` is 0 or ``n``.

    >>> low, high = wilson_interval(5, 10)
    >>> round(low, 3), round(high, 3)
    (0.237, 0.763)
    >>> wilson_interval(0, 10)[0]
    0.0

    Raises:
        ValueError: if ``n < 1``, ``k`` is not in [0, n], or ``confidence`` not in (0.5, 1).
    """
    n = checks.number("n", n, low=1, integer=True)
    k = checks.number("k", k, low=0, high=n, integer=True)
    confidence = checks.number("confidence", confidence, low=0.5, high=1, low_open=True, high_open=True)
    z = _z(confidence)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def _wilson_arrays(k, n: int, z: float):
    """Wilson intervals (low, high) for arrays of counts ``k`` out of ``n`` (as :func:`wilson_interval`)."""
    p = np.asarray(k, dtype=float) / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = np.where(p == 0, 0.0, np.maximum(0.0, centre - half))
    high = np.where(p == 1, 1.0, np.minimum(1.0, centre + half))
    return low, high


def difference_interval(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple:
    """Estimate and interval of ``k1/n1 - k2/n2`` (fractions), by Newcombe's method.

    Returns ``(estimate, low, high)``. The interval combines the two Wilson
    intervals (Newcombe 1998, method 10); it is honest on small counts and on
    shares near 0, where most canary SLIs live.

    Raises:
        ValueError: as :func:`wilson_interval`, for either share.
    """
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def judge(canary: Cohort, control: Cohort, elapsed_s: float, policy: Policy | None = None) -> Verdict:
    """Decide on a canary from its counts and its control's, by ``policy``.

    1. Fewer than ``policy.min_requests`` requests in either group, or less than
       ``policy.min_duration_s`` seconds run: ``"wait"``.
    2. For each SLI (slow share, error share) compute the interval of
       canary minus control, in percentage points. If its *low* end is above the
       tolerance, the canary is worse beyond noise: ``"roll back"``.
    3. If, for every SLI, the *high* end is at most the tolerance, the canary is
       not worse by more than agreed: ``"promote"``.
    4. Otherwise the data cannot tell yet: ``"wait"`` (send more requests).
    5. With a deadline (``policy.max_duration_s``), a ``"wait"`` at or past it becomes
       ``"roll back"``, and the reason says why it was still undecided.

    >>> judge(Cohort(200, 30, 4), Cohort(200, 20, 2), elapsed_s=60).decision
    'wait'
    >>> judge(Cohort(2000, 400, 4), Cohort(2000, 200, 2), elapsed_s=600).decision
    'roll back'
    >>> judge(Cohort(200, 30, 4), Cohort(200, 20, 2), elapsed_s=60, policy=Policy(max_duration_s=60)).decision
    'roll back'

    Raises:
        ValueError: if ``canary`` or ``control`` is not a :class:`Cohort`, ``elapsed_s``
            is negative, or ``policy`` is not a :class:`Policy`.
    """
    for name, value in (("canary", canary), ("control", control)):
        if not isinstance(value, Cohort):
            raise ValueError(f"{name} must be a pageturn.model.canary.Cohort, got {type(value).__name__}")
    elapsed_s = checks.number("elapsed_s", elapsed_s, low=0)
    policy = Policy() if policy is None else policy
    if not isinstance(policy, Policy):
        raise ValueError(f"policy must be a pageturn.model.canary.Policy, got {type(policy).__name__}")
    verdict = _judge(canary, control, elapsed_s, policy)
    if verdict.decision == "wait" and policy.max_duration_s is not None and elapsed_s >= policy.max_duration_s:
        return replace(
            verdict,
            decision="roll back",
            reason=f"deadline reached: still undecided after {elapsed_s:g} s "
            f"(deadline {policy.max_duration_s:g} s), so rolled back; it was waiting because {verdict.reason}",
        )
    return verdict


def _judge(canary: Cohort, control: Cohort, elapsed_s: float, policy: Policy) -> Verdict:
    """:func:`judge` without the deadline, on checked arguments."""
    fewest = min(canary.requests, control.requests)
    if fewest < policy.min_requests:
        return Verdict(
            "wait",
            f"too few requests: {fewest} in the smaller group, {policy.min_requests} needed",
            canary,
            control,
            elapsed_s,
        )
    if elapsed_s < policy.min_duration_s:
        return Verdict(
            "wait", f"too early: {elapsed_s:g} s run, {policy.min_duration_s:g} s needed", canary, control, elapsed_s
        )
    slow = tuple(
        100 * v
        for v in difference_interval(canary.slow, canary.requests, control.slow, control.requests, policy.confidence)
    )
    errors = tuple(
        100 * v
        for v in difference_interval(
            canary.errors, canary.requests, control.errors, control.requests, policy.confidence
        )
    )
    worse = []
    if slow[1] > policy.max_slow_points:
        worse.append(
            f"slow requests {slow[0]:+.1f} points (at least {slow[1]:+.1f}, tolerance {policy.max_slow_points:g})"
        )
    if errors[1] > policy.max_error_points:
        worse.append(
            f"errors {errors[0]:+.1f} points (at least {errors[1]:+.1f}, tolerance {policy.max_error_points:g})"
        )
    if worse:
        return Verdict(
            "roll back",
            "worse than the control beyond noise: " + "; ".join(worse),
            canary,
            control,
            elapsed_s,
            slow,
            errors,
        )
    if slow[2] <= policy.max_slow_points and errors[2] <= policy.max_error_points:
        return Verdict(
            "promote",
            "not worse than the control by more than the tolerance "
            f"(slow at most {slow[2]:+.1f} points, errors at most {errors[2]:+.1f})",
            canary,
            control,
            elapsed_s,
            slow,
            errors,
        )
    return Verdict(
        "wait",
        "cannot tell yet: the intervals still straddle the tolerance "
        f"(slow {slow[1]:+.1f} to {slow[2]:+.1f} points, errors {errors[1]:+.1f} "
        f"to {errors[2]:+.1f})",
        canary,
        control,
        elapsed_s,
        slow,
        errors,
    )


def naive_rule(canary: Cohort, control: Cohort, max_slow_points: float = 5.0, max_error_points: float = 1.0) -> bool:
    """The rule most teams start with: roll back (True) when the *observed* difference
    passes a tolerance, however few requests stand behind it.

    >>> naive_rule(Cohort(100, slow=12), Cohort(100, slow=5))
    True

    Raises:
        ValueError: if a cohort has no requests or is not a :class:`Cohort`.
    """
    for name, value in (("canary", canary), ("control", control)):
        if not isinstance(value, Cohort) or value.requests == 0:
            raise ValueError(f"{name} must be a Cohort with at least one request, got {value!r}")
    return bool(
        100 * (canary.slow_share - control.slow_share) > max_slow_points
        or 100 * (canary.error_share - control.error_share) > max_error_points
    )


def reader_slot(reader: str, salt: str = "canary") -> float:
    """A reader's stable place in [0, 100), from a SHA-256 hash of ``salt`` and the id.

    A reader is in a canary of ``p`` percent when ``reader_slot(reader) < p``.
    """
    digest = hashlib.sha256(f"{salt}:{reader}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 100.0


def cohorts(frame, percent: float, threshold_ms: float, routes=READER_ROUTES):
    """Split a load run into the canary group and an **equal-size control**, and count each.

    ``frame`` is a DataFrame from :func:`pageturn.live.loadgen.run` sent while a canary of
    ``percent`` % ran (so it covers exactly the canary's window). The app puts a
    reader in the canary when ``reader_slot(reader) < percent``; the control is the
    readers with ``percent <= reader_slot(reader) < 2 * percent``: just as many readers,
    served by the stable version, over the same seconds. Only ``routes`` count, and
    only answered requests (status > 0). A request is slow when it took longer than
    ``threshold_ms`` (ms, from sent).

    Returns ``(canary, control)``, two :class:`Cohort`.

    Raises:
        ValueError: if ``frame`` is not a load run, ``percent`` is not in (0, 50],
            or ``threshold_ms`` is not > 0.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame) or not {"reader", "route", "status", "latency_ms"} <= set(frame):
        raise ValueError(f"frame must be a DataFrame from pageturn.live.loadgen.run, got {type(frame).__name__}")
    percent = checks.number("percent", percent, low=0, high=50, low_open=True)
    threshold_ms = checks.number("threshold_ms", threshold_ms, low=0, low_open=True)
    done = frame[(frame["status"] > 0) & frame["route"].isin(list(routes))]
    slot = done["reader"].map(lambda r: reader_slot(str(r)))
    out = []
    for mask in (slot < percent, (slot >= percent) & (slot < 2 * percent)):
        part = done[mask]
        out.append(
            Cohort(
                int(len(part)), int((part["latency_ms"] > threshold_ms).sum()), int(server_errors(part["status"]).sum())
            )
        )
    return tuple(out)


def simulate(
    requests_per_group,
    *,
    control_slow: float = 0.10,
    canary_slow: float = 0.10,
    runs: int = 2000,
    seed: int = 0,
    policy: Policy | None = None,
):
    """How often each rule decides, for canaries of known quality, after a given number of requests.

    Each run draws ``n`` requests for the control and ``n`` for the canary, slow with
    probability ``control_slow`` and ``canary_slow`` (fractions; no errors), and asks
    both :func:`naive_rule` and :func:`judge` (duration taken as met). Returns a
    DataFrame indexed by requests per group with the share of runs (0..1) in which
    the naive rule rolled back, and in which the judge rolled back, promoted or waited.

    With ``canary_slow == control_slow`` a roll-back is a **wrong** decision (a good
    build thrown away); with ``canary_slow`` above ``control_slow`` by more than the
    tolerance, a promotion is the wrong one.

    Raises:
        ValueError: if a share is not in [0, 1], ``runs`` not in [1, 100000], or a
            number of requests is not a whole number >= 1.
    """
    import pandas as pd

    control_slow = checks.number("control_slow", control_slow, low=0, high=1)
    canary_slow = checks.number("canary_slow", canary_slow, low=0, high=1)
    runs = checks.number("runs", runs, low=1, high=100_000, integer=True)
    seed = checks.number("seed", seed, low=0, integer=True)
    sizes = [
        checks.number("requests_per_group", n, low=1, integer=True)
        for n in np.atleast_1d(np.asarray(requests_per_group, dtype=object))
    ]
    policy = Policy() if policy is None else policy
    rng = np.random.default_rng(seed)
    z = _z(policy.confidence)
    rows = {}
    for n in sizes:
        k_control = rng.binomial(n, control_slow, runs)
        k_canary = rng.binomial(n, canary_slow, runs)
        naive = 100 * (k_canary - k_control) / n > policy.max_slow_points
        # judge(), vectorised over the runs: Newcombe intervals from Wilson intervals (no errors drawn).
        (l1, u1), (l2, u2), (_, u0) = (
            _wilson_arrays(k_canary, n, z),
            _wilson_arrays(k_control, n, z),
            _wilson_arrays(np.zeros(1), n, z),
        )
        p1, p2 = k_canary / n, k_control / n
        d = p1 - p2
        low = 100 * (d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
        high = 100 * (d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
        error_high = 100 * float(u0[0])  # 0 errors in both groups: the interval is [-u0, +u0]
        enough = n >= policy.min_requests
        back = enough & (low > policy.max_slow_points)
        promote = enough & ~back & (high <= policy.max_slow_points) & (error_high <= policy.max_error_points)
        rows[n] = {
            "naive rule: roll back": float(naive.mean()),
            "judge: roll back": float(back.mean()),
            "judge: promote": float(promote.mean()),
            "judge: wait": float(1 - back.mean() - promote.mean()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "requests per group"
    return table
