"""Build the course's datasets in ``data/`` from the engine, with fixed seeds.

Run ``make data`` (``python -m pageturn.course.databuild data``). The output is
byte-identical on every run: the CSV text is deterministic and the gzip
header carries no timestamp or file name. ``data/README.md`` (the data card)
describes every column; :data:`QUARTER` and :data:`CANARY` below are the
settings it quotes.
"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

from pageturn.course.data import DATASETS, NAMES
from pageturn.model.sim import EQUAL_RISK, simulate
from pageturn.model.traffic import Canary, request_log

SEED = 25
"""Seed of the quarter and of the request log."""
QUARTER = dict(
    EQUAL_RISK,
    deploys_per_week=5.0,
    deploy_failure_rate=0.12,
    time_to_restore_minutes=45.0,
    features_per_week=12.0,
    weeks=13,
    seed=SEED,
)
"""simulate() settings of the quarter in deploys.csv, incidents.csv and changes.csv."""
LOG_START = "2026-03-30"
"""The request log covers the quarter's last week, Monday 30 March to Sunday 5 April 2026."""
LOG_DAYS = 7
CANARY = Canary(start="2026-04-01 13:00", end="2026-04-02 11:00", share=0.05, version="2.0.0-canary", extra_ms=120.0)
"""The canary in the request log: 5 % of readers got version 2.0, which was rolled back."""
SLOW_SERVER = 3
"""web-3 is the slow server (an older machine): every request takes 1.6 times longer."""

FILES = tuple(d.file for d in DATASETS)
"""The files :func:`build` makes: one per dataset of :data:`pageturn.course.data.DATASETS`."""


def build() -> dict[str, bytes]:
    """Return the content of every dataset file (:data:`FILES`), by file name."""

    sim = simulate(**QUARTER)
    deploys = sim.deploys[["deploy_id", "time", "batch_size", "failed", "version"]]
    incidents = sim.incidents[["incident_id", "deploy_id", "start", "end", "restore_minutes", "readers_affected"]]
    changes = sim.changes[["change_id", "finished", "deploy_id"]]

    requests = request_week(SEED, sim=sim)

    def csv(frame, **kw) -> bytes:
        return frame.to_csv(index=False, lineterminator="\n", **kw).encode()

    requests_text = csv(requests, date_format="%Y-%m-%dT%H:%M:%S.%f")
    # Trim microseconds to milliseconds: the clock in the log ticks in ms.
    requests_text = _trim_microseconds(requests_text)
    return {
        NAMES["deploys"]: csv(deploys, date_format="%Y-%m-%d %H:%M"),
        NAMES["incidents"]: csv(incidents, date_format="%Y-%m-%d %H:%M"),
        NAMES["changes"]: csv(changes, date_format="%Y-%m-%d %H:%M"),
        NAMES["requests"]: _gzip(requests_text),
    }


def request_week(seed: int = SEED, *, sim=None):
    """The week of ``requests.csv.gz`` as a DataFrame, drawn with ``seed`` (a whole number >= 0).

    With the default seed this is the stored week (before its times are cut to ms). Another seed
    keeps the week's deploys, versions, incidents and canary (from the quarter of ``deploys.csv``)
    and draws other requests: the week a learner would get by asking the engine for another one.
    ``sim`` is that quarter's :func:`pageturn.model.sim.simulate` result, if already at hand.

    Raises:
        ValueError: if ``seed`` is not a whole number >= 0.
    """
    import pandas as pd

    sim = simulate(**QUARTER) if sim is None else sim
    incidents = sim.incidents
    log_start, log_end = pd.Timestamp(LOG_START), pd.Timestamp(LOG_START) + pd.Timedelta(days=LOG_DAYS)
    in_week = incidents[(incidents["end"] > log_start) & (incidents["start"] < log_end)]
    if in_week.empty:
        raise RuntimeError("the request log's week has no incident: choose another SEED")
    return request_log(
        LOG_START,
        LOG_DAYS,
        servers=4,
        seed=seed,
        slow_server=SLOW_SERVER,
        versions=sim.deploys[["time", "version"]],
        incidents=in_week,
        canary=CANARY,
    )


def _trim_microseconds(text: bytes) -> bytes:
    lines = text.split(b"\n")
    out = [lines[0]]
    for line in lines[1:]:
        if line:
            out.append(line[:23] + line[26:])  # "YYYY-MM-DDTHH:MM:SS.mmm" + rest
    return b"\n".join(out) + b"\n"


def _gzip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def write(folder: str | Path) -> list[Path]:
    """Write every dataset file into ``folder``; return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in build().items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = args[0] if args else "data"
    for path in write(folder):
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
