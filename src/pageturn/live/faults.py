"""Realistic faults to inject into one instance of the fleet.

The fault of Lesson 4 is a **poisoned import**. Readers moving from the old app get
their reading history imported onto the instance that serves them. On one
instance the import ran with an old mapping that wrote each book's ``logged_at``
(seconds since the epoch, a number) the way the old app kept it: as text, or
not at all. Version 2.1 lists books newest first, and sorting a list in which
one date is a number and another is text raises ``TypeError`` in Python: those
readers get HTTP 500 on ``/books`` and ``/search``. Everyone else, and every
other instance, is fine. Nothing is wrong with the code's tests: they never
saw an imported record.

:data:`KINDS` lists the bad values; :func:`poisoned_import` injects one.
"""

from __future__ import annotations

import dataclasses
import random
import time

from pageturn import checks

#: What the broken import writes as ``logged_at``, by kind.
KINDS = {
    "text-date": "an ISO date as text, e.g. '2019-03-04T21:15:00' (the old app's format)",
    "missing-date": "no date at all (None): the old app had no date for that book",
}


@dataclasses.dataclass(frozen=True)
class Injected:
    """What :func:`poisoned_import` did: ``instance``, ``kind``, ``readers`` (the
    readers who got a poisoned record, sorted) and ``bad_value`` (one of the written
    ``logged_at`` values)."""

    instance: str
    kind: str
    readers: tuple
    bad_value: object


def poisoned_import(
    app, readers, *, instance: str = "?", kind: str = "text-date", share: float = 0.3, seed: int = 0
) -> Injected:
    """Import two books for a ``share`` (0..1) of ``readers`` onto ``app`` (a running
    :class:`pageturn.live.app.Pageturn`): one dated correctly, one whose ``logged_at`` is the
    bad value of ``kind`` (see :data:`KINDS`). The readers are picked by ``seed``.

    Raises:
        ValueError: for an unknown ``kind``, ``share`` outside (0, 1] or no ``readers``.
    """
    checks.choice("kind", kind, KINDS)
    share = checks.number("share", share, low=0, high=1, low_open=True)
    seed = checks.number("seed", seed, integer=True)
    readers = sorted(set(readers))
    if not readers:
        raise ValueError("readers must name at least one reader served by the instance, got none")
    rng = random.Random(f"import:{seed}")
    chosen = sorted(rng.sample(readers, max(1, round(share * len(readers)))))
    bad = None
    for reader in chosen:
        year = rng.randrange(2015, 2024)
        bad = (
            f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:15:00"
            if kind == "text-date"
            else None
        )
        title = rng.choice(("Persuasion", "The Dispossessed", "Middlemarch", "Kindred", "Solaris"))
        app.import_books(
            reader,
            [
                {
                    "title": "Imported: The Left Hand of Darkness",
                    "author": "Ursula K. Le Guin",
                    "logged_at": time.time() - 86400.0 * rng.randrange(400, 3000),
                    "version": "import",
                },
                {"title": f"Imported: {title}", "author": "", "logged_at": bad, "version": "import"},
            ],
        )
    return Injected(instance, kind, tuple(chosen), bad)


def bad_records(snapshot: dict) -> list[dict]:
    """Books in a snapshot (from :meth:`pageturn.live.app.Pageturn.snapshot`) whose ``logged_at``
    is not a number: dicts with ``reader``, ``id``, ``title`` and ``logged_at``."""
    out = []
    for reader, books in sorted(snapshot["books"].items()):
        for book in books:
            value = book.get("logged_at")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                out.append({"reader": reader, "id": book["id"], "title": book["title"], "logged_at": value})
    return out
