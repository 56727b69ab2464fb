"""The sanity checker starts only when asked, stops cleanly, and never hides a failing listener."""

import threading

import pytest

from pageturn import lifecycle
from pageturn.live.sanity import SanityChecker


def test_making_a_checker_starts_nothing_and_start_runs_it():
    before = threading.active_count()
    checker = SanityChecker(lambda: True, every_s=0.05)
    assert not checker.running and threading.active_count() == before and checker.last() is None
    assert checker.start() is checker and checker.running
    try:
        assert checker in lifecycle.running("sanity")
    finally:
        checker.stop()
    assert not checker.running and checker not in lifecycle.running("sanity")
    assert checker.last() is not None and checker.last().ok


def test_a_checker_starts_once():
    checker = SanityChecker(lambda: True, every_s=0.05).start()
    checker.stop()
    with pytest.raises(RuntimeError, match="already started"):
        checker.start()


def test_a_failing_listener_is_reported_not_swallowed():
    def listener(result):
        raise KeyError("dashboard gone")

    checker = SanityChecker(lambda: (True, "fine"), on_result=listener)
    with pytest.warns(RuntimeWarning, match="on_result failed after the sanity check: KeyError"):
        result = checker.run_once()
    assert result.ok and checker.callback_errors == [
        "on_result failed after the sanity check: KeyError: 'dashboard gone'"
    ]
