"""``make bench``: how fast the parts are where a person waits.

Prints one table: what was measured, the median of several runs, the goal,
and whether the goal was met on this machine. Benchmarks report; they never
fail a build (machines are shared and noisy).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def _samples(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def bench_simulate(repeats: int = 50) -> list[float]:
    """Seconds to simulate 52 weeks and compute the summary and the minute-by-minute outage array."""
    from pageturn import simulate

    def run():
        sim = simulate(weeks=52, seed=1)
        sim.summary()
        sim.down   # the minute-resolution timeline
    run()
    return _samples(run, repeats)


def bench_import(repeats: int = 5) -> list[float]:
    """Seconds for ``import pageturn`` in a fresh Python process (interpreter start-up excluded)."""
    code = "import time; t = time.perf_counter(); import pageturn; print(time.perf_counter() - t)"
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeats)]


def rows():
    """(what, samples in seconds, goal in seconds) for every benchmark that exists."""
    yield "simulate 52 weeks at minute resolution", bench_simulate(), 0.005
    yield "import pageturn", bench_import(), 1.0
    try:
        from pageturn.dial import measure_update
    except ImportError:
        pass
    else:
        yield "deploy dial: slider change to new view", measure_update(), 0.060


def main() -> int:
    print(f"{'benchmark':<48} {'median':>10} {'goal':>10}  met")
    print("-" * 76)
    for what, samples, goal in rows():
        med = statistics.median(samples)
        print(f"{what:<48} {med * 1000:>8.2f}ms {goal * 1000:>8.0f}ms  {'yes' if med <= goal else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
