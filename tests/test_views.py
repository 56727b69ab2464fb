"""Student and teacher views: the student view hides and locks the teacher's tools; the teacher's does not.

Checked three ways: `jupyter labextension list` with each view's config folder, Binder's postBuild run
against a temporary config folder, and a real JupyterLab server per view on 127.0.0.1 (its page config
and whether /formgrader answers)."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pageturn.course.views import HIDDEN_FROM_STUDENTS, config_dir, launch
from thiscourse import ROOT

BIN = Path(sys.executable).parent
FORMGRADER = "@jupyter/nbgrader:formgrader"


def labextension_list(config: Path) -> str:
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), NO_COLOR="1")
    proc = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True, env=env)
    return re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)


def test_student_config_disables_and_locks_the_teachers_tools():
    page = json.loads((config_dir("student") / "labconfig" / "page_config.json").read_text())
    for plugin in HIDDEN_FROM_STUDENTS:
        assert page["disabledExtensions"][plugin] is True
        assert page["lockedExtensions"][plugin] is True
    listing = labextension_list(config_dir("student"))
    disabled = listing.split("Disabled extensions:")[1]
    for plugin in HIDDEN_FROM_STUDENTS:
        assert plugin in disabled
    assert "locked" in listing


def test_teacher_config_keeps_the_formgrader():
    page = json.loads((config_dir("teacher") / "labconfig" / "page_config.json").read_text())
    assert FORMGRADER not in page.get("disabledExtensions", {})
    listing = labextension_list(config_dir("teacher"))
    disabled = listing.split("Disabled extensions:")[1] if "Disabled extensions:" in listing else ""
    assert FORMGRADER not in disabled
    assert "@jupyterlab/apputils-extension:announcements" in disabled  # the news pop-up is off for teachers too


def test_binder_postbuild_makes_the_student_view(tmp_path):
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(["bash", str(ROOT / "postBuild")], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    made = json.loads((tmp_path / "labconfig" / "page_config.json").read_text())
    wanted = json.loads((config_dir("student") / "labconfig" / "page_config.json").read_text())
    assert made == wanted
    server = json.loads((tmp_path / "jupyter_server_config.json").read_text())
    assert server == json.loads((config_dir("student") / "jupyter_server_config.json").read_text())


def test_bad_view_or_port_raise_value_error():
    with pytest.raises(ValueError, match="view must be one of 'student', 'teacher'; got 'admin'"):
        launch("admin")
    with pytest.raises(ValueError, match="port must be a whole number from 1 to 65535; got 0"):
        launch("student", port=0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""


@pytest.mark.slow
@pytest.mark.parametrize("view", ["student", "teacher"])
def test_running_server_serves_the_right_view(view, tmp_path):
    port, token = _free_port(), "pageturn-test"
    spec = launch(view, port=port, token=token)
    env = dict(
        spec.env,
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"),
    )
    assert "--ip=127.0.0.1" in spec.argv
    proc = subprocess.Popen(spec.argv, cwd=spec.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status, page = _get(f"http://127.0.0.1:{port}/lab?token={token}")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.5)
        assert status == 200
        config = json.loads(
            re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1)
        )
        disabled = set(config.get("disabledExtensions", []))
        fg_status, _ = _get(f"http://127.0.0.1:{port}/formgrader?token={token}")
        if view == "student":
            assert set(HIDDEN_FROM_STUDENTS) <= disabled
            assert fg_status == 404  # the server side is off too
            assert Path(config["serverRoot"]).resolve() == ROOT
        else:
            assert FORMGRADER not in disabled
            assert fg_status == 200
            assert Path(config["serverRoot"]).resolve() == ROOT / "grading"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
