"""The DORA performance clusters and presets that land in them.

The clusters are those of DORA's *Accelerate State of DevOps Report 2023*
(Google Cloud / DORA, 2023). It groups teams by four key metrics, which it
names **deployment frequency**, **change lead time**, **change failure rate**
and **failed deployment recovery time** (until 2022 the last one was called
"time to restore service"). :data:`METRIC_NAMES` maps the report's names to
the keys of :meth:`pageturn.model.sim.Simulation.summary`.

:data:`CLUSTERS` gives the range of each key per cluster. The clusters come
from surveys: they are groups found in one year's answers, and their borders
move from one report to the next (the 2022 report found no elite cluster at
all). :data:`PRESETS` are *inputs* to :func:`pageturn.simulate`, chosen by
hand so that the simulated keys land in their cluster; the model does not
discover the clusters.

A team that deploys twice a week makes about a hundred deploys a year, too few
to pin its change failure rate inside the report's narrow bands (10 % against
15 %). So the presets are checked over :data:`PRESET_WEEKS` (five years); the
dial's single quarter shows the same settings with a quarter's luck.

The report's medium and low clusters share their deploy-frequency and
lead-time ranges; they differ in how often changes fail and how long
recovery takes.
"""

from __future__ import annotations

import math

INF = math.inf

KEYS = ("deploys_per_week", "lead_time_days_median", "change_failure_rate", "time_to_restore_minutes_median")
"""The four key metrics, as named in :meth:`pageturn.model.sim.Simulation.summary`."""

REPORT = "Accelerate State of DevOps Report 2023 (Google Cloud / DORA)"
"""The report whose clusters :data:`CLUSTERS` holds."""

METRIC_NAMES = {
    "deploys_per_week": "deployment frequency",
    "lead_time_days_median": "change lead time",
    "change_failure_rate": "change failure rate",
    "time_to_restore_minutes_median": "failed deployment recovery time",
}
"""The 2023 report's name for each key (before 2023: "time to restore service")."""

PRESET_WEEKS = 260
"""Weeks (five years) over which each preset lands in its cluster on all four keys in 9 seeds of 10."""

# Ranges are [low, high): units are deploys per week, days, a fraction, minutes.
# Change failure rates in the report are typical values (5 %, 10 %, 15 %, 64 %);
# the boundaries here lie halfway between neighbouring values.
# The report's recovery-time bands leave a gap: medium is "between one day and one
# week", low "between one month and six months". The course puts the border at one
# week, so a recovery of one week to one month counts as low (it is slower than any
# medium team's), and every recovery time falls in exactly one cluster.
CLUSTERS = {
    "elite": {
        "deploys_per_week": (7.0, INF),
        "lead_time_days_median": (0.0, 1.0),
        "change_failure_rate": (0.0, 0.075),
        "time_to_restore_minutes_median": (0.0, 60.0),
    },
    "high": {
        "deploys_per_week": (1.0, 7.0),
        "lead_time_days_median": (1.0, 7.0),
        "change_failure_rate": (0.075, 0.125),
        "time_to_restore_minutes_median": (60.0, 1440.0),
    },
    "medium": {
        "deploys_per_week": (12 / 52, 1.0),
        "lead_time_days_median": (7.0, 31.0),
        "change_failure_rate": (0.125, 0.395),
        "time_to_restore_minutes_median": (1440.0, 10080.0),
    },
    "low": {
        "deploys_per_week": (0.0, 1.0),
        "lead_time_days_median": (7.0, INF),
        "change_failure_rate": (0.395, 1.0 + 1e-9),
        "time_to_restore_minutes_median": (10080.0, INF),
    },
}
"""For each cluster, each key's [low, high) range."""

PRESETS = {
    "elite": dict(
        deploys_per_week=15.0,
        features_per_week=10.0,
        defect_rate=0.08,
        review_catch=0.4,
        deploy_failure_rate=0.002,
        time_to_restore_minutes=25.0,
    ),
    "high": dict(
        deploys_per_week=2.0,
        features_per_week=10.0,
        defect_rate=0.025,
        review_catch=0.5,
        deploy_failure_rate=0.005,
        time_to_restore_minutes=30.0,
    ),
    "medium": dict(
        deploys_per_week=0.35,
        features_per_week=6.0,
        defect_rate=0.02,
        review_catch=0.5,
        deploy_failure_rate=0.01,
        time_to_restore_minutes=300.0,
    ),
    "low": dict(
        deploys_per_week=0.3,
        features_per_week=10.0,
        defect_rate=0.05,
        review_catch=0.5,
        deploy_failure_rate=0.05,
        time_to_restore_minutes=3000.0,
    ),
}
"""Keyword arguments for :func:`pageturn.simulate`, one set per cluster.

The other mechanisms keep :func:`pageturn.simulate`'s defaults: restore time
grows with the square root of the batch, and batches of more than three
changes are fixed forward (three times slower). That is why the medium and low
teams, with 17 and 33 changes in a deploy, need days and weeks to recover a
failed deploy, although a workaround brings readers back within 8 hours.
"""


def classify(summary: dict) -> dict:
    """For each of the four keys, the clusters whose range holds ``summary``'s value.

    Returns a dict mapping each name in :data:`KEYS` to a list of cluster names
    (empty when the value is NaN, e.g. no incidents means no restore time).

    >>> keys = {"deploys_per_week": 10, "lead_time_days_median": 0.5,
    ...         "change_failure_rate": 0.05, "time_to_restore_minutes_median": 30}
    >>> classify(keys)["deploys_per_week"]
    ['elite']
    >>> classify(dict(keys, time_to_restore_minutes_median=float("nan")))["time_to_restore_minutes_median"]
    []

    Raises:
        ValueError: if ``summary`` lacks one of the four keys.
    """
    missing = [k for k in KEYS if k not in summary]
    if missing:
        raise ValueError(f"summary must hold the keys {', '.join(KEYS)}; missing {', '.join(missing)}")
    result = {}
    for key in KEYS:
        value = float(summary[key])
        result[key] = [
            name
            for name, ranges in CLUSTERS.items()
            if not math.isnan(value) and ranges[key][0] <= value < ranges[key][1]
        ]
    return result
