"""Scheduled sanity checks: a small job that uses the running app like a reader would.

A sanity check is a function that returns ``True`` (all is well) or ``False``
(something is wrong), or a pair ``(ok, detail)``. :class:`SanityChecker` runs
one in a background (daemon) thread every ``every_s`` seconds and keeps the
results, so the notebook and the admin UI can show the last result and the
history.

:func:`log_and_read_back` is Pageturn's own check: log a book with a unique
title, then list the reader's books and look for it.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import threading
import time
import warnings

from pageturn import checks, lifecycle
from pageturn.live.client import request_json  # also imported from here by learners (Lesson 3, Lab 3)
from pageturn.model.endpoints import ENDPOINTS, LOG_BOOK, MY_BOOKS

_SEQUENCE = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class SanityResult:
    """One run of a sanity check.

    ``at_s``: when it started (seconds since the epoch); ``ok``: passed or not;
    ``detail``: what was seen, in words; ``duration_ms``: how long it took, in ms.
    """

    at_s: float
    ok: bool
    detail: str
    duration_ms: float


def log_and_read_back(url: str, reader: str = "sanity-bot", version: str | None = None, admin_token: str | None = None):
    """Pageturn's sanity check: log a book with a unique title, then read it back.

    If ``version`` is given (with the app's ``admin_token``) both requests are pinned
    to that deployed version, so a canary can be checked on its own.

    Returns ``(ok, detail)``: ``ok`` is True only when the book was logged (201) and
    the reader's list (200) contains it; ``detail`` says what was seen.
    """
    title = f"Sanity check {next(_SEQUENCE)} at {time.time():.3f}"
    headers = {}
    if version is not None:
        headers = {"X-Pageturn-Version": version, "X-Admin-Token": admin_token or ""}
    try:
        status, _, data = request_json(
            url, *ENDPOINTS[LOG_BOOK], {"reader": reader, "title": title, "author": "Pageturn"}, headers
        )
        if status != 201:
            return False, f"logging a book answered HTTP {status}: {_error_text(data)}"
        method, path = ENDPOINTS[MY_BOOKS]
        status, answer_headers, data = request_json(url, method, f"{path}?reader={reader}", headers=headers)
        served_by = answer_headers.get("X-Pageturn-Version", "?")
        if status != 200:
            return False, f"reading back answered HTTP {status} (version {served_by}): {_error_text(data)}"
        titles = [book.get("title") for book in data.get("books", [])]
        if title not in titles:
            return False, f"the book just logged is missing from the list (version {served_by})"
        return True, f"logged and read back a book (version {served_by})"
    except OSError as error:
        return False, f"could not reach the app: {error}"


def _error_text(data) -> str:
    if isinstance(data, dict):
        return str(data.get("error", data))
    return str(data)[:200]


class SanityChecker:
    """Run ``check()`` every ``every_s`` seconds in a daemon thread, once :meth:`start` is called.

    ``check`` takes no argument and returns a bool or ``(bool, detail)``; an
    exception counts as a failed run (its message becomes the detail).
    ``on_result(result)`` is called after every run (optional); if it raises, the
    run still counts, the error is kept in :attr:`callback_errors` and reported
    with a ``RuntimeWarning``. The last ``history`` results are kept.

    Making a checker starts nothing; :meth:`start` starts the thread (and registers
    it with :mod:`pageturn.lifecycle`), :meth:`stop` ends it.

    Raises:
        ValueError: if ``every_s`` is not in [0.05, 3600] seconds, ``history`` not in
            [1, 10000], or ``check`` is not callable.
    """

    def __init__(self, check, every_s: float = 5.0, history: int = 100, on_result=None, name: str = "pageturn-sanity"):
        if not callable(check):
            raise ValueError(f"check must be a function returning True/False, got {check!r}")
        self.every_s = checks.number("every_s", every_s, low=0.05, high=3600)
        history = checks.number("history", history, low=1, high=10000, integer=True)
        self._check = check
        self._on_result = on_result
        self._results = collections.deque(maxlen=history)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._handle = None
        self.callback_errors: list[str] = []
        """What ``on_result`` raised, one line per failed call (newest last)."""

    def start(self) -> SanityChecker:
        """Start the schedule: run the check now, then every ``every_s`` seconds. Returns the checker.

        Raises:
            RuntimeError: if it was started before (a stopped checker cannot start again).
        """
        if self._thread.ident is not None:
            raise RuntimeError("this sanity checker was already started; make a new one")
        self._handle = lifecycle.register(self, "sanity")
        self._thread.start()
        return self

    def run_once(self) -> SanityResult:
        """Run the check now (in the calling thread), record and return the result."""
        started = time.time()
        clock = time.perf_counter()
        try:
            outcome = self._check()
            if isinstance(outcome, tuple):
                ok, detail = bool(outcome[0]), str(outcome[1])
            else:
                ok = bool(outcome) if isinstance(outcome, bool) or type(outcome).__name__ == "bool_" else False
                detail = "passed" if ok else f"failed (the check returned {outcome!r})"
        except Exception as error:  # a crashing check is a failed check, not a dead thread
            ok, detail = False, f"{type(error).__name__}: {error}"
        result = SanityResult(started, ok, detail, (time.perf_counter() - clock) * 1000.0)
        with self._lock:
            self._results.append(result)
        if self._on_result is not None:
            try:
                self._on_result(result)
            except Exception as error:  # the check ran; say that what listens to it failed
                problem = f"on_result failed after the sanity check: {type(error).__name__}: {error}"
                self.callback_errors.append(problem)
                warnings.warn(problem, RuntimeWarning, stacklevel=2)
        return result

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.every_s)

    @property
    def running(self) -> bool:
        """True while the background thread is alive."""
        return self._thread.is_alive()

    def last(self) -> SanityResult | None:
        """The most recent result, or None before the first run has finished."""
        with self._lock:
            return self._results[-1] if self._results else None

    def history(self):
        """All kept results as a DataFrame: at_s, ok, detail, duration_ms (oldest first)."""
        import pandas as pd

        with self._lock:
            rows = [dataclasses.asdict(r) for r in self._results]
        return pd.DataFrame(rows, columns=["at_s", "ok", "detail", "duration_ms"])

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the schedule and wait (up to ``timeout_s`` seconds) for the thread to end."""
        self._stop.set()
        if self._thread.ident is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        if self._handle is not None:
            lifecycle.unregister(self._handle)
