"""One registry for what runs in the background: it lists, stops, and reports what it could not stop."""

import gc

import pytest

from pageturn import lifecycle


class Thing:
    def __init__(self, fail=False):
        self.stopped, self.fail = False, fail

    def stop(self):
        if self.fail:
            raise OSError("port still busy")
        self.stopped = True


def test_stop_all_stops_newest_first_and_forgets():
    order = []

    class Tracked(Thing):
        def stop(self):
            order.append(self)

    a, b = Tracked(), Tracked()
    lifecycle.register(a, "test-order")
    lifecycle.register(b, "test-order")
    assert lifecycle.running("test-order") == [a, b]
    assert lifecycle.stop_all("test-order") == []
    assert order == [b, a] and lifecycle.running("test-order") == []


def test_a_failing_stop_is_reported_and_the_rest_still_stop():
    good, bad = Thing(), Thing(fail=True)
    lifecycle.register(good, "test-fail")
    lifecycle.register(bad, "test-fail")
    with pytest.warns(RuntimeWarning, match="could not stop test-fail .*port still busy"):
        problems = lifecycle.stop_all("test-fail")
    assert len(problems) == 1 and good.stopped


def test_registering_does_not_keep_a_thing_alive():
    lifecycle.register(Thing(), "test-weak")
    gc.collect()
    assert lifecycle.running("test-weak") == []


def test_unregister_and_kinds():
    a, b = Thing(), Thing()
    handle = lifecycle.register(a, "test-kind-a")
    lifecycle.register(b, "test-kind-b")
    lifecycle.unregister(handle)
    assert lifecycle.running("test-kind-a") == [] and lifecycle.running("test-kind-b") == [b]
    lifecycle.stop_all("test-kind-b")


@pytest.mark.parametrize(
    "kind, stop, message",
    [("", "stop", "kind must be a non-empty string"), ("x", "halt", "stop must name a method of Thing; got 'halt'")],
)
def test_bad_registration_names_the_problem(kind, stop, message):
    with pytest.raises(ValueError, match=message):
        lifecycle.register(Thing(), kind, stop=stop)


def test_apps_dashboards_and_fleets_leave_exit_clean_up_to_lifecycle():
    """One exit hook: the modules that keep running things hand their clean-up to lifecycle.on_exit."""
    from pathlib import Path

    src = Path(lifecycle.__file__).parent
    callers = [
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if "atexit.register" in p.read_text() and p.name != "lifecycle.py"
    ]
    assert callers == ["grading/execute.py"], callers  # grading imports nothing else of the package
    import pageturn.live.admin  # noqa: F401
    import pageturn.live.app  # noqa: F401
    import pageturn.live.fleet  # noqa: F401

    names = {getattr(f, "__module__", "") for f in lifecycle._AT_EXIT}
    assert {"pageturn.live.admin", "pageturn.live.app", "pageturn.live.fleet"} <= names


def test_on_exit_wants_a_callable():
    with pytest.raises(ValueError, match="cleanup must be callable; got 3"):
        lifecycle.on_exit(3)


class _Events:
    def __init__(self):
        self.hooks = []

    def register(self, event, function):
        self.hooks.append((event, function))


class _Shell:
    """Stands in for IPython's shell only in what on_interrupt uses: ``events.register``."""

    def __init__(self):
        self.events = _Events()


class _Result:
    def __init__(self, error):
        self.error_in_exec = error


def test_on_interrupt_hooks_ipython_once_and_runs_only_after_an_interrupted_cell(monkeypatch):
    assert lifecycle.on_interrupt(lambda: None) is False  # not inside IPython: nothing to hook
    shell, ran = _Shell(), []
    monkeypatch.setattr(lifecycle, "_ipython", lambda: shell)
    monkeypatch.setattr(lifecycle, "_ON_INTERRUPT", [])

    def cleanup():
        ran.append(1)

    assert lifecycle.on_interrupt(cleanup) and lifecycle.on_interrupt(cleanup)
    assert shell.events.hooks == [("post_run_cell", lifecycle.after_cell)]
    lifecycle.after_cell(_Result(None))
    lifecycle.after_cell(_Result(ZeroDivisionError()))
    assert ran == []
    lifecycle.after_cell(_Result(KeyboardInterrupt()))
    assert ran == [1]
    with pytest.raises(ValueError, match="cleanup"):
        lifecycle.on_interrupt("close")
