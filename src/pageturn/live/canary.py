"""Judge a fix on part of the readers against a control, fleet-wide (Lesson 3's canary, merged).

Every instance in service sends a share of its readers to the candidate version.
Their metrics carry a ``version`` label, so the fleet's evidence is the *sum* of
the instances' counters and histogram buckets, per version, between two scrapes.

The stated rule (:func:`verdict`): wait until both sides have at least
``min_requests`` requests; then roll back if the candidate's 5xx share is more
than ``max_extra_errors`` above the control's, or its share of requests slower
than ``threshold_s`` is more than ``max_extra_slow`` above; otherwise promote.
"""

from __future__ import annotations

import math

from pageturn import checks
from pageturn.live.alerts import READER_ROUTES
from pageturn.status import server_errors


def compare(before: dict, after: dict, control: str, candidate: str, threshold_s: float = 0.05):
    """Per version, what happened between two fleet scrapes (:meth:`pageturn.live.fleet.Fleet.scrape`,
    name -> DataFrame). Returns a DataFrame indexed by ``role`` ("control", "candidate") with
    ``version``, ``requests``, ``errors``, ``error_share`` and ``slow_share`` (0..1; nan without requests),
    summed over every instance and reader route.

    Raises:
        ValueError: if the scrapes are not dicts of DataFrames, or ``threshold_s`` is not a bucket bound.
    """
    import pandas as pd

    from pageturn.live.appmetrics import LATENCY, REQUESTS, difference

    if not isinstance(before, dict) or not isinstance(after, dict):
        raise ValueError("before and after must be dicts from Fleet.scrape() (instance name -> DataFrame)")
    rows = []
    for role, version in (("control", control), ("candidate", candidate)):
        requests = errors = count = fast = 0.0
        found_bound = False
        for name, frame in after.items():
            window = difference(frame, before[name]) if name in before else frame
            if "version" not in window.columns:
                continue
            mine = window[(window["version"] == version) & window["route"].isin(READER_ROUTES)]
            totals = mine[mine["sample"] == f"{REQUESTS}_total"]
            requests += float(totals["value"].sum())
            errors += float(totals[server_errors(totals["status"])]["value"].sum())
            count += float(mine[mine["sample"] == f"{LATENCY}_count"]["value"].sum())
            buckets = mine[mine["sample"] == f"{LATENCY}_bucket"]
            mask = [v is not None and math.isclose(float(v), threshold_s) for v in buckets["le"]]
            at = buckets[pd.Series(mask, index=buckets.index, dtype=bool)]
            found_bound = found_bound or not at.empty
            fast += float(at["value"].sum())
        rows.append(
            {
                "role": role,
                "version": version,
                "requests": requests,
                "errors": errors,
                "error_share": errors / requests if requests else math.nan,
                "slow_share": (count - fast) / count if count else math.nan,
            }
        )
    return pd.DataFrame(rows).set_index("role")


def verdict(table, *, min_requests: int = 50, max_extra_errors: float = 0.005, max_extra_slow: float = 0.02) -> str:
    """``"wait"``, ``"roll back"`` or ``"promote"``, by the rule in this module's docstring.
    Shares are fractions (0.005 = half a percentage point).

    Raises:
        ValueError: if ``table`` is not from :func:`compare` or a limit is out of range.
    """
    min_requests = checks.number("min_requests", min_requests, low=1, integer=True)
    max_extra_errors = checks.number("max_extra_errors", max_extra_errors, low=0, high=1)
    max_extra_slow = checks.number("max_extra_slow", max_extra_slow, low=0, high=1)
    try:
        control, candidate = table.loc["control"], table.loc["candidate"]
    except (AttributeError, KeyError):
        raise ValueError("table must be a DataFrame from pageturn.live.canary.compare") from None
    if min(control["requests"], candidate["requests"]) < min_requests:
        return "wait"
    if candidate["error_share"] > control["error_share"] + max_extra_errors:
        return "roll back"
    if candidate["slow_share"] > control["slow_share"] + max_extra_slow:
        return "roll back"
    return "promote"
