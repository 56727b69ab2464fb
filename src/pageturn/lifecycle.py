"""The one registry of what the course leaves running in the background, and the one exit hook.

Apps, dashboards, fleets and sanity checkers start threads, servers or processes. Each registers
itself here when it starts and unregisters when it stops, so that:

- :func:`running` lists what still runs (tests use it to prove a clean exit);
- :func:`stop_all` stops it, newest first; it runs once more when the Python process exits
  (a single ``atexit`` hook, registered here and nowhere else);
- a module that keeps its own list of running things (apps, dashboards, fleets) hands its
  clean-up function to :func:`on_exit` instead of calling ``atexit`` itself;
- inside IPython (a Jupyter kernel), :func:`on_interrupt` runs a clean-up after a cell that was
  interrupted (the kernel's *Interrupt* button raises ``KeyboardInterrupt`` in the cell, and the
  kernel goes on running, so no exit hook would fire).

The grading tools (``pageturn.grading``) are the one exception: they import nothing else of the
package, so their fork server registers its own exit hook.

The registry holds weak references: registering never keeps an object alive.

>>> class Server:
...     def __init__(self): self.stopped = False
...     def stop(self): self.stopped = True
>>> s = Server()
>>> handle = register(s, "example")
>>> [type(x).__name__ for x in running("example")]
['Server']
>>> stop_all("example")
[]
>>> s.stopped, running("example")
(True, [])
"""

from __future__ import annotations

import atexit
import itertools
import sys
import threading
import warnings
import weakref
from dataclasses import dataclass

_LOCK = threading.Lock()
_ENTRIES: dict[int, _Entry] = {}
_IDS = itertools.count(1)


@dataclass(frozen=True)
class _Entry:
    ref: weakref.ref
    kind: str
    stop: str


def register(thing, kind: str, *, stop: str = "stop") -> int:
    """Record that ``thing`` runs in the background; return a handle for :func:`unregister`.

    ``kind`` names what it is ("app", "admin", "fleet", ...); ``stop`` is the name of the method
    that stops it, called with no arguments.

    Raises:
        ValueError: when ``kind`` is empty or ``thing`` has no method called ``stop``.
    """
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"kind must be a non-empty string; got {kind!r}")
    if not callable(getattr(thing, stop, None)):
        raise ValueError(f"stop must name a method of {type(thing).__name__}; got {stop!r}")
    handle = next(_IDS)
    with _LOCK:
        _ENTRIES[handle] = _Entry(weakref.ref(thing), kind, stop)
    return handle


def unregister(handle: int) -> None:
    """Forget ``handle`` (a thing calls this from its own stop method). Unknown handles are ignored."""
    with _LOCK:
        _ENTRIES.pop(handle, None)


def _live(kind: str | None) -> list[tuple[int, object, _Entry]]:
    with _LOCK:
        items = list(_ENTRIES.items())
    out = []
    for handle, entry in items:
        thing = entry.ref()
        if thing is None:
            unregister(handle)
        elif kind is None or entry.kind == kind:
            out.append((handle, thing, entry))
    return out


def running(kind: str | None = None) -> list:
    """What is registered and still alive, oldest first (only things of ``kind``, if given)."""
    return [thing for _, thing, _ in _live(kind)]


def stop_all(kind: str | None = None) -> list[str]:
    """Stop everything registered (only things of ``kind``, if given), newest first.

    A stop that fails does not stop the others: it is reported with a ``RuntimeWarning`` and in the
    returned list of problems (empty when everything stopped).
    """
    problems = []
    for handle, thing, entry in reversed(_live(kind)):
        try:
            getattr(thing, entry.stop)()
        except Exception as exc:  # report, never hide: the learner needs to know something is left
            problem = f"could not stop {entry.kind} {thing!r:.80}: {type(exc).__name__}: {exc}"
            warnings.warn(problem, RuntimeWarning, stacklevel=2)
            problems.append(problem)
        unregister(handle)
    return problems


_AT_EXIT: list = []


def on_exit(cleanup) -> None:
    """Run ``cleanup()`` when the Python process exits, after :func:`stop_all`; the newest first.

    A failing clean-up is reported with a ``RuntimeWarning`` and does not stop the others.

    Raises:
        ValueError: when ``cleanup`` is not callable.
    """
    if not callable(cleanup):
        raise ValueError(f"cleanup must be callable; got {cleanup!r}")
    with _LOCK:
        _AT_EXIT.append(cleanup)


_ON_INTERRUPT: list = []
_HOOKED: weakref.WeakSet = weakref.WeakSet()  # the IPython shells whose post_run_cell hook is ours


def on_interrupt(cleanup) -> bool:
    """Inside IPython, run ``cleanup()`` after every cell that ended in ``KeyboardInterrupt``.

    The first call hooks IPython's ``post_run_cell`` event, once per shell; registering the same
    ``cleanup`` again changes nothing. Outside IPython it does nothing (a plain Python process
    that is interrupted exits, and :func:`on_exit` covers that). Returns True if the hook is in
    place. A failing clean-up is reported with a ``RuntimeWarning`` and does not stop the others.

    Raises:
        ValueError: when ``cleanup`` is not callable.
    """
    if not callable(cleanup):
        raise ValueError(f"cleanup must be callable; got {cleanup!r}")
    shell = _ipython()
    if shell is None:
        return False
    with _LOCK:
        if cleanup not in _ON_INTERRUPT:
            _ON_INTERRUPT.append(cleanup)
        hooked = shell in _HOOKED
        _HOOKED.add(shell)
    if not hooked:
        shell.events.register("post_run_cell", after_cell)
    return True


def _ipython():
    """The running IPython shell, or None (IPython is never imported here: only looked up)."""
    module = sys.modules.get("IPython")
    try:
        return None if module is None else module.get_ipython()
    except Exception:  # noqa: BLE001 - a half-imported IPython is no shell
        return None


def after_cell(result) -> None:
    """IPython's ``post_run_cell`` hook: run the :func:`on_interrupt` clean-ups, newest first,
    if the cell ended in ``KeyboardInterrupt`` (``result.error_in_exec``)."""
    if isinstance(getattr(result, "error_in_exec", None), KeyboardInterrupt):
        _run_cleanups(_ON_INTERRUPT, " after an interrupt")


def _run_cleanups(registered: list, when: str = "") -> None:
    """Call every clean-up in ``registered``, newest first; one that fails is reported and the rest still run."""
    with _LOCK:
        cleanups = list(reversed(registered))
    for cleanup in cleanups:
        try:
            cleanup()
        except Exception as exc:  # noqa: BLE001 - report and go on: every clean-up gets its turn
            name = getattr(cleanup, "__qualname__", cleanup)
            warnings.warn(f"clean-up {name}{when} failed: {exc}", RuntimeWarning, stacklevel=1)


def _exit() -> None:
    stop_all()
    _run_cleanups(_AT_EXIT)


atexit.register(_exit)
