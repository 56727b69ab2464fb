"""Pageturn's versions, and what is true of each: how fast it answers, and how it lists a reader's books.

This is where the course's releases differ, so a lesson can point at one place: 2.1
is a little faster and lists newest first; 2.1-bad leaves the newest book out and its
new cover lookup adds about 40 ms for about 40 % of readers; 2.1.1 fixes the sort of
imported books whose date came as text. Times are in seconds.
"""

from __future__ import annotations

from pageturn.model.canary import reader_slot
from pageturn.model.endpoints import HEALTH, LOG_BOOK, MY_BOOKS, SEARCH

#: The versions Pageturn can run, with what is true of each.
VERSIONS = {
    "2.0": "the current release",
    "2.1": "the new release: 'newest first' order, a little faster",
    "2.1-bad": "a faulty build of 2.1: leaves the newest book out of my list, "
    "and its cover lookup adds about 40 ms for about 40 % of readers",
    "2.1.1": "2.1 with a fix: sorts imported books whose logged_at came as text (an ISO date)",
}

#: Typical service time per route in seconds (before jitter).
SERVICE_S = {LOG_BOOK: 0.004, MY_BOOKS: 0.003, SEARCH: 0.005, HEALTH: 0.0005}
SPEED = {"2.0": 1.0, "2.1": 0.85, "2.1-bad": 0.85, "2.1.1": 0.85}
SLOW_COVER_S = 0.040
SLOW_COVER_PERCENT = 40.0
SLOW_COVER_ROUTES = (MY_BOOKS, SEARCH)
"""The routes that show covers, so 2.1-bad's slow cover lookup slows them."""


def service_seconds(route: str, version: str, reader: str | None, rng) -> float:
    """How long ``version`` takes to answer one request of ``route`` (seconds), drawn with ``rng``
    (a ``random.Random``): the route's typical time, scaled by the version's speed, with
    log-normal jitter; plus the slow cover lookup of 2.1-bad for the readers it hits.
    Routes with no typical time (``metrics``, ``admin``) take 0 s."""
    base = SERVICE_S.get(route)
    if base is None:
        return 0.0
    seconds = base * SPEED[version] * rng.lognormvariate(0.0, 0.3)
    if (
        version == "2.1-bad"
        and route in SLOW_COVER_ROUTES
        and reader is not None
        and reader_slot(reader, "covers") < SLOW_COVER_PERCENT
    ):
        seconds += SLOW_COVER_S * rng.lognormvariate(0.0, 0.2)
    return seconds


def shown_books(books, version):
    """The books a reader sees, in the order ``version`` lists them (2.1-bad's bug included)."""
    if version == "2.0":
        return list(books)  # oldest first
    if version == "2.1.1":  # the fix: an imported book may carry its date as ISO text
        newest_first = sorted(books, key=lambda b: (timestamp(b["logged_at"]), b["id"]), reverse=True)
        return newest_first
    newest_first = sorted(books, key=lambda b: (b["logged_at"], b["id"]), reverse=True)
    if version == "2.1-bad":
        return newest_first[1:]  # the bug: an off-by-one skips the newest book
    return newest_first


def timestamp(value) -> float:
    """``logged_at`` as seconds since the epoch: a number as it is, ISO text parsed (UTC if
    no zone), None as 0 (the oldest).

    Raises:
        ValueError: for text that is not an ISO date.
    """
    if value is None:  # no date at all: sorts as the oldest
        return 0.0
    if isinstance(value, str):
        import datetime

        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.timestamp()
    return float(value)
