"""Kernels forked from a process that has already imported the lab's libraries.

Starting a fresh IPython kernel for each submission costs about a second before the
student's first cell runs (Python start-up, ipykernel and IPython, numpy, pandas,
matplotlib, pageturn). This file is both halves of a *fork server* that removes
that cost while keeping every student in a clean process of their own:

* the **server** (``python forkserver.py serve SOCKET MODULE...``) imports ipykernel,
  IPython and the given modules once, runs no notebook code at all, and listens on a
  Unix socket. For each request it forks a child, which becomes a brand-new kernel
  (its own process, its own copy of every module, a new session, numpy's random state
  re-seeded) and runs exactly one student's notebook;
* the **client** (``python -S forkserver.py client SOCKET CMD...``) is the process
  jupyter_client starts as "the kernel". It needs only the standard library, so it
  starts in tens of milliseconds. It hands the kernel command line, the working
  folder, the environment and its stdin/stdout/stderr to the server, relays the
  signals jupyter_client sends (SIGINT to interrupt, SIGTERM), and exits with the
  kernel's exit status, so jupyter_client and nbclient see a kernel die (``os._exit``)
  exactly as they would see a normal one die. If the client is killed, the server
  kills the kernel.

Commands that are not ``python -m ipykernel_launcher ...`` are run as usual (the
client ``exec``s them). Only the grading code turns this on
(:class:`pageturn.grading.execute.BudgetedExecute`, ``fork_kernels=True``).
This file imports nothing outside the standard library at module level.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import struct
import sys

LAUNCHER = "ipykernel_launcher"

KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",  # imported by every kernel's start-up (debugpy): 0.1 s per kernel otherwise
    "IPython",
    "matplotlib_inline.backend_inline",
)
"""What every kernel imports before it runs a cell; the server imports them once."""


def _send(sock, obj) -> None:
    data = json.dumps(obj).encode()
    sock.sendall(struct.pack("!I", len(data)) + data)


def _recv(sock):
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    (n,) = struct.unpack("!I", head)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


def kernel_args(cmd):
    """The ipykernel arguments of ``cmd`` (a kernel command line), or None when it is not ipykernel."""
    if len(cmd) >= 3 and cmd[1] == "-m" and cmd[2] == LAUNCHER:
        return cmd[3:]
    return None


# --- client ------------------------------------------------------------------------------


def client(sock_path: str, cmd) -> int:
    """Run ``cmd`` as a forked kernel through the server at ``sock_path``; return its exit status."""
    if kernel_args(cmd) is None:
        os.execv(cmd[0], cmd)
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(sock_path)
    except OSError:
        os.execv(cmd[0], cmd)  # no server: start the kernel the ordinary way
    socket.send_fds(
        sock, [json.dumps({"args": kernel_args(cmd), "cwd": os.getcwd(), "env": dict(os.environ)}).encode()], [0, 1, 2]
    )
    reply = _recv(sock)
    if not reply or "pid" not in reply:
        return 1
    pid = reply["pid"]

    def relay(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, relay)
    while True:
        try:
            reply = _recv(sock)
        except InterruptedError:
            continue
        if reply is None:
            return 1
        if "exit" in reply:
            return int(reply["exit"])


# --- server ------------------------------------------------------------------------------


def _child(conn, fds, request) -> None:
    """In the forked child: become one kernel and never return."""
    try:
        os.setsid()
        for i, fd in enumerate(fds[:3]):
            os.dup2(fd, i)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        conn.close()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for name in ("SIGINT", "SIGTERM", "SIGCHLD", "SIGHUP"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # each student gets fresh randomness, as in a new process
        # ipykernel read JPY_PARENT_PID when the server imported it; 1 means "no parent to watch"
        # (the client's exit, not the server's, ends this kernel) and keeps its banner off stdout.
        sys.argv = [LAUNCHER, *request["args"], "--IPKernelApp.parent_handle=1"]
        sys.path[0] = request["cwd"]  # as for `python -m ipykernel_launcher` started there
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report and die like a kernel would
        import traceback

        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001
        pass
    os._exit(code)


def _warm_up_tracebacks() -> None:
    """Format one traceback the way IPython shows a failing cell, so that the lexers and
    helpers it loads on first use (about 0.1 s) are loaded once here, not in every kernel.
    No shell is created: each kernel still builds its own."""
    try:
        from IPython.core import ultratb

        def failing():
            raise ValueError("warm-up")

        try:
            failing()
        except ValueError:
            ultratb.AutoFormattedTB(mode="Context", theme_name="linux").text(*sys.exc_info())
    except Exception:  # noqa: BLE001 - a warm-up that fails only costs the time it saves
        pass


def serve(sock_path: str, modules) -> None:
    """Import ``modules``, then fork one kernel per request on ``sock_path`` until stdin closes."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    sys.path[0] = os.getcwd()  # not this file's folder
    import importlib

    for name in (*KERNEL_MODULES, *modules):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that does not import is simply not preloaded
            pass
    _warm_up_tracebacks()
    import gc

    # Everything imported so far is shared with every kernel, copy-on-write. Moving it out of the
    # garbage collector's reach keeps a child's collections from touching (and so copying) it all.
    gc.collect()
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    listener.bind(sock_path)
    listener.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    sel.register(sys.stdin, selectors.EVENT_READ, "parent")  # the grading process; EOF means stop
    children = {}  # pid -> conn
    print("ready", flush=True)
    while True:
        for key, _ in sel.select(timeout=0.05):
            if key.data == "accept":
                conn, _ = listener.accept()
                msg, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
                request = json.loads(msg)
                pid = os.fork()
                if pid == 0:
                    sel.close()
                    listener.close()
                    _child(conn, fds, request)
                for fd in fds:
                    os.close(fd)
                children[pid] = conn
                _send(conn, {"pid": pid})
                sel.register(conn, selectors.EVENT_READ, pid)
            elif key.data == "parent":
                if not os.read(sys.stdin.fileno(), 1024):
                    for pid in children:
                        _kill(pid)
                    return
            else:  # the client went away: its kernel goes too
                pid = key.data
                try:
                    data = key.fileobj.recv(1024)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    _kill(pid)
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = children.pop(pid, None)
            if conn is not None:
                try:
                    _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                except OSError:
                    pass
                try:
                    sel.unregister(conn)
                except (KeyError, ValueError):
                    pass
                conn.close()


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(client(sys.argv[2], sys.argv[3:]))
