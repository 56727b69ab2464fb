"""Helpers for the browser journeys: a private JupyterLab server and a few UI moves.

The server runs on 127.0.0.1 with a random token, in a temporary root that
holds a copy of the course, with its own JUPYTER_CONFIG_DIR, JUPYTER_DATA_DIR
and JUPYTER_RUNTIME_DIR. It is started in its own process group and
:meth:`JupyterLab.stop` always ends it (and the kernels it started).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from pageturn.course.views import config_dir as config_dir_of
from thiscourse import COURSE, ROOT

OUTPUT = ROOT / "test-output" / "browser"
# Debian's Chromium (apt-get install chromium); PAGETURN_CHROMIUM may point elsewhere.
CHROMIUM = Path(os.environ.get("PAGETURN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


HOW_TO_ENABLE = f"browser tests need Debian's Chromium at {CHROMIUM}; to run them: sudo apt-get install chromium"


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return HOW_TO_ENABLE
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the Python package playwright (make venv installs it)"
    return None


@contextlib.contextmanager
def launch_chromium():
    """Chromium from CHROMIUM (never downloaded), closed on exit.

    Playwright's sync API runs one instance per thread, so a test process launches it once:
    the session fixture ``chromium`` (tests/conftest.py) shares it between the browser journeys
    and the hub journey.
    """
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    manager = sync_playwright().start()
    try:
        # A plain launch gives each page a fresh, isolated context; the user-data dir
        # Playwright makes for it is temporary and removed on close.
        browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_course(dest: Path, *, labs_from: Path | None = None, with_grading: bool = False) -> Path:
    """Copy course.toml, notebooks/, data/ (and grading/ for the teacher) into ``dest``; labs from ``labs_from``.

    The copy is a course root of its own: the course finds its manifest, data and grading there."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "course.toml", dest / "course.toml")
    ignore = shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__", "gradebook.db", "release", "submitted", "autograded", "feedback", "*.log"
    )
    for name in ("notebooks", "data") + (("grading",) if with_grading else ()):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore, dirs_exist_ok=True)
    if labs_from is not None and labs_from.is_dir():
        shutil.copytree(labs_from, dest / "labs", ignore=ignore, dirs_exist_ok=True)
    return dest


def lab_sources() -> list[str]:
    """The course's labs, from its manifest (the one owner of the list), in course order."""
    return COURSE.lab_names


def released_labs(tmp: Path, labs=None) -> Path:
    """A folder with the student copy of ``labs`` (default: every lab): the repository's
    labs/<lab> where it is released, and a fresh release (made from a temporary copy of
    grading/) for the others. The repository's labs/ is never written."""
    labs = lab_sources() if labs is None else list(labs)
    out = tmp / "labs"
    out.mkdir(parents=True, exist_ok=True)
    missing = []
    for lab in labs:
        if (ROOT / "labs" / lab / f"{lab}.ipynb").is_file():
            shutil.copytree(ROOT / "labs" / lab, out / lab, dirs_exist_ok=True)
        else:
            missing.append(lab)
    if missing:
        from pageturn.grading.release import release

        course = tmp / "grading"
        shutil.copytree(
            ROOT / "grading",
            course,
            ignore=shutil.ignore_patterns("gradebook.db", "release", "submitted", "autograded", "feedback", "*.log"),
            dirs_exist_ok=True,
        )
        release(missing, course=course, out=out, force=True)
    return out


def _descendants(pid: int) -> list[int]:
    """PIDs of every process below ``pid`` (read from /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def view_config(config_dir: Path, view: str) -> None:
    """Fill a fresh JUPYTER_CONFIG_DIR with the course's own config of ``view`` ('student' or
    'teacher', from ``jupyter_config/<view>/``, see pageturn.course.views), so the tests see exactly
    what ``make lab`` / ``make teacher`` show."""
    shutil.copytree(
        config_dir_of(view),
        config_dir,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("migrated", "lab", "*.log", "exchange"),
    )


class JupyterLab:
    """One private JupyterLab server. Use :meth:`start`, then always :meth:`stop`."""

    def __init__(self, root: Path, state: Path, view: str = "student", log: Path | None = None):
        """``root`` is the course copy; the teacher view serves its grading/ folder (the
        nbgrader course root, as ``make teacher`` does), the student view the whole copy."""
        self.root, self.state, self.view = Path(root), Path(state), view
        self.serve = self.root / "grading" if view == "teacher" else self.root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = log or OUTPUT / f"jupyterlab-{view}.log"
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def start(self, timeout_s: float = 90.0) -> JupyterLab:
        config = self.state / "config"
        for sub in ("config", "data", "runtime"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        view_config(config, self.view)
        env = dict(os.environ)
        bindir = str(Path(sys.executable).parent)
        env.update(
            {
                "PATH": bindir + os.pathsep + env.get("PATH", ""),
                "JUPYTER_CONFIG_DIR": str(config),
                "JUPYTER_DATA_DIR": str(self.state / "data"),
                "JUPYTER_RUNTIME_DIR": str(self.state / "runtime"),
                "JUPYTER_PLATFORM_DIRS": "1",
                "IPYTHONDIR": str(self.state / "ipython"),
                "JUPYTERLAB_SETTINGS_DIR": str(self.state / "lab" / "user-settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(self.state / "lab" / "workspaces"),
                "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                "PYTHONUNBUFFERED": "1",
            }
        )
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.serve}",
            "--ServerApp.open_browser=False",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            cmd, cwd=self.serve, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterLab did not answer within {timeout_s:.0f} s; see {self.log_path}")

    def api(self, method: str, path: str, body=None, timeout: float = 10.0):
        """Call the server's REST API; return (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url(path), data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                raw = answer.read().decode("utf-8", "replace")
                status = answer.status
        except urllib.error.HTTPError as error:
            raw, status = error.read().decode("utf-8", "replace"), error.code
        try:
            return status, json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return status, raw

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel (between journeys)."""
        try:
            status, kernels = self.api("GET", "api/kernels")
            for kernel in kernels if status == 200 else []:
                self.api("DELETE", f"api/kernels/{kernel['id']}", timeout=20)
        except OSError:
            pass

    def stop(self) -> None:
        """Stop the server and every process it started. Safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        family = _descendants(proc.pid)  # kernels run in sessions of their own
        if proc.poll() is None:
            try:
                self.shutdown_kernels()
                self.api("POST", "api/shutdown", timeout=5)
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, sig)
                    proc.wait(timeout=5)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._log:
            self._log.close()


# ----------------------------------------------------------------------------- UI moves

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def open_lab(page, server: JupyterLab, path: str, workspace: str) -> None:
    """Open ``path`` (relative to the root) in a fresh JupyterLab workspace and wait for it."""
    page.goto(server.url(f"lab/workspaces/{workspace}/tree/{path}?reset"), wait_until="domcontentloaded")
    wait_notebook(page, Path(path).name)


def wait_notebook(page, name: str, timeout_ms: int = 60_000) -> None:
    """Wait until the notebook ``name`` is the current tab, rendered, with an idle kernel."""
    page.locator(f".lm-DockPanel-tabBar .lm-mod-current .lm-TabBar-tabLabel:text-is('{name}')").wait_for(
        timeout=timeout_ms
    )
    page.locator(f"{NOTEBOOK} .jp-Cell").first.wait_for(timeout=timeout_ms)
    wait_idle(page, timeout_ms)


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the current notebook has a kernel (not 'No Kernel') and that kernel is idle."""
    page.wait_for_function(
        """(sel) => {
            const nb = document.querySelector(sel);
            if (!nb) return false;
            const name = nb.querySelector('.jp-Toolbar-kernelName, .jp-KernelName');
            const indicator = nb.querySelector('.jp-Notebook-ExecutionIndicator');
            return name !== null && /\\S/.test(name.textContent) && !/No Kernel/i.test(name.textContent)
                && indicator !== null && indicator.dataset.status === 'idle';
        }""",
        arg=NOTEBOOK,
        timeout=timeout_ms,
        polling=200,
    )


def run_command(page, label: str) -> None:
    """Run a JupyterLab command by its label, through the command palette (Ctrl+Shift+C)."""
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input").first
    search.wait_for()
    search.fill(label)
    page.wait_for_function(
        """([label]) => {
            const item = document.querySelector('.lm-CommandPalette-item.lm-mod-active .lm-CommandPalette-itemLabel');
            return item !== null && item.textContent.trim() === label;
        }""",
        arg=[label],
        timeout=10_000,
    )
    page.keyboard.press("Enter")


def run_all(page, timeout_ms: int = 120_000) -> None:
    """Run All Cells from the Run menu, then wait until every cell has run."""
    wait_idle(page)
    page.locator("#jp-MainMenu .lm-MenuBar-item:has(.lm-MenuBar-itemLabel:text-is('Run'))").click()
    page.locator("li.lm-Menu-item:has(.lm-Menu-itemLabel:text-is('Run All Cells'))").click()
    wait_all_run(page, timeout_ms)


def wait_all_run(page, timeout_ms: int = 120_000) -> None:
    """Wait until every code cell of the current notebook has run (a number in its prompt),
    or until execution stopped at an error; and the kernel is idle."""
    page.wait_for_function(
        """(sel) => {
            const nb = document.querySelector(sel);
            if (!nb) return false;
            if (!nb.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']")) return false;
            const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                .map(p => p.textContent);
            if (prompts.length === 0 || prompts.some(t => t.includes('*'))) return false;
            const failed = nb.querySelector("[data-mime-type='application/vnd.jupyter.error']");
            return failed !== null || prompts.every(t => /\\d/.test(t));
        }""",
        arg=NOTEBOOK,
        timeout=timeout_ms,
        polling=250,
    )


def code_cell(page, contains: str):
    """The code cell of the current notebook whose source contains ``contains``."""
    return page.locator(f"{NOTEBOOK} .jp-CodeCell").filter(has=page.locator(".cm-content", has_text=contains)).first


def errors_in(cell) -> list[str]:
    """Texts of error outputs (tracebacks) shown under ``cell``."""
    return cell.locator("[data-mime-type='application/vnd.jupyter.error']").all_inner_texts()


INTERACTIVE_ROLES = ("slider", "radio", "checkbox", "button", "combobox", "textbox", "spinbutton", "switch", "listbox")


def unnamed_controls(locator) -> list[str]:
    """Lines of the ARIA snapshot of ``locator`` that are interactive controls without a name."""
    lines = locator.aria_snapshot().splitlines()
    found = []
    for line in lines:
        match = re.match(r"\s*-\s*(\w+)(.*)", line)
        if match and match.group(1) in INTERACTIVE_ROLES and not match.group(2).lstrip().startswith('"'):
            found.append(line.strip())
    return found
