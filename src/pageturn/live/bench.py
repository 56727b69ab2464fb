"""Speed of the live fleet's watch loop, for ``make bench`` (:mod:`pageturn.course.bench`).

The monitor must finish one scrape-and-evaluate tick well inside its interval
(``scrape_every_s``, 0.1 s by default), or alerts fall behind the readers.
"""

from __future__ import annotations

import statistics
import time

from pageturn.status import is_server_error


def measure_tick(repeats: int = 5) -> tuple[float, float]:
    """(median seconds of one monitor tick with 3 instances and ~300 samples kept, the interval in s)."""
    from pageturn.live.fleet import Fleet

    with Fleet(seed=0, auto_quarantine=False) as fleet:
        fleet.load(duration_s=1.0, rate_per_s=80)
        while len(fleet.series.times) < 300:  # fill the series as a 30 s lesson would
            time.sleep(0.1)
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            fleet.check_once()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples), fleet.scrape_every_s


def measure_time_to_quarantine() -> float:
    """Wall seconds from the first 5xx a reader got to the quarantine (Lesson 4's night, seed 0)."""
    from pageturn.live.fleet import Fleet

    with Fleet(seed=0) as fleet:
        fleet.load(duration_s=1.0, rate_per_s=80)
        fleet.inject("pageturn-2")
        fleet.load(duration_s=2.0, rate_per_s=80, seed=1)
        first = min(r["time_s"] for r in fleet.balancer.records() if is_server_error(r["status"]))
        return fleet.quarantined["pageturn-2"].at_s - first
