"""Simulate Pageturn for a number of weeks: Maya's features, the deploys, Sam's incidents.

The model, in plain words:

* Maya's team finishes features at random moments during working hours
  (Monday–Friday, 09:00–17:00), ``features_per_week`` of them on average.
* Deploys happen on a schedule spread evenly through working hours,
  ``deploys_per_week`` of them. A finished feature waits for the next deploy;
  the wait is its lead time.
* A deploy breaks production with probability ``failure_rate``. A broken
  deploy starts an incident at once, which lasts until Sam restores service.
  Restore times vary around ``time_to_restore_minutes`` (their median).
* With ``small_batch=True`` the risk comes from the changes, not the deploy:
  ``failure_rate`` is the chance that *one* change breaks production, so a
  deploy of ``n`` changes fails with probability ``1 - (1 - failure_rate)**n``,
  and a bigger batch takes longer to restore (median × √n), because there is
  more to search through.
* Readers arrive with a day/night rhythm (:mod:`pageturn.rhythm`), so an
  outage at 3 pm hurts far more readers than one at 3 am.

Time is counted in minutes from Monday 2026-01-05 00:00. Everything is
vectorised with numpy, and the same seed always gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import rhythm
from .checks import number

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

SUMMARY_KEYS = (
    "deploys", "incidents", "features_finished", "features_shipped",
    "lead_time_days_median", "downtime_minutes", "availability",
    "readers_affected", "change_failure_rate", "time_to_restore_minutes_median",
    "deploys_per_week", "pages_at_night",
)


@dataclass(frozen=True)
class Simulation:
    """The outcome of :func:`simulate`: arrays for speed, DataFrames for reading.

    Attributes hold minutes since :data:`START` unless their name says otherwise.
    """

    params: dict
    weeks: int
    feature_minute: np.ndarray = field(repr=False)   # when each feature was finished
    feature_deploy: np.ndarray = field(repr=False)   # index of the deploy that shipped it (-1: waiting)
    deploy_minute: np.ndarray = field(repr=False)    # when each deploy happened
    deploy_batch: np.ndarray = field(repr=False)     # changes in each deploy
    deploy_failed: np.ndarray = field(repr=False)    # did it break production?
    incident_deploy: np.ndarray = field(repr=False)  # deploy index of each incident
    incident_start: np.ndarray = field(repr=False)
    incident_end: np.ndarray = field(repr=False)     # clipped to the end of the simulation
    restore_minutes: np.ndarray = field(repr=False)  # full restore time, even past the end
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
        Medians of empty sets are NaN.
        """
        shipped = self.feature_deploy >= 0
        lead_minutes = self.deploy_minute[self.feature_deploy[shipped]] - self.feature_minute[shipped]
        deploys = int(self.deploy_minute.size)
        incidents = int(self.incident_start.size)
        return {
            "deploys": deploys,
            "incidents": incidents,
            "features_finished": int(self.feature_minute.size),
            "features_shipped": int(shipped.sum()),
            "lead_time_days_median": float(np.median(lead_minutes)) / rhythm.MINUTES_PER_DAY
            if lead_minutes.size else float("nan"),
            "downtime_minutes": int(self.downtime_minutes),
            "availability": 1.0 - self.downtime_minutes / self.minutes,
            "readers_affected": int(round(self.readers_affected)),
            "change_failure_rate": incidents / deploys if deploys else float("nan"),
            "time_to_restore_minutes_median": float(np.median(self.restore_minutes))
            if incidents else float("nan"),
            "deploys_per_week": deploys / self.weeks,
            "pages_at_night": int(self.incident_at_night.sum()),
        }

    # --- DataFrames (pandas is imported only when one is asked for) -------------------

    def _times(self, minutes):
        import pandas as pd
        return pd.Timestamp(START) + pd.to_timedelta(np.asarray(minutes), unit="min")

    @cached_property
    def deploys(self):
        """One row per deploy: deploy_id, time, minute, batch_size, failed, version."""
        import pandas as pd
        n = self.deploy_minute.size
        return pd.DataFrame({
            "deploy_id": np.arange(1, n + 1),
            "time": self._times(self.deploy_minute),
            "minute": self.deploy_minute,
            "batch_size": self.deploy_batch,
            "failed": self.deploy_failed,
            "version": [f"1.{i}.0" for i in range(1, n + 1)],
        })

    @cached_property
    def incidents(self):
        """One row per incident: incident_id, deploy_id, start, end, start_minute,
        end_minute, restore_minutes, readers_affected, at_night.

        ``end`` is clipped to the end of the simulation; ``restore_minutes`` is not.
        """
        import pandas as pd
        return pd.DataFrame({
            "incident_id": np.arange(1, self.incident_start.size + 1),
            "deploy_id": self.incident_deploy + 1,
            "start": self._times(self.incident_start),
            "end": self._times(self.incident_end),
            "start_minute": self.incident_start,
            "end_minute": self.incident_end,
            "restore_minutes": self.restore_minutes,
            "readers_affected": np.round(self.incident_readers).astype(np.int64),
            "at_night": self.incident_at_night,
        })

    @cached_property
    def changes(self):
        """One row per finished feature: change_id, finished, deploy_id, deployed, lead_time_days.

        Features still waiting at the end have ``deploy_id`` <NA> and ``deployed`` NaT.
        """
        import pandas as pd
        shipped = self.feature_deploy >= 0
        deployed_minute = np.where(shipped, self.deploy_minute[np.maximum(self.feature_deploy, 0)]
                                   if self.deploy_minute.size else 0, 0)
        deployed = self._times(deployed_minute).where(shipped)
        return pd.DataFrame({
            "change_id": np.arange(1, self.feature_minute.size + 1),
            "finished": self._times(self.feature_minute),
            "deploy_id": pd.array([int(i) + 1 if i >= 0 else pd.NA for i in self.feature_deploy], dtype="Int64"),
            "deployed": deployed,
            "lead_time_days": np.where(shipped, (deployed_minute - self.feature_minute) / rhythm.MINUTES_PER_DAY,
                                       np.nan),
        })

    @cached_property
    def timeline(self):
        """Minute-by-minute DataFrame indexed by time: readers_per_minute, down, readers_served."""
        import pandas as pd
        readers = self.readers_per_minute
        return pd.DataFrame({
            "readers_per_minute": readers,
            "down": self.down,
            "readers_served": np.where(self.down, 0.0, readers),
        }, index=pd.DatetimeIndex(self._times(np.arange(self.minutes)), name="time"))

    def hourly(self):
        """Hour-by-hour DataFrame indexed by time: readers, readers_lost (readers per hour), down_minutes."""
        import pandas as pd
        hours = self.minutes // 60
        readers = self.readers_per_minute.reshape(hours, 60)
        down = self.down.reshape(hours, 60)
        return pd.DataFrame({
            "readers": readers.sum(axis=1),
            "readers_lost": (readers * down).sum(axis=1),
            "down_minutes": down.sum(axis=1),
        }, index=pd.DatetimeIndex(self._times(np.arange(hours) * 60), name="time"))


def _working_to_wall(working_minute: np.ndarray) -> np.ndarray:
    """Map minutes of working time (Mon–Fri 09:00–17:00) to minutes of wall-clock time."""
    week, rest = np.divmod(working_minute, WORK_MINUTES_PER_WEEK)
    day, minute = np.divmod(rest, WORK_MINUTES_PER_DAY)
    return week * rhythm.MINUTES_PER_WEEK + day * rhythm.MINUTES_PER_DAY + WORK_START_MINUTE + minute


def simulate(deploys_per_week: float = 5.0, failure_rate: float = 0.15,
             time_to_restore_minutes: float = 60.0, features_per_week: float = 10.0,
             weeks: int = 13, seed: int = 0, small_batch: bool = False) -> Simulation:
    """Run Pageturn for ``weeks`` weeks and return a :class:`Simulation`.

    Args:
        deploys_per_week: deploys per week, in (0, 100].
        failure_rate: probability in [0, 1] that a deploy breaks production
            (with ``small_batch``: that one change does).
        time_to_restore_minutes: median minutes from breakage to restored
            service, in (0, 262800] (six months).
        features_per_week: features Maya's team finishes per week, in [0, 200].
        weeks: length of the simulation in weeks, a whole number in [1, 520].
        seed: a whole number >= 0; the same seed gives the same result.
        small_batch: if true, risk and restore time grow with the number of
            changes in a deploy.

    Raises:
        ValueError: naming the argument, the value and the allowed range, for
            any argument that is not a number in its range (NaN included).
    """
    deploys_per_week = number("deploys_per_week", deploys_per_week, low=0, high=100, low_open=True)
    failure_rate = number("failure_rate", failure_rate, low=0, high=1)
    time_to_restore_minutes = number("time_to_restore_minutes", time_to_restore_minutes,
                                     low=0, high=MAX_RESTORE_MINUTES, low_open=True)
    features_per_week = number("features_per_week", features_per_week, low=0, high=200)
    weeks = number("weeks", weeks, low=1, high=520, integer=True)
    seed = number("seed", seed, low=0, integer=True)
    if not isinstance(small_batch, (bool, np.bool_)):
        raise ValueError(f"small_batch must be True or False, got {small_batch!r}")
    params = dict(deploys_per_week=deploys_per_week, failure_rate=failure_rate,
                  time_to_restore_minutes=time_to_restore_minutes, features_per_week=features_per_week,
                  weeks=weeks, seed=seed, small_batch=bool(small_batch))

    total = weeks * rhythm.MINUTES_PER_WEEK
    # Separate random streams, so moving one dial does not reshuffle what the others decide.
    feature_rng = np.random.default_rng([seed, 1])
    deploy_rng = np.random.default_rng([seed, 2])

    n_features = feature_rng.poisson(features_per_week * weeks)
    feature_minute = np.sort(_working_to_wall(
        np.floor(feature_rng.random(n_features) * WORK_MINUTES_PER_WEEK * weeks)).astype(np.int64))

    interval = WORK_MINUTES_PER_WEEK / deploys_per_week          # working minutes between deploys
    phase = deploy_rng.random()
    n_deploys = int(np.ceil(WORK_MINUTES_PER_WEEK * weeks / interval - phase))
    working = (np.arange(n_deploys) + phase) * interval
    working = working[working < WORK_MINUTES_PER_WEEK * weeks]
    deploy_minute = _working_to_wall(np.floor(working)).astype(np.int64)
    n_deploys = deploy_minute.size

    feature_deploy = np.searchsorted(deploy_minute, feature_minute, side="left")
    feature_deploy[feature_deploy >= n_deploys] = -1
    deploy_batch = np.bincount(feature_deploy[feature_deploy >= 0], minlength=n_deploys)

    risk_draw = deploy_rng.random(n_deploys)
    spread_draw = deploy_rng.standard_normal(n_deploys)
    if small_batch:
        risk = 1.0 - (1.0 - failure_rate) ** deploy_batch
        median_restore = time_to_restore_minutes * np.sqrt(np.maximum(deploy_batch, 1))
    else:
        risk = np.full(n_deploys, failure_rate)
        median_restore = np.full(n_deploys, time_to_restore_minutes)
    deploy_failed = risk_draw < risk

    incident_deploy = np.flatnonzero(deploy_failed)
    restore = np.maximum(1, np.ceil(median_restore[incident_deploy]
                                    * np.exp(RESTORE_SPREAD * spread_draw[incident_deploy]))).astype(np.int64)
    start = deploy_minute[incident_deploy]
    end = np.minimum(start + restore, total)

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
        params=params, weeks=weeks,
        feature_minute=feature_minute, feature_deploy=feature_deploy,
        deploy_minute=deploy_minute, deploy_batch=deploy_batch, deploy_failed=deploy_failed,
        incident_deploy=incident_deploy, incident_start=start, incident_end=end,
        restore_minutes=restore, incident_readers=incident_readers, incident_at_night=at_night,
        downtime_minutes=downtime, readers_affected=readers_affected,
    )
