"""SLO burn-rate alerts, multiwindow and multi-burn-rate, from counters and mergeable histograms.

The rule is the one the SRE workbook's alerting chapter ends with. An SLO of
``objective`` (e.g. 0.99: 99 % of reader requests are good) leaves an *error
budget* of ``1 - objective``. The *burn rate* over a window is the share of bad
requests in that window divided by the budget: burn 1 spends the budget exactly
in the SLO period (30 days), burn 14.4 spends 2 % of it in one hour.

An alert fires for an instance when, for one of the :data:`WORKBOOK_WINDOWS`,
the burn over the long window AND over the short window are both above the
window's factor. The long window keeps noise from paging; the short one makes
the alert stop soon after the problem stops.

Two SLIs are computed the same way, from what every instance exposes at
``/metrics`` (see :mod:`pageturn.live.appmetrics`), never from percentiles:

* ``errors``: bad = reader requests answered 5xx, from ``pageturn_requests_total``;
* ``latency``: bad = reader requests slower than ``threshold_s``, from the
  histogram: ``_count`` minus the bucket ``le=threshold_s``. Histograms of
  several instances or versions merge by adding their buckets.

Windows are in seconds of *alert time*. A :class:`Series` keeps its samples in
alert time too; the live fleet (:mod:`pageturn.live.fleet`) runs its clock
``time_scale`` times faster than the wall clock, so an hour of alert time
passes in a few seconds of a lesson. That is an assumption the learner can turn.

The same rule ships as a Prometheus alerting-rules file,
``pageturn/live/rules/pageturn_alerts.yml`` (:func:`rules_path`), and
:func:`promtool_test` writes a ``promtool test rules`` file from the same
synthetic streams (:func:`synthetic_stream`) the Python tests use.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import math
import random
from pathlib import Path

from pageturn import checks
from pageturn.model.endpoints import MY_BOOKS, READER_ROUTES  # noqa: E402 - READER_ROUTES: the routes the SLIs count

SLIS = ("errors", "latency")
ALERT_NAMES = {"errors": "PageturnErrorBudgetBurn", "latency": "PageturnLatencyBudgetBurn"}


@dataclasses.dataclass(frozen=True)
class BurnWindow:
    """One line of the multiwindow table: ``long_s`` and ``short_s`` (seconds of alert
    time), the burn-rate ``factor`` both must exceed, and the ``severity``."""

    long_s: float
    short_s: float
    factor: float
    severity: str


#: The SRE workbook's recommended table for a 30-day SLO: page at 14.4 (1 h / 5 min)
#: and 6 (6 h / 30 min), open a ticket at 1 (3 days / 6 h).
WORKBOOK_WINDOWS = (
    BurnWindow(3600, 300, 14.4, "page"),
    BurnWindow(21600, 1800, 6.0, "page"),
    BurnWindow(259200, 21600, 1.0, "ticket"),
)


@dataclasses.dataclass(frozen=True)
class SLO:
    """A service level objective: ``objective`` (share of good requests, 0.5..0.99999),
    ``threshold_s`` (a request slower than this, in seconds, is bad for the latency SLI;
    must be one of the histogram's bucket bounds) and ``min_requests`` (no alert while
    the long window holds fewer requests than this: with 1 slow request out of 8, a
    share says nothing; the workbook's remedy for low traffic)."""

    objective: float = 0.99
    threshold_s: float = 0.05
    min_requests: int = 30

    def __post_init__(self):
        checks.number("objective", self.objective, low=0.5, high=0.99999)
        checks.number("min_requests", self.min_requests, low=0, integer=True)
        from pageturn.live.appmetrics import LATENCY_BUCKETS_S

        if not any(math.isclose(self.threshold_s, b) for b in LATENCY_BUCKETS_S):
            raise ValueError(
                f"threshold_s must be one of the bucket bounds {LATENCY_BUCKETS_S} (s), got {self.threshold_s!r}"
            )

    @property
    def budget(self) -> float:
        """The error budget: the share of requests allowed to be bad (1 - objective)."""
        return 1.0 - self.objective


@dataclasses.dataclass(frozen=True)
class Counts:
    """Cumulative counters of one instance at one moment: ``requests`` (reader requests
    answered), ``errors`` (of them, 5xx), ``slow`` (of them, slower than the SLO threshold)."""

    requests: float
    errors: float
    slow: float

    def __add__(self, other):
        return Counts(self.requests + other.requests, self.errors + other.errors, self.slow + other.slow)

    def bad(self, sli: str) -> float:
        return self.errors if sli == "errors" else self.slow


def counts_from_text(text: str, threshold_s: float = 0.05) -> Counts:
    """:class:`Counts` from one instance's ``/metrics`` text (Prometheus exposition format).

    Only reader routes (:data:`READER_ROUTES`) count. Histograms of every version are
    merged by adding their ``_count`` and their bucket ``le=threshold_s``.

    Raises:
        ValueError: if ``text`` is not exposition text.
    """
    from pageturn.live.appmetrics import LATENCY, REQUESTS, is_server_error
    from pageturn.model.exposition import samples

    if not isinstance(text, str):
        raise ValueError(f"text must be Prometheus exposition text (str), got {type(text).__name__}")
    requests = errors = count = fast = 0.0
    for s in samples(text):
        if s.labels.get("route") not in READER_ROUTES:
            continue
        if s.sample == f"{REQUESTS}_total":
            requests += s.value
            if is_server_error(s.labels.get("status")):
                errors += s.value
        elif s.sample == f"{LATENCY}_count":
            count += s.value
        elif s.sample == f"{LATENCY}_bucket" and math.isclose(float(s.labels["le"]), threshold_s):
            fast += s.value
    return Counts(requests, errors, count - fast)


class Series:
    """Samples of cumulative :class:`Counts` per instance over (alert) time, like a tiny Prometheus.

    ``add(t_s, counts_by_instance)`` appends one scrape (``t_s`` in seconds, increasing).
    """

    def __init__(self):
        self.times: list[float] = []
        self.samples: list[dict[str, Counts]] = []

    def add(self, t_s: float, counts: dict) -> None:
        t_s = checks.number("t_s", t_s)
        if self.times and t_s <= self.times[-1]:
            raise ValueError(f"t_s must increase, got {t_s} after {self.times[-1]}")
        self.times.append(t_s)
        self.samples.append(dict(counts))

    def ratio(self, instance: str | None, sli: str, window_s: float, at_s: float | None = None) -> float:
        """Share (0..1) of bad requests in the window ``(at_s - window_s, at_s]``, as
        Prometheus' ``increase(bad[w]) / increase(all[w])``: from the first sample in
        the window to the last one. ``instance=None`` merges every instance (adds
        their counters). ``nan`` when no request was answered in the window."""
        checks.choice("sli", sli, SLIS)
        if at_s is None:
            at_s = self.times[-1] if self.times else 0.0
        lo = bisect.bisect_left(self.times, at_s - window_s)
        hi = bisect.bisect_right(self.times, at_s) - 1
        if instance is not None:  # an instance may have joined (or left) the fleet in the window
            while lo <= hi and instance not in self.samples[lo]:
                lo += 1
            while hi >= lo and instance not in self.samples[hi]:
                hi -= 1
        if hi <= lo:
            return math.nan
        first, last = self._at(lo, instance), self._at(hi, instance)
        if first is None or last is None:
            return math.nan
        requests = last.requests - first.requests
        if requests <= 0:
            return math.nan
        return max(0.0, last.bad(sli) - first.bad(sli)) / requests

    def _at(self, index, instance):
        sample = self.samples[index]
        if instance is None:
            total = Counts(0.0, 0.0, 0.0)
            for counts in sample.values():
                total = total + counts
            return total
        return sample.get(instance)

    def requests(self, instance: str | None, window_s: float, at_s: float) -> float:
        """Requests answered in the window ``[at_s - window_s, at_s]`` (0 when unknown)."""
        lo = bisect.bisect_left(self.times, at_s - window_s)
        hi = bisect.bisect_right(self.times, at_s) - 1
        if instance is not None:
            while lo <= hi and instance not in self.samples[lo]:
                lo += 1
            while hi >= lo and instance not in self.samples[hi]:
                hi -= 1
        if hi <= lo:
            return 0.0
        return self._at(hi, instance).requests - self._at(lo, instance).requests

    def instances(self) -> list[str]:
        """Every instance seen in any sample, sorted."""
        return sorted({name for sample in self.samples for name in sample})


@dataclasses.dataclass(frozen=True)
class Alert:
    """A firing alert: ``name`` (e.g. ``PageturnErrorBudgetBurn``), ``instance``, ``sli``,
    ``severity``, the ``window`` that fired, ``burn_long`` and ``burn_short`` (burn
    rates, multiples of the budget), ``at_s`` (alert time, s) and ``link`` (the debug
    page, or None)."""

    name: str
    instance: str
    sli: str
    severity: str
    window: BurnWindow
    burn_long: float
    burn_short: float
    at_s: float
    link: str | None = None

    def message(self) -> str:
        """The alert as the e-mail the on-call person reads."""
        what = "5xx answers" if self.sli == "errors" else "slow answers"
        lines = [
            f"Subject: [{self.severity.upper()}] {self.name} on {self.instance}",
            "",
            f"{self.instance} is burning its error budget ({what}) {self.burn_long:.1f} times too fast "
            f"over the last {_duration(self.window.long_s)} and {self.burn_short:.1f} times over the "
            f"last {_duration(self.window.short_s)} (the rule: both above {self.window.factor:g}).",
            f"At that pace a 30-day budget lasts {_duration(30 * 86400 / max(self.burn_long, 1e-9))}.",
        ]
        if self.link:
            lines += ["", f"Debug page (quarantined instance): {self.link}"]
        return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        return f"{seconds / 86400:g} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 60:
        return f"{seconds / 60:.3g} min"
    return f"{seconds:.3g} s"


def evaluate(
    series: Series, slo: SLO = SLO(), windows=WORKBOOK_WINDOWS, at_s: float | None = None, slis=SLIS
) -> list[Alert]:
    """Every alert firing at ``at_s`` (default: the last sample), one per instance, SLI
    and severity (the first window of that severity that fires, in table order).

    Raises:
        ValueError: if ``series`` is not a :class:`Series` or ``slis`` names an unknown SLI.
    """
    if not isinstance(series, Series):
        raise ValueError(f"series must be a pageturn.live.alerts.Series, got {type(series).__name__}")
    for sli in slis:
        checks.choice("sli", sli, SLIS)
    if at_s is None:
        at_s = series.times[-1] if series.times else 0.0
    out = []
    for instance in series.instances():
        for sli in slis:
            fired = set()
            for window in windows:
                if window.severity in fired:
                    continue
                long_ = series.ratio(instance, sli, window.long_s, at_s) / slo.budget
                short = series.ratio(instance, sli, window.short_s, at_s) / slo.budget
                if (
                    long_ > window.factor
                    and short > window.factor  # nan compares False
                    and series.requests(instance, window.long_s, at_s) >= slo.min_requests
                ):
                    fired.add(window.severity)
                    out.append(Alert(ALERT_NAMES[sli], instance, sli, window.severity, window, long_, short, at_s))
    return out


# ---------------------------------------------------------------------- synthetic streams
#: The kinds of stream :func:`synthetic_stream` makes, and what a correct rule does with each.
STREAMS = {
    "steady": "0.2 % errors all along (noise well inside a 1 % budget): no alert",
    "blip": "a 3-minute burst of 30 % errors at minute 200, then steady: no page (the long window holds)",
    "fast-burn": "50 % errors on one instance from minute 200: a page within 20 minutes",
    "slow-burn": "8 % errors on one instance from minute 60: the 6 h / 30 min page, later",
    "recovered": "50 % errors from minute 200 to 230, then steady: a page that stops within 30 min (the short windows)",
    "slow-latency": "25 % of one instance's requests above 50 ms from minute 200: a latency page",
}


def synthetic_stream(
    kind: str,
    minutes: int = 480,
    seed: int = 0,
    instances=("a", "b", "c"),
    rate_per_min: int = 600,
    culprit: str | None = None,
) -> Series:
    """A made-up but plausible stream of per-minute cumulative counters, one sample per minute
    (``t_s`` = 60, 120, ...), for ``instances``; the fault of ``kind`` (see :data:`STREAMS`)
    hits ``culprit`` (default: the second instance). Counters start well above zero, as a
    long-running server's do. Same arguments, same stream.

    Raises:
        ValueError: for an unknown ``kind``, ``minutes`` outside [10, 5000] or a
            ``culprit`` not among ``instances``.
    """
    checks.choice("kind", kind, STREAMS)
    minutes = checks.number("minutes", minutes, low=10, high=5000, integer=True)
    instances = tuple(instances)
    culprit = instances[1 % len(instances)] if culprit is None else culprit
    checks.choice("culprit", culprit, instances)
    import numpy as np

    rng = random.Random(f"{kind}:{seed}")
    draws = np.random.default_rng([sum(map(ord, kind)), seed])
    totals = {name: Counts(100_000.0, 200.0, 500.0) for name in instances}
    series = Series()
    for minute in range(1, minutes + 1):
        for name in instances:
            n = rate_per_min + rng.randint(-20, 20)
            error_share, slow_share = 0.002, 0.003
            if name == culprit:
                if kind == "blip" and 200 <= minute < 203:
                    error_share = 0.30
                elif kind == "fast-burn" and minute >= 200:
                    error_share = 0.50
                elif kind == "slow-burn" and minute >= 60:
                    error_share = 0.08
                elif kind == "recovered" and 200 <= minute < 230:
                    error_share = 0.50
                elif kind == "slow-latency" and minute >= 200:
                    slow_share = 0.25
            errors = int(draws.binomial(n, error_share))
            slow = int(draws.binomial(n, slow_share))
            totals[name] = totals[name] + Counts(float(n), float(errors), float(slow))
        series.add(60.0 * minute, dict(totals))
    return series


# ---------------------------------------------------------------------- Prometheus files
def _annotations(alert: Alert) -> dict:
    """The annotations the rules file gives ``alert`` (kept in step with it by promtool tests)."""
    word = "5xx answers" if alert.sli == "errors" else "answers slower than 50 ms"
    if alert.severity == "page":
        return {
            "summary": f"{alert.instance} is burning its error budget ({word}) fast",
            "link": f"/debug/{alert.instance}",
        }
    return {"summary": f"{alert.instance} is spending its error budget ({word}) faster than it refills"}


def rules_path() -> Path:
    """Where the Prometheus alerting-rules file ships (inside the package)."""
    return Path(__file__).with_name("rules") / "pageturn_alerts.yml"


def borderline(series: Series, at_s: float, slo: SLO = SLO(), windows=WORKBOOK_WINDOWS, margin: float = 0.02) -> bool:
    """True when some burn rate at ``at_s`` lies within ``margin`` (a share, 0.02 = 2 %) of
    its window's factor: there two correct evaluators (this one and Prometheus, which
    extrapolates ``rate()`` at the edges of a window) may honestly disagree."""
    for instance in series.instances():
        for sli in SLIS:
            for window in windows:
                for w in (window.long_s, window.short_s):
                    burn = series.ratio(instance, sli, w, at_s) / slo.budget
                    if not math.isnan(burn) and abs(burn / window.factor - 1.0) < margin:
                        return True
    return False


def promtool_test(series: Series, checks_at, slo: SLO = SLO(), rule_file: str | Path | None = None) -> str:
    """A ``promtool test rules`` file (YAML, written as JSON, which YAML accepts) that feeds
    ``series`` to Prometheus as the instances' metrics and expects, at each alert time in
    ``checks_at`` (seconds, whole minutes), exactly the alerts :func:`evaluate` fires.
    Times where a decision is :func:`borderline` are left out (the caller checks how many).

    The series become ``pageturn_requests_total`` (status 200 and 500) and the latency
    histogram's ``_count`` and ``le`` bucket, with an ``instance`` label, as a Prometheus
    server scraping the fleet would store them.
    """
    from pageturn.live.appmetrics import LATENCY, REQUESTS

    rule_file = str(rule_file or rules_path())
    le = f"{slo.threshold_s:g}"
    input_series = []
    for name in series.instances():
        rows = [s[name] for s in series.samples]
        streams = {
            f'{REQUESTS}_total{{instance="{name}",route="{MY_BOOKS}",status="200",version="2.1"}}': [
                c.requests - c.errors for c in rows
            ],
            f'{REQUESTS}_total{{instance="{name}",route="{MY_BOOKS}",status="500",version="2.1"}}': [
                c.errors for c in rows
            ],
            f'{LATENCY}_count{{instance="{name}",route="{MY_BOOKS}",version="2.1"}}': [c.requests for c in rows],
            f'{LATENCY}_bucket{{instance="{name}",le="{le}",route="{MY_BOOKS}",version="2.1"}}': [
                c.requests - c.slow for c in rows
            ],
        }
        for labels, values in streams.items():
            # promtool's first value is at time 0; our first sample is at 60 s: repeat it at 0
            values = [values[0]] + values
            input_series.append({"series": labels, "values": " ".join(f"{v:.0f}" for v in values)})
    tests = []
    for at_s in checks_at:
        if at_s % 60:
            raise ValueError(f"checks_at must be whole minutes of alert time (s), got {at_s!r}")
        if borderline(series, at_s, slo):
            continue
        fired = evaluate(series, slo, at_s=at_s)
        for name in ALERT_NAMES.values():
            expected = [
                {
                    "exp_labels": {"alertname": name, "instance": a.instance, "severity": a.severity, "sli": a.sli},
                    "exp_annotations": _annotations(a),
                }
                for a in fired
                if a.name == name
            ]
            tests.append({"eval_time": f"{int(at_s // 60)}m", "alertname": name, "exp_alerts": expected})
    document = {
        "rule_files": [rule_file],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": input_series, "alert_rule_test": tests}],
    }
    return json.dumps(document, indent=1)
