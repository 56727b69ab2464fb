"""When Pageturn's readers arrive: the day/night rhythm.

Readers log books mostly in the afternoon and evening, and hardly at all in
the small hours. All arrays here are per minute of simulated time, starting
Monday 00:00, so index ``i`` is minute ``i`` of the simulation.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
PEAK_READERS_PER_MINUTE = 40.0
"""Readers arriving per minute on a weekday around 15:30."""
TROUGH_READERS_PER_MINUTE = 3.0
"""Readers arriving per minute on a weekday around 03:30."""
WEEKEND_FACTOR = 0.85
"""Saturday and Sunday traffic relative to a weekday at the same hour."""
NIGHT_START_HOUR = 22
NIGHT_END_HOUR = 7


@cache
def _week_profile() -> np.ndarray:
    minute = np.arange(MINUTES_PER_WEEK)
    hour = (minute % MINUTES_PER_DAY) / 60.0
    # Lowest at 03:30, highest at 15:30: a smooth daily wave.
    wave = (1.0 - np.cos(2.0 * np.pi * (hour - 3.5) / 24.0)) / 2.0
    per_minute = TROUGH_READERS_PER_MINUTE + (PEAK_READERS_PER_MINUTE - TROUGH_READERS_PER_MINUTE) * wave
    weekend = (minute // MINUTES_PER_DAY) >= 5
    per_minute[weekend] *= WEEKEND_FACTOR
    per_minute.setflags(write=False)
    return per_minute


def readers_per_minute_at(hour: float) -> float:
    """Expected readers arriving per minute on a weekday at ``hour`` (0–24, local time).

    >>> readers_per_minute_at(15) > 10 * readers_per_minute_at(3)
    True

    Raises:
        ValueError: if ``hour`` is not a number in [0, 24].
    """
    from pageturn.checks import number

    hour = number("hour", hour, low=0, high=24)
    return float(_week_profile()[int(round(hour * 60)) % MINUTES_PER_DAY])


@lru_cache(maxsize=16)
def readers_per_minute(weeks: int) -> np.ndarray:
    """Expected readers arriving in each minute of ``weeks`` weeks (read-only array).

    >>> len(readers_per_minute(1))
    10080
    """
    arr = np.tile(_week_profile(), weeks)
    arr.setflags(write=False)
    return arr


@lru_cache(maxsize=16)
def cumulative_readers(weeks: int) -> np.ndarray:
    """``c[i]`` = readers arriving in minutes ``[0, i)``; length ``weeks*10080 + 1``."""
    c = np.concatenate(([0.0], np.cumsum(readers_per_minute(weeks))))
    c.setflags(write=False)
    return c


@lru_cache(maxsize=16)
def cumulative_night_minutes(weeks: int) -> np.ndarray:
    """``c[i]`` = night minutes (22:00–07:00) in minutes ``[0, i)``; length ``weeks*10080 + 1``.

    >>> int(cumulative_night_minutes(1)[-1]) == 7 * 9 * 60
    True
    """
    hour = (np.arange(weeks * MINUTES_PER_WEEK) % MINUTES_PER_DAY) // 60
    night = (hour >= NIGHT_START_HOUR) | (hour < NIGHT_END_HOUR)
    c = np.concatenate(([0], np.cumsum(night)))
    c.setflags(write=False)
    return c
