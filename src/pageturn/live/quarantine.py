"""Quarantine: take a failing instance out of service, keep it, and replace it.

What :meth:`pageturn.live.fleet.Fleet.quarantine` does, in order (the talk's
"what has happened in between"):

1. **deregister** it from the balancer: no new requests go to it, and its readers'
   new requests wait at the balancer for the replacement;
2. **drain** it: wait for the requests already in flight there to finish;
3. take a **snapshot** of its data at that moment (a flight recorder), so it holds
   every write those requests made;
4. keep it **running**, state intact, for debugging (the console opens only now);
5. start a **replacement**, restore the snapshot into it through :func:`restore`,
   which checks every record and *holds back* the ones that fail (they wait for a
   fix, like a dead-letter queue), and only then give it exactly the old instance's
   readers: their waiting requests go on to it.

The record of all that is a :class:`Quarantine`. :func:`affected_readers` counts the
readers who met an error before and after it, from the balancer's log;
:func:`journey_frame` joins a reader's balancer records with an instance's log.
"""

from __future__ import annotations

import dataclasses
import math
import numbers

from pageturn.status import is_server_error


@dataclasses.dataclass
class Quarantine:
    """One quarantined instance: ``name``, ``replacement`` (the new instance's name),
    ``alert`` (the :class:`pageturn.live.alerts.Alert` that caused it, or None),
    ``snapshot`` (its data once its requests in flight had finished), ``at_s`` (when it left
    the balancer, seconds since the epoch), ``held_back`` (records the restore refused: dicts
    with ``reader`` and the record), ``released`` (True once the instance was stopped) and
    ``drained`` (False if a request in flight there had not finished within the balancer's
    timeout when the snapshot was taken)."""

    name: str
    replacement: str
    alert: object
    snapshot: dict
    at_s: float
    held_back: list
    released: bool = False
    drained: bool = True


def valid_record(book) -> bool:
    """A book record a restore accepts: a dict with a non-empty ``title`` and a
    ``logged_at`` that is a finite number (seconds since the epoch)."""
    if not isinstance(book, dict) or not str(book.get("title", "")).strip():
        return False
    value = book.get("logged_at")
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))


def restore(app, snapshot: dict, readers=None) -> list[dict]:
    """Import ``snapshot``'s books (only ``readers``' if given) into ``app``, checking each
    record with :func:`valid_record`. Returns the held-back records (dicts with
    ``reader`` and ``book``), in order.

    Raises:
        ValueError: if ``snapshot`` has no ``books`` dict.
    """
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("books"), dict):
        raise ValueError("snapshot must be a dict from Pageturn.snapshot() with a 'books' dict")
    keep = None if readers is None else set(readers)
    held = []
    for reader, books in sorted(snapshot["books"].items()):
        if keep is not None and reader not in keep:
            continue
        good = [b for b in books if valid_record(b)]
        held += [{"reader": reader, "book": b} for b in books if not valid_record(b)]
        if good:
            app.import_books(reader, good)
    return held


def affected_readers(records, at_s: float):
    """Readers who got a 5xx answer, before and after ``at_s`` (seconds since the epoch),
    from balancer log records (:meth:`pageturn.live.balancer.Balancer.records`).

    A request counts in the period in which the balancer routed it (its ``time_s``): one sent
    to the instance just before the quarantine and answered just after is a "before" failure.

    Returns a one-row-per-period DataFrame: ``period`` ("before" / "after"),
    ``requests``, ``failed`` (5xx answers), ``readers_failed`` (distinct readers with
    at least one 5xx).
    """
    import pandas as pd

    rows = []
    for period, keep in (("before", lambda t: t < at_s), ("after", lambda t: t >= at_s)):
        chosen = [r for r in records if keep(r["time_s"]) and r["reader"] is not None]
        failed = [r for r in chosen if is_server_error(r["status"])]
        rows.append(
            {
                "period": period,
                "requests": len(chosen),
                "failed": len(failed),
                "readers_failed": len({r["reader"] for r in failed}),
            }
        )
    return pd.DataFrame(rows)


JOURNEY_COLUMNS = (
    "time_s",
    "request_id",
    "method",
    "path",
    "reader",
    "instance",
    "status",
    "ms",
    "instance_event",
    "version",
    "instance_ms",
    "error",
)


def journey_frame(records, events):
    """A reader's journey: balancer log ``records`` (dicts, as
    :meth:`pageturn.live.balancer.Balancer.records` gives them) joined by ``request_id`` with
    instance log ``events`` (dicts, as :meth:`pageturn.live.app.Pageturn.log_events` gives them).

    Returns a DataFrame with :data:`JOURNEY_COLUMNS`, one row per record, in the records' order:
    the balancer's fields, then ``instance_event``, ``version``, ``instance_ms`` (ms) and
    ``error`` from the event with the same request id (empty when the instance logged none).
    """
    import pandas as pd

    by_id = {event["request_id"]: event for event in events if event.get("request_id")}
    rows = []
    for record in records:
        event = by_id.get(record["request_id"], {})
        rows.append(
            {
                **record,
                "instance_event": event.get("event"),
                "version": event.get("version"),
                "instance_ms": event.get("ms"),
                "error": event.get("error"),
            }
        )
    return pd.DataFrame(rows, columns=list(JOURNEY_COLUMNS))
