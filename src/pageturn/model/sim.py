"""Simulate Pageturn for a number of weeks: Maya's features, the deploys, Sam's incidents.

One world, in which risk lives in the changes. In plain words:

* Maya's team finishes features at random moments during working hours
  (Monday–Friday, 09:00–17:00), ``features_per_week`` of them on average.
* Deploys happen on a schedule spread evenly through working hours,
  ``deploys_per_week`` of them. A finished feature waits for the next deploy;
  the wait is its lead time. The features a deploy ships are its *batch*.
* **Faults live in changes.** Each change carries a fault that would break
  production with probability ``defect_rate``.
* **Review and tests catch faults, less well in big batches.** Before a deploy
  ships, review and tests stop each fault with probability
  ``review_catch / sqrt(n)`` for a batch of ``n`` changes (``review_catch`` for a
  batch of one): a reviewer facing one small change reads it closely, one
  facing a month of changes skims.
* **Routine deploys rarely fail on their own.** The act of deploying (scripts,
  configuration, servers) breaks production with probability
  ``deploy_failure_rate``, whatever the batch holds. Teams that deploy every day
  have automated this step, so the default is small.
* **Big batches take longer to diagnose.** A failed deploy of ``n`` changes takes
  a median of ``time_to_restore_minutes * n ** restore_growth`` minutes to
  restore: there is more to search through.
* **Small batches roll back, big ones fix forward.** A deploy of at most
  ``rollback_max_batch`` changes can simply be undone. A bigger one holds
  features readers already use and changes that others build on, so Sam and
  Maya must find the fault and fix it forward, which takes ``fix_forward_factor``
  times longer.
* **A long repair is not a long total outage.** The whole site is down for at
  most ``full_outage_max_minutes`` of an incident; after that a workaround
  (switching the broken part off, serving a read-only copy) has readers back,
  although the failed deploy is not recovered until its full restore time.
  Availability and readers affected count the full outage only.
* Readers arrive with a day/night rhythm (:mod:`pageturn.model.rhythm`), so an
  outage at 3 pm hurts far more readers than one at 3 am.

:data:`EQUAL_RISK` is the same model with every mechanism switched off: each
deploy is equally risky whatever it carries, and every restore takes as long.
That is how Sam first sees deploys, and where Lesson 1 starts.
:data:`MECHANISMS` lists the settings that switch the mechanisms on one at a
time. The defaults of :func:`simulate` are the world the course teaches.

The mechanisms follow what research and practice report, but the numbers are
illustrative, chosen so a quarter looks like a small team's quarter; they are
not measurements:

* Forsgren, Humble and Kim, *Accelerate* (IT Revolution, 2018) and DORA's
  *State of DevOps* reports: teams that deploy more often, in small batches,
  also have lower change failure rates and restore faster; throughput and
  stability go together rather than against each other.
* Beyer, Jones, Petoff and Murphy (eds.), *Site Reliability Engineering*
  (O'Reilly, 2016), chapter 3 "Embracing Risk" (error budgets) and chapter 8
  "Release Engineering" (small, frequent, automated releases that can be rolled
  back) and chapter 22 "Addressing Cascading Failures" (graceful degradation:
  the workaround behind ``full_outage_max_minutes``).
* The SmartBear/Cisco code-review study (J. Cohen, *Best Kept Secrets of Peer
  Code Review*, 2006): reviewers find fewer defects per line in large reviews
  (``review_catch``).
* Kim, Humble, Debois and Willis, *The DevOps Handbook* (2016), and D. Reinertsen,
  *The Principles of Product Development Flow* (2009): big batches hide their
  faults and take longer to diagnose (``restore_growth``).

Time is counted in minutes from Monday 2026-01-05 00:00. Everything is
vectorised with numpy, and the same seed always gives the same result; each
kind of decision has its own random stream, so moving one control does not
reshuffle what the others decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pageturn.checks import number
from pageturn.model import rhythm

START = "2026-01-05 00:00"
"""The simulated clock's origin: a Monday at midnight, Pageturn's local time."""
WORK_START_MINUTE = 9 * 60
WORK_MINUTES_PER_DAY = 8 * 60
WORK_DAYS_PER_WEEK = 5
WORK_MINUTES_PER_WEEK = WORK_DAYS_PER_WEEK * WORK_MINUTES_PER_DAY
RESTORE_SPREAD = 0.5
"""Standard deviation of log(restore time): restore times vary by about ±65 %."""
MAX_RESTORE_MINUTES = 262_800.0
"""Six months, the longest time to restore the model accepts."""
SLO_TARGET = 0.999
"""Sam's availability target: 99.9 % of the minutes in the simulated period."""

EQUAL_RISK = dict(
    defect_rate=0.0, review_catch=0.0, deploy_failure_rate=0.10, restore_growth=0.0, fix_forward_factor=1.0
)
"""The "every deploy is equally risky" setting, Sam's first view (pass as ``**EQUAL_RISK``).

Every deploy breaks production with the same chance, 10 %, whatever it carries
(what Sam sees at 5 deploys a week), and every restore takes as long. No fault
lives in a change, review catches nothing, and batch size changes nothing.
"""

MECHANISMS = {
    "faults_in_changes": (
        "Faults live in changes; routine deploys rarely fail on their own",
        dict(defect_rate=0.05, deploy_failure_rate=0.002),
    ),
    "review_catch": ("Review and tests catch faults, less well in big batches", dict(review_catch=0.5)),
    "slow_diagnosis": ("Big batches take longer to diagnose and restore", dict(restore_growth=0.5)),
    "fix_forward": ("Small batches roll back; big ones must be fixed forward", dict(fix_forward_factor=3.0)),
}
"""The mechanisms, in the order Lesson 1 switches them on, starting from :data:`EQUAL_RISK`.

Each value is ``(what it means, simulate() arguments that switch it on)``.
With all four switched on, the settings equal :func:`simulate`'s defaults.
"""

DEFAULTS = dict(
    deploys_per_week=5.0,
    features_per_week=10.0,
    defect_rate=0.05,
    review_catch=0.5,
    deploy_failure_rate=0.002,
    time_to_restore_minutes=45.0,
    restore_growth=0.5,
    rollback_max_batch=3,
    fix_forward_factor=3.0,
    full_outage_max_minutes=480.0,
)
"""The defaults of :func:`simulate`: the world the course teaches."""


def mechanisms_on(*names: str) -> dict:
    """simulate() arguments for :data:`EQUAL_RISK` with the named mechanisms switched on.

    ``mechanisms_on()`` is Sam's first view; ``mechanisms_on(*MECHANISMS)`` is the
    course's world (the defaults of :func:`simulate`).

    >>> mechanisms_on() == EQUAL_RISK
    True
    >>> world = mechanisms_on(*MECHANISMS)
    >>> all(world[k] == DEFAULTS[k] for k in world)
    True

    Raises:
        ValueError: for a name that is not a key of :data:`MECHANISMS`.
    """
    settings = dict(EQUAL_RISK)
    for name in names:
        if name not in MECHANISMS:
            raise ValueError(f"mechanism must be one of {', '.join(map(repr, MECHANISMS))}; got {name!r}")
        settings.update(MECHANISMS[name][1])
    return settings


def error_budget_minutes(weeks: int, target: float = SLO_TARGET) -> float:
    """Minutes of downtime that an availability ``target`` allows over ``weeks`` weeks.

    For example ``error_budget_minutes(13, 0.999)`` is 131.04: a quarter holds
    131,040 minutes and 0.1 % of them may be down.

    >>> round(error_budget_minutes(13, 0.999), 2)
    131.04
    >>> round(error_budget_minutes(1, 0.99), 1)
    100.8

    Raises:
        ValueError: if ``weeks`` is not a whole number in [1, 520] or ``target``
            is not a number in [0, 1].
    """
    weeks = number("weeks", weeks, low=1, high=520, integer=True)
    target = number("target", target, low=0, high=1)
    return (1.0 - target) * weeks * rhythm.MINUTES_PER_WEEK


SUMMARY_KEYS = (
    "deploys",
    "incidents",
    "features_finished",
    "features_shipped",
    "lead_time_days_median",
    "downtime_minutes",
    "availability",
    "readers_affected",
    "change_failure_rate",
    "time_to_restore_minutes_median",
    "deploys_per_week",
    "pages_at_night",
    "faults_caught",
    "faults_shipped",
    "error_budget_minutes",
    "error_budget_left_minutes",
)


@dataclass(frozen=True)
class Simulation:
    """The outcome of :func:`simulate`: arrays for speed, DataFrames for reading.

    Attributes hold minutes since :data:`START` unless their name says otherwise.
    """

    params: dict
    weeks: int
    feature_minute: np.ndarray = field(repr=False)  # when each feature was finished
    feature_deploy: np.ndarray = field(repr=False)  # index of the deploy that shipped it (-1: waiting)
    deploy_minute: np.ndarray = field(repr=False)  # when each deploy happened
    deploy_batch: np.ndarray = field(repr=False)  # changes in each deploy
    deploy_failed: np.ndarray = field(repr=False)  # did it break production?
    deploy_faults: np.ndarray = field(repr=False)  # faulty changes each deploy shipped (not caught)
    feature_caught: np.ndarray = field(repr=False)  # was this change's fault caught before shipping?
    incident_deploy: np.ndarray = field(repr=False)  # deploy index of each incident
    incident_start: np.ndarray = field(repr=False)
    incident_end: np.ndarray = field(repr=False)  # end of the full outage, clipped to the end
    restore_minutes: np.ndarray = field(repr=False)  # full restore time (DORA's recovery time), even past the end
    incident_readers: np.ndarray = field(repr=False)
    incident_at_night: np.ndarray = field(repr=False)
    downtime_minutes: int = 0
    readers_affected: float = 0.0

    @property
    def minutes(self) -> int:
        """Length of the simulation in minutes."""
        return self.weeks * rhythm.MINUTES_PER_WEEK

    @property
    def readers_per_minute(self) -> np.ndarray:
        """Expected readers arriving in each minute (read-only)."""
        return rhythm.readers_per_minute(self.weeks)

    @cached_property
    def down(self) -> np.ndarray:
        """Boolean array, one value per minute: is Pageturn down?"""
        edges = np.zeros(self.minutes + 1, dtype=np.int32)
        np.add.at(edges, self.incident_start, 1)
        np.add.at(edges, self.incident_end, -1)
        return np.cumsum(edges[:-1]) > 0

    def summary(self) -> dict:
        """Both scoreboards in one dict (see :data:`SUMMARY_KEYS`).

        Units: ``lead_time_days_median`` in days, ``downtime_minutes`` and
        ``time_to_restore_minutes_median`` in minutes, ``availability`` and
        ``change_failure_rate`` as fractions between 0 and 1, ``readers_affected``
        in readers (rounded), ``deploys_per_week`` in deploys per week.
        ``faults_caught`` / ``faults_shipped`` count faulty changes stopped by
        review and tests / shipped to production. ``error_budget_minutes`` is
        the downtime :data:`SLO_TARGET` allows over the period and
        ``error_budget_left_minutes`` what is left of it (negative: overspent).
        Medians of empty sets are NaN.
        """
        shipped = self.feature_deploy >= 0
        lead_minutes = self.deploy_minute[self.feature_deploy[shipped]] - self.feature_minute[shipped]
        deploys = int(self.deploy_minute.size)
        incidents = int(self.incident_start.size)
        budget = (1.0 - SLO_TARGET) * self.minutes
        return {
            "deploys": deploys,
            "incidents": incidents,
            "features_finished": int(self.feature_minute.size),
            "features_shipped": int(shipped.sum()),
            "lead_time_days_median": float(np.median(lead_minutes)) / rhythm.MINUTES_PER_DAY
            if lead_minutes.size
            else float("nan"),
            "downtime_minutes": int(self.downtime_minutes),
            "availability": 1.0 - self.downtime_minutes / self.minutes,
            "readers_affected": int(round(self.readers_affected)),
            "change_failure_rate": incidents / deploys if deploys else float("nan"),
            "time_to_restore_minutes_median": float(np.median(self.restore_minutes)) if incidents else float("nan"),
            "deploys_per_week": deploys / self.weeks,
            "pages_at_night": int(self.incident_at_night.sum()),
            "faults_caught": int(self.feature_caught.sum()),
            "faults_shipped": int(self.deploy_faults.sum()),
            "error_budget_minutes": budget,
            "error_budget_left_minutes": budget - self.downtime_minutes,
        }

    # --- DataFrames (pandas is imported only when one is asked for) -------------------

    def _times(self, minutes):
        import pandas as pd

        return pd.Timestamp(START) + pd.to_timedelta(np.asarray(minutes), unit="min")

    @cached_property
    def deploys(self):
        """One row per deploy: deploy_id, time, minute, batch_size, faults, failed, version.

        ``faults`` counts the faulty changes the deploy shipped (review missed them).
        """
        import pandas as pd

        n = self.deploy_minute.size
        return pd.DataFrame(
            {
                "deploy_id": np.arange(1, n + 1),
                "time": self._times(self.deploy_minute),
                "minute": self.deploy_minute,
                "batch_size": self.deploy_batch,
                "faults": self.deploy_faults,
                "failed": self.deploy_failed,
                "version": [f"1.{i}.0" for i in range(1, n + 1)],
            }
        )

    @cached_property
    def incidents(self):
        """One row per incident: incident_id, deploy_id, start, end, start_minute,
        end_minute, restore_minutes, readers_affected, at_night.

        ``end`` is when readers were served again (the full outage ends after at
        most ``full_outage_max_minutes``), clipped to the end of the simulation;
        ``restore_minutes`` is the failed deploy's full recovery time, not clipped.
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "incident_id": np.arange(1, self.incident_start.size + 1),
                "deploy_id": self.incident_deploy + 1,
                "start": self._times(self.incident_start),
                "end": self._times(self.incident_end),
                "start_minute": self.incident_start,
                "end_minute": self.incident_end,
                "restore_minutes": self.restore_minutes,
                "readers_affected": np.round(self.incident_readers).astype(np.int64),
                "at_night": self.incident_at_night,
            }
        )

    @cached_property
    def changes(self):
        """One row per finished feature: change_id, finished, deploy_id, deployed, lead_time_days.

        Features still waiting at the end have ``deploy_id`` <NA> and ``deployed`` NaT.
        """
        import pandas as pd

        shipped = self.feature_deploy >= 0
        deployed_minute = np.where(
            shipped, self.deploy_minute[np.maximum(self.feature_deploy, 0)] if self.deploy_minute.size else 0, 0
        )
        deployed = self._times(deployed_minute).where(shipped)
        return pd.DataFrame(
            {
                "change_id": np.arange(1, self.feature_minute.size + 1),
                "finished": self._times(self.feature_minute),
                "deploy_id": pd.array([int(i) + 1 if i >= 0 else pd.NA for i in self.feature_deploy], dtype="Int64"),
                "deployed": deployed,
                "lead_time_days": np.where(
                    shipped, (deployed_minute - self.feature_minute) / rhythm.MINUTES_PER_DAY, np.nan
                ),
            }
        )

    @cached_property
    def timeline(self):
        """Minute-by-minute DataFrame indexed by time: readers_per_minute, down, readers_served."""
        import pandas as pd

        readers = self.readers_per_minute
        return pd.DataFrame(
            {
                "readers_per_minute": readers,
                "down": self.down,
                "readers_served": np.where(self.down, 0.0, readers),
            },
            index=pd.DatetimeIndex(self._times(np.arange(self.minutes)), name="time"),
        )

    def hourly(self):
        """Hour-by-hour DataFrame indexed by time: readers, readers_lost (readers per hour), down_minutes."""
        import pandas as pd

        hours = self.minutes // 60
        readers = self.readers_per_minute.reshape(hours, 60)
        down = self.down.reshape(hours, 60)
        return pd.DataFrame(
            {
                "readers": readers.sum(axis=1),
                "readers_lost": (readers * down).sum(axis=1),
                "down_minutes": down.sum(axis=1),
            },
            index=pd.DatetimeIndex(self._times(np.arange(hours) * 60), name="time"),
        )


def _working_to_wall(working_minute: np.ndarray) -> np.ndarray:
    """Map minutes of working time (Mon–Fri 09:00–17:00) to minutes of wall-clock time."""
    week, rest = np.divmod(working_minute, WORK_MINUTES_PER_WEEK)
    day, minute = np.divmod(rest, WORK_MINUTES_PER_DAY)
    return week * rhythm.MINUTES_PER_WEEK + day * rhythm.MINUTES_PER_DAY + WORK_START_MINUTE + minute


def simulate(
    deploys_per_week: float = DEFAULTS["deploys_per_week"],
    features_per_week: float = DEFAULTS["features_per_week"],
    weeks: int = 13,
    seed: int = 0,
    *,
    defect_rate: float = DEFAULTS["defect_rate"],
    review_catch: float = DEFAULTS["review_catch"],
    deploy_failure_rate: float = DEFAULTS["deploy_failure_rate"],
    time_to_restore_minutes: float = DEFAULTS["time_to_restore_minutes"],
    restore_growth: float = DEFAULTS["restore_growth"],
    rollback_max_batch: int = DEFAULTS["rollback_max_batch"],
    fix_forward_factor: float = DEFAULTS["fix_forward_factor"],
    full_outage_max_minutes: float = DEFAULTS["full_outage_max_minutes"],
) -> Simulation:
    """Run Pageturn for ``weeks`` weeks and return a :class:`Simulation`.

    The defaults are the world the course teaches; ``simulate(**EQUAL_RISK)``
    is the world where every deploy is equally risky (see the module text).

    Args:
        deploys_per_week: deploys per week, in (0, 100].
        features_per_week: features (changes) Maya's team finishes per week, in [0, 200].
        weeks: length of the simulation in weeks, a whole number in [1, 520].
        seed: a whole number >= 0; the same seed gives the same result.
        defect_rate: probability in [0, 1] that one change carries a fault that
            breaks production if it ships.
        review_catch: probability in [0, 1] that review and tests stop a fault
            in a deploy of one change; in a batch of ``n`` changes they stop it
            with probability ``review_catch / sqrt(n)``.
        deploy_failure_rate: probability in [0, 1] that the act of deploying
            breaks production whatever the batch holds.
        time_to_restore_minutes: median minutes to restore a failed deploy of
            one change (or none) by rolling it back, in (0, 262800] (six months).
        restore_growth: exponent in [0, 2]: a batch of ``n`` changes takes
            ``n ** restore_growth`` times longer to diagnose and restore.
        rollback_max_batch: the biggest batch (changes, a whole number >= 0)
            that can simply be rolled back.
        fix_forward_factor: how many times longer, in [1, 100], a bigger batch
            takes because it must be fixed forward.
        full_outage_max_minutes: longest the whole site stays down in one
            incident, in [1, 262800] minutes; the rest of a longer restore is a
            repair behind a workaround.

    >>> quarter = simulate(deploys_per_week=5, seed=0).summary()
    >>> quarter["deploys"], quarter["deploys_per_week"]
    (65, 5.0)
    >>> simulate(seed=3).summary() == simulate(seed=3).summary()
    True

    Raises:
        ValueError: naming the argument, the value and the allowed range, for
            any argument that is not a number in its range (NaN included).
    """
    deploys_per_week = number("deploys_per_week", deploys_per_week, low=0, high=100, low_open=True)
    features_per_week = number("features_per_week", features_per_week, low=0, high=200)
    weeks = number("weeks", weeks, low=1, high=520, integer=True)
    seed = number("seed", seed, low=0, integer=True)
    defect_rate = number("defect_rate", defect_rate, low=0, high=1)
    review_catch = number("review_catch", review_catch, low=0, high=1)
    deploy_failure_rate = number("deploy_failure_rate", deploy_failure_rate, low=0, high=1)
    time_to_restore_minutes = number(
        "time_to_restore_minutes", time_to_restore_minutes, low=0, high=MAX_RESTORE_MINUTES, low_open=True
    )
    restore_growth = number("restore_growth", restore_growth, low=0, high=2)
    rollback_max_batch = number("rollback_max_batch", rollback_max_batch, low=0, integer=True)
    fix_forward_factor = number("fix_forward_factor", fix_forward_factor, low=1, high=100)
    full_outage_max_minutes = number(
        "full_outage_max_minutes", full_outage_max_minutes, low=1, high=MAX_RESTORE_MINUTES
    )
    params = dict(
        deploys_per_week=deploys_per_week,
        features_per_week=features_per_week,
        weeks=weeks,
        seed=seed,
        defect_rate=defect_rate,
        review_catch=review_catch,
        deploy_failure_rate=deploy_failure_rate,
        time_to_restore_minutes=time_to_restore_minutes,
        restore_growth=restore_growth,
        rollback_max_batch=rollback_max_batch,
        fix_forward_factor=fix_forward_factor,
        full_outage_max_minutes=full_outage_max_minutes,
    )

    total = weeks * rhythm.MINUTES_PER_WEEK
    # Separate random streams, so moving one control does not reshuffle what the others decide.
    feature_rng = np.random.default_rng([seed, 1])
    deploy_rng = np.random.default_rng([seed, 2])
    change_rng = np.random.default_rng([seed, 3])

    n_features = feature_rng.poisson(features_per_week * weeks)
    feature_minute = np.sort(
        _working_to_wall(np.floor(feature_rng.random(n_features) * WORK_MINUTES_PER_WEEK * weeks)).astype(np.int64)
    )

    interval = WORK_MINUTES_PER_WEEK / deploys_per_week  # working minutes between deploys
    phase = deploy_rng.random()
    n_deploys = int(np.ceil(WORK_MINUTES_PER_WEEK * weeks / interval - phase))
    working = (np.arange(n_deploys) + phase) * interval
    working = working[working < WORK_MINUTES_PER_WEEK * weeks]
    deploy_minute = _working_to_wall(np.floor(working)).astype(np.int64)
    n_deploys = deploy_minute.size

    feature_deploy = np.searchsorted(deploy_minute, feature_minute, side="left")
    feature_deploy[feature_deploy >= n_deploys] = -1
    shipped = feature_deploy >= 0
    deploy_batch = np.bincount(feature_deploy[shipped], minlength=n_deploys)

    # Faults live in changes; review catches each with a chance that falls with the batch size.
    fault_draw = change_rng.random(n_features)
    catch_draw = change_rng.random(n_features)
    faulty = (fault_draw < defect_rate) & shipped
    batch_of_change = deploy_batch[np.maximum(feature_deploy, 0)] if n_deploys else np.ones(n_features)
    catch = review_catch / np.sqrt(np.maximum(batch_of_change, 1))
    caught = faulty & (catch_draw < catch)
    escaped = faulty & ~caught
    deploy_faults = np.bincount(feature_deploy[escaped], minlength=n_deploys)

    own_draw = deploy_rng.random(n_deploys)
    spread_draw = deploy_rng.standard_normal(n_deploys)
    deploy_failed = (own_draw < deploy_failure_rate) | (deploy_faults > 0)

    size = np.maximum(deploy_batch, 1).astype(float)
    median_restore = time_to_restore_minutes * size**restore_growth
    median_restore = np.where(deploy_batch > rollback_max_batch, median_restore * fix_forward_factor, median_restore)

    incident_deploy = np.flatnonzero(deploy_failed)
    restore = np.minimum(
        MAX_RESTORE_MINUTES,
        np.maximum(1, np.ceil(median_restore[incident_deploy] * np.exp(RESTORE_SPREAD * spread_draw[incident_deploy]))),
    ).astype(np.int64)
    start = deploy_minute[incident_deploy]
    end = np.minimum(start + np.minimum(restore, int(full_outage_max_minutes)), total)

    cum_readers = rhythm.cumulative_readers(weeks)
    cum_night = rhythm.cumulative_night_minutes(weeks)
    incident_readers = cum_readers[end] - cum_readers[start]
    at_night = (cum_night[end] - cum_night[start]) > 0

    # Overlapping incidents count once: walk the union of [start, end) intervals.
    if start.size:
        reach = np.maximum.accumulate(end)
        before = np.concatenate(([0], reach[:-1]))
        seg_start = np.maximum(start, before)
        seg_end = np.maximum(reach, seg_start)
        downtime = int((seg_end - seg_start).sum())
        readers_affected = float((cum_readers[seg_end] - cum_readers[seg_start]).sum())
    else:
        downtime, readers_affected = 0, 0.0

    return Simulation(
        params=params,
        weeks=weeks,
        feature_minute=feature_minute,
        feature_deploy=feature_deploy,
        deploy_minute=deploy_minute,
        deploy_batch=deploy_batch,
        deploy_failed=deploy_failed,
        deploy_faults=deploy_faults,
        feature_caught=caught,
        incident_deploy=incident_deploy,
        incident_start=start,
        incident_end=end,
        restore_minutes=restore,
        incident_readers=incident_readers,
        incident_at_night=at_night,
        downtime_minutes=downtime,
        readers_affected=readers_affected,
    )
