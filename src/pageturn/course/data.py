"""Read the course's datasets (``data/`` at the top of the course); :mod:`pageturn.course.databuild` builds them.

Notebooks run from several folders: ``notebooks/``, ``labs/<lab>/``,
``grading/source/<lab>/`` and nbgrader's ``grading/autograded/<student>/<lab>/``.
No single relative path reaches ``data/`` from all of them, so use
:func:`path` or :func:`load` instead of writing ``../data/...`` by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pageturn.course import manifest


@dataclass(frozen=True)
class Dataset:
    """One of the course's datasets: its short ``name``, its ``file`` in ``data/`` and the columns
    :func:`load` parses as datetimes (``dates``). :func:`pageturn.course.databuild.build` makes
    one file for each, and ``data/README.md`` describes each column."""

    name: str
    file: str
    dates: tuple[str, ...] = ()


DATASETS = (
    Dataset("requests", "requests.csv.gz", ("timestamp",)),
    Dataset("deploys", "deploys.csv", ("time",)),
    Dataset("incidents", "incidents.csv", ("start", "end")),
    Dataset("changes", "changes.csv", ("finished",)),
)
"""The course's datasets: the one table of their names, files and time columns."""
NAMES = {d.name: d.file for d in DATASETS}
"""Short dataset names and their files (from :data:`DATASETS`)."""


def folder() -> Path:
    """The course's ``data/`` folder.

    Looks in this order: the folder named by the environment variable ``PAGETURN_DATA``; the
    ``data/`` folder of the course root (:func:`pageturn.course.manifest.root`, the one finder,
    which starts from the current directory: a lab run anywhere inside a course finds its data).

    Raises:
        FileNotFoundError: listing the places searched, when none holds the data.
    """
    tried = []
    env = os.environ.get("PAGETURN_DATA")
    candidates = [Path(env)] if env else []
    try:
        candidates.append(manifest.root() / "data")
    except FileNotFoundError as exc:
        tried.append(str(exc))
    for candidate in candidates:
        if (candidate / "deploys.csv").is_file():
            return candidate
        tried.append(str(candidate))
    raise FileNotFoundError(
        "could not find the course's data/ folder; looked in: "
        + ", ".join(tried)
        + ". Set PAGETURN_DATA to the folder that holds deploys.csv."
    )


def path(name: str) -> Path:
    """Full path of a dataset file, by short name (``"requests"``) or file name (``"requests.csv.gz"``).

    Raises:
        ValueError: for a name that is not one of the course's datasets.
        FileNotFoundError: when the data folder cannot be found.
    """
    files = {**NAMES, **{v: v for v in NAMES.values()}}
    if name not in files:
        raise ValueError(f"name must be one of {', '.join(map(repr, NAMES))} (or their file names); got {name!r}")
    return folder() / files[name]


def load(name: str):
    """Read a dataset into a pandas DataFrame, with its time columns parsed as datetimes.

    Raises:
        ValueError: for an unknown name.
        FileNotFoundError: when the data folder cannot be found.
    """
    import pandas as pd

    file = path(name)
    dataset = next(d for d in DATASETS if d.file == file.name)
    return pd.read_csv(file, parse_dates=list(dataset.dates))
