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


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def rows():
    """(what, measured, goal, met) for every benchmark, as printable text and a bool.

    Times are medians of several runs. The grading rows grade one demo class of a real
    lab twice in the same run, with our pipeline and with plain nbgrader run once per
    student, so the speed-up compares peers on the same machine at the same moment.
    """
    med = statistics.median(bench_simulate())
    yield "simulate 52 weeks at minute resolution", _ms(med), "<= 5 ms", med <= 0.005
    med = statistics.median(bench_import())
    yield "import pageturn", _ms(med), "<= 1000 ms", med <= 1.0
    from pageturn.dial import measure_update
    med = statistics.median(measure_update())
    yield "deploy dial: slider change to new view", _ms(med), "<= 60 ms", med <= 0.060
    from pageturn.live.bench import measure_tick, measure_time_to_quarantine
    tick, interval = measure_tick()
    yield "live fleet: one monitor tick (scrape 3 + evaluate)", _ms(tick), f"<= {interval * 500:.0f} ms", \
        tick <= interval / 2
    yield "  the monitor's interval", _ms(interval), "(peer)", True
    took = measure_time_to_quarantine()
    yield "live fleet: first reader error to quarantine", _ms(took), "<= 1000 ms", took <= 1.0
    from pageturn.grading.bench import measure_demo
    lab = "lab2_histograms"
    ours, plain = measure_demo(lab)
    yield f"grade demo class of {lab} (our pipeline)", f"{ours:.1f} s", "<= 300 s", ours <= 300
    yield "  same class, nbgrader once per student", f"{plain:.1f} s", "(peer)", True
    yield "  speed-up of the pipeline over the peer", f"{plain / ours:.1f}x", ">= 2x", plain / ours >= 2


def main() -> int:
    print(f"{'benchmark':<50} {'measured':>11} {'goal':>11}  met")
    print("-" * 80, flush=True)
    for what, measured, goal, met in rows():
        print(f"{what:<50} {measured:>11} {goal:>11}  {'yes' if met else 'NO'}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
