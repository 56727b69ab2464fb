"""nbgrader's ``Execute`` preprocessor with a per-notebook time budget, an output cap and crash handling.

nbgrader only bounds each cell (``Execute.timeout``, seconds); a notebook whose
cells each loop forever costs cells × timeout. :class:`BudgetedExecute`
(configured in ``grading/nbgrader_config.py`` as the first autograde
preprocessor) adds:

* ``notebook_timeout`` (seconds, default 300): once a notebook has run this
  long, its remaining cells are not run. Each cell's own timeout is cut to the
  time left.
* ``max_output_chars`` (characters, default 200 000 per cell): stream output
  beyond that is dropped while the cell runs, so a cell printing millions of
  lines cannot fill the grader's memory.
* a kernel that dies (``os._exit``, a segfault, running out of memory) ends the
  notebook instead of failing the whole submission.

A cell that was not run gets an error output saying why, so nbgrader scores a
test cell that never ran as failed (nbgrader gives full marks to a test cell
without an error). Every such event is logged and kept in ``resources["pageturn"]["notes"]``,
which :class:`pageturn.grading.preprocessors.FinishGrading` stores in the graded notebook
(:mod:`pageturn.grading.notes`).
"""

from __future__ import annotations

import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from pageturn.grading import notes


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class BudgetedExecute(Execute):
    """Execute a notebook for at most ``notebook_timeout`` seconds in all."""

    notebook_timeout = Integer(300, help="Seconds a whole notebook may run; later cells are not run.").tag(config=True)
    max_output_chars = Integer(200_000, help="Characters of stream output kept per cell.").tag(config=True)
    fork_kernels = Bool(
        False,
        help="Fork each kernel from a server that has imported the lab's libraries "
        "(pageturn.grading.forkserver); each notebook still gets a fresh process of its own.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._started = time.monotonic()
        self._stopped = None  # why the remaining cells are not run, once they are not
        self._stream_chars = {}
        self._truncated = set()
        resources = resources if resources is not None else {}
        self._resources_for_notes = resources
        carried = resources.setdefault("pageturn", {}).setdefault("notes", [])
        for text in notes.get(nb):  # what the sanitize steps found (before metadata is cleared)
            if text not in carried:
                carried.append(text)
        if self.fork_kernels and km is None:
            from pageturn.grading.sanitize import test_imports

            running = _SERVER.get("proc") is not None and _SERVER["proc"].poll() is None
            if running or fork_server(test_imports(nb)):
                self.kernel_manager_class = ForkedKernelManager
                self.shutdown_kernel = "immediate"  # the outputs are in; a forked kernel has nothing to save
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            # The kernel died while starting or shutting down; keep what ran.
            self._note("the kernel died; cells after that were not run")
            return self.nb, self.resources

    def _note(self, text: str) -> None:
        info = self._resources_for_notes.get("nbgrader", {})
        self.log.warning("pageturn: %s/%s: %s", info.get("student", "?"), info.get("assignment", "?"), text)
        carried = self._resources_for_notes.setdefault("pageturn", {}).setdefault("notes", [])
        if text not in carried and len(carried) < 12:
            carried.append(text)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped:
            cell.outputs = [_error("NotRunByGrader", self._stopped)]
            return cell, resources
        left = self.notebook_timeout - (time.monotonic() - self._started)
        if left <= 1:
            self._stopped = f"not run: the notebook used up its {self.notebook_timeout} s time budget"
            self._note(f"time budget of {self.notebook_timeout} s used up; cells from cell {index} on were not run")
            cell.outputs = [_error("NotRunByGrader", self._stopped)]
            return cell, resources
        configured = self.timeout
        self.timeout = int(max(1, min(configured or left, left)))
        started = time.monotonic()
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = "not run: the kernel died in an earlier cell"
            self._note(f"the kernel died in cell {index} (for example os._exit or a crash); later cells were not run")
            cell.outputs = list(cell.get("outputs", [])) + [_error("DeadKernelError", "the kernel died in this cell")]
            return cell, resources
        except CellTimeoutError:
            # The kernel ignored the interrupt and is still busy: nothing later can run.
            self._stopped = "not run: an earlier cell would not stop when interrupted"
            self._note(f"cell {index} would not stop when interrupted (it ignores Ctrl+C); later cells were not run")
            cell.outputs = list(cell.get("outputs", [])) + [_error("CellTimeoutError", "this cell would not stop")]
            return cell, resources
        finally:
            self.timeout = configured
            timing = self._resources_for_notes.setdefault("pageturn", {})
            timing["cells_seconds"] = timing.get("cells_seconds", 0.0) + (time.monotonic() - started)
            if index in self._truncated:
                self._note(f"cell {index} printed more than {self.max_output_chars} characters; the rest was dropped")

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") == "stream":
            used = self._stream_chars.get(cell_index, 0)
            text = msg.get("content", {}).get("text", "")
            if used >= self.max_output_chars:
                self._truncate(outs, cell_index)
                return None
            if used + len(text) > self.max_output_chars:
                # The kernel may send a flood in a few large messages: keep exactly up to the cap.
                keep = self.max_output_chars - used
                msg = {**msg, "content": {**msg["content"], "text": text[:keep]}}
                self._stream_chars[cell_index] = self.max_output_chars
                result = super().output(outs, msg, display_id, cell_index)
                self._truncate(outs, cell_index)
                return result
            self._stream_chars[cell_index] = used + len(text)
        return super().output(outs, msg, display_id, cell_index)

    def _truncate(self, outs, cell_index) -> None:
        """Mark cell ``cell_index`` as cut at the cap (once), with a line saying so in its output."""
        if cell_index not in self._truncated:
            self._truncated.add(cell_index)
            outs.append(
                NotebookNode(output_type="stream", name="stderr", text="\n... output truncated by the grader ...\n")
            )


# --- Forked kernels (pageturn.grading.forkserver) ---------------------------------------

_SERVER = {}  # the one fork server of this process: {"proc", "socket", "modules"}

PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "pageturn")
"""Modules the fork server imports before forking kernels (besides ipykernel and IPython)."""


def fork_server(modules=()) -> str | None:
    """Start this process's fork server (once) importing :data:`PRELOAD` and ``modules``;
    return its socket path, or None when it could not start (kernels then start normally)."""
    import atexit
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    if _SERVER.get("proc") is not None and _SERVER["proc"].poll() is None:
        return _SERVER["socket"]
    early = getattr(sys.modules.get("__main__"), "EARLY", None)  # started by nbgrader_main.py
    if early and early.get("proc") is not None and early["proc"].poll() is None:
        proc, sock, script, folder = early["proc"], early["socket"], early["script"], early["folder"]
        early.clear()
    else:
        folder = tempfile.mkdtemp(prefix="pageturn-fork-")
        sock = os.path.join(folder, "s")
        script = str(Path(__file__).with_name("forkserver.py"))
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        proc = subprocess.Popen(
            [sys.executable, script, "serve", sock, *dict.fromkeys((*PRELOAD, *modules))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=folder,
        )
    if proc.stdout.readline().strip() != b"ready":
        proc.kill()
        return None

    def stop():
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except Exception:  # noqa: BLE001
            proc.kill()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    _SERVER.update(proc=proc, socket=sock, script=script)
    return sock


try:
    from jupyter_client.asynchronous import AsyncKernelClient as _AsyncKC
    from jupyter_client.manager import AsyncKernelManager as _AsyncKM
except ImportError:  # pragma: no cover
    _AsyncKM = _AsyncKC = object
from traitlets import DottedObjectName, Type  # noqa: E402


class ForkedKernelClient(_AsyncKC):
    """jupyter_client's kernel client, with a shorter wait once the kernel has answered.

    jupyter_client's ``wait_for_ready`` asks for ``kernel_info`` until the reply comes and
    IOPub is seen to work, then drains IOPub until it has been quiet for 0.2 s: a fixed 0.2 s
    for every kernel, as long as a forked kernel takes to start. Here the drain stops after 10 ms
    of quiet; a late start-up message does no harm, as nbclient only reads the outputs whose
    parent is the cell it runs.
    """

    async def wait_for_ready(self, timeout=None):
        """Return once the kernel answers ``kernel_info`` and IOPub works.

        Raises:
            RuntimeError: when the kernel dies first, or after ``timeout`` seconds.
        """
        import time
        from queue import Empty

        abs_timeout = time.time() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.time() > abs_timeout:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break


class ForkedKernelManager(_AsyncKM):
    """A kernel manager whose Python kernels are forked by :mod:`pageturn.grading.forkserver`.

    jupyter_client starts, interrupts, restarts and kills the client process as if it were
    the kernel; the server makes each kernel a fresh child that no other notebook touched.
    """

    client_class = DottedObjectName("pageturn.grading.execute.ForkedKernelClient")
    client_factory = Type(ForkedKernelClient, klass=_AsyncKC)

    def format_kernel_cmd(self, extra_arguments=None):
        import sys

        cmd = super().format_kernel_cmd(extra_arguments)
        sock = _SERVER.get("socket")
        if not sock or _SERVER["proc"].poll() is not None:
            return cmd
        if cmd and cmd[0] in ("python", "python3"):
            cmd = [sys.executable, *cmd[1:]]
        return [sys.executable, "-S", _SERVER["script"], "client", sock, *cmd]

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        """Launch, then wait until the kernel listens on its shell and IOPub ports (polling every 5 ms).

        jupyter_client connects its channels at once; a socket that connects before the kernel has
        bound its port retries only after ZeroMQ's 100 ms reconnect interval, and an IOPub
        subscription that arrives late makes ``wait_for_ready`` wait 0.2 s more and ask again.
        A forked kernel binds within about 0.1 s, so waiting for it here saves most of that.
        """
        import asyncio
        import socket
        import time

        await super()._async_launch_kernel(kernel_cmd, **kw)
        if self.transport != "tcp":
            return
        deadline = time.monotonic() + 10
        for port in (self.shell_port, self.iopub_port):
            while time.monotonic() < deadline and await self._async_is_alive():
                try:
                    socket.create_connection((self.ip, port), timeout=0.05).close()
                    break
                except OSError:
                    await asyncio.sleep(0.005)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait for the kernel to end, checking every 5 ms (jupyter_client checks every 100 ms)."""
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))
