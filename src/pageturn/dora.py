"""The DORA performance clusters and presets that land in them.

DORA's research (the 2023 *Accelerate State of DevOps* report) groups teams by
four key metrics: deploy frequency, lead time for changes, change failure
rate and time to restore a failed deploy. :data:`CLUSTERS` gives the range of
each key per cluster; :data:`PRESETS` gives dial settings for :func:`pageturn.simulate`
whose simulated keys fall inside their cluster.

The report's medium and low clusters share their deploy-frequency and
lead-time ranges; they differ in how often changes fail and how long
recovery takes.
"""

from __future__ import annotations

import math

INF = math.inf

KEYS = ("deploys_per_week", "lead_time_days_median", "change_failure_rate",
        "time_to_restore_minutes_median")
"""The four key metrics, as named in :meth:`pageturn.sim.Simulation.summary`."""

# Ranges are [low, high): units are deploys per week, days, a fraction, minutes.
# Change failure rates in the report are typical values (5 %, 10 %, 15 %, 64 %);
# the boundaries here lie halfway between neighbouring values.
CLUSTERS = {
    "elite": {"deploys_per_week": (7.0, INF), "lead_time_days_median": (0.0, 1.0),
              "change_failure_rate": (0.0, 0.075), "time_to_restore_minutes_median": (0.0, 60.0)},
    "high": {"deploys_per_week": (1.0, 7.0), "lead_time_days_median": (1.0, 7.0),
             "change_failure_rate": (0.075, 0.125), "time_to_restore_minutes_median": (60.0, 1440.0)},
    "medium": {"deploys_per_week": (12 / 52, 1.0), "lead_time_days_median": (7.0, 31.0),
               "change_failure_rate": (0.125, 0.395), "time_to_restore_minutes_median": (1440.0, 10080.0)},
    "low": {"deploys_per_week": (0.0, 1.0), "lead_time_days_median": (7.0, INF),
            "change_failure_rate": (0.395, 1.0 + 1e-9), "time_to_restore_minutes_median": (10080.0, INF)},
}
"""For each cluster, each key's [low, high) range."""

DESCRIPTIONS = {
    "elite": "deploys on demand, several times a day; changes live within a day; about 5 % fail; restored within an hour",
    "high": "deploys between daily and weekly; changes live within a week; about 10 % fail; restored within a day",
    "medium": "deploys between weekly and monthly; changes wait one to four weeks; about 15 % fail; restored within a week",
    "low": "deploys between weekly and monthly; changes wait weeks; most deploys fail; recovery takes one to six months",
}

PRESETS = {
    "elite": dict(deploys_per_week=10.0, failure_rate=0.05, time_to_restore_minutes=30.0, features_per_week=10.0),
    "high": dict(deploys_per_week=2.0, failure_rate=0.10, time_to_restore_minutes=240.0, features_per_week=10.0),
    "medium": dict(deploys_per_week=0.35, failure_rate=0.20, time_to_restore_minutes=2880.0, features_per_week=10.0),
    "low": dict(deploys_per_week=0.3, failure_rate=0.64, time_to_restore_minutes=64800.0, features_per_week=10.0),
}
"""Keyword arguments for :func:`pageturn.simulate`, one set per cluster."""


def classify(summary: dict) -> dict:
    """For each of the four keys, the clusters whose range holds ``summary``'s value.

    Returns a dict mapping each name in :data:`KEYS` to a list of cluster names
    (empty when the value is NaN, e.g. no incidents means no restore time).

    Raises:
        ValueError: if ``summary`` lacks one of the four keys.
    """
    missing = [k for k in KEYS if k not in summary]
    if missing:
        raise ValueError(f"summary must hold the keys {', '.join(KEYS)}; missing {', '.join(missing)}")
    result = {}
    for key in KEYS:
        value = float(summary[key])
        result[key] = [name for name, ranges in CLUSTERS.items()
                       if not math.isnan(value) and ranges[key][0] <= value < ranges[key][1]]
    return result
