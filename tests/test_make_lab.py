"""`make lab` serves the course's start page from JupyterLab on 127.0.0.1."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from thiscourse import ROOT

pytestmark = pytest.mark.slow


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, resp.geturl(), resp.read()


def test_make_lab_serves_the_start_page(tmp_path):
    port, token = _free_port(), "pageturn-test-token"
    env = dict(
        os.environ,
        JUPYTER_TOKEN=token,
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
    )
    args = ["make", "--no-print-directory", "lab", f"PORT={port}"]
    if os.geteuid() == 0:
        args.append("LAB_ARGS=--allow-root")
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            try:
                status, _, body = _get(f"{base}/api/contents/notebooks/00_start.ipynb?content=0", token)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    out = proc.stdout.read() if proc.poll() is not None else ""
                    pytest.fail(f"JupyterLab did not answer on {base}: {out[-2000:]}")
                time.sleep(0.5)
        assert status == 200 and json.loads(body)["name"] == "00_start.ipynb"
        # The server listens on loopback only.
        listening = (
            subprocess.run(["ss", "-ltnp"], capture_output=True, text=True).stdout
            if Path("/usr/bin/ss").exists() or Path("/bin/ss").exists()
            else ""
        )
        for line in listening.splitlines():
            if f":{port} " in line:
                assert "127.0.0.1:" in line, line
        # Opening the server's root lands on the start page.
        status, final_url, _ = _get(f"{base}/", token)
        assert final_url.endswith("/lab/tree/notebooks/00_start.ipynb"), final_url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
