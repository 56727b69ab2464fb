"""Binder readiness: what mybinder.org would build from this repository, checked offline.

* ``jupyter-repo2docker --no-build --debug`` on a clean copy of the repository (the
  files git tracks, plus new files it does not ignore) prints the Dockerfile it would
  build, without Docker and without the network: it must use the conda buildpack with
  ``environment.yml`` and Python 3.11, copy the repository before installing it (the
  ``-e .`` line), and run ``postBuild``.
* ``postBuild`` is valid bash, runs offline against a temporary Jupyter config folder,
  and leaves the student view there (the teacher's tools disabled and locked), the same
  view as ``jupyter_config/student`` (``make lab``).
* The README's Binder badge opens the start page in JupyterLab.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from thiscourse import ROOT

# repo2docker and postBuild run once (module fixtures): keep these tests on one xdist worker.
pytestmark = pytest.mark.xdist_group("binder")

BIN = Path(sys.executable).parent
START_PAGE = "notebooks/00_start.ipynb"
TEACHER_TOOLS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def _repository_files() -> list[str]:
    """Files a clone would hold: tracked files, plus new files git does not ignore."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: cannot tell which files a clone would hold")
    return [name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("binder") / "repo"
    for name in _repository_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return dest


@pytest.fixture(scope="module")
def dockerfile(clean_copy) -> str:
    """The Dockerfile repo2docker would build (``--no-build --debug``: no Docker, offline)."""
    exe = BIN / "jupyter-repo2docker"
    if not exe.exists():
        pytest.fail("jupyter-repo2docker is not installed in the environment (it is a test dependency)")
    proc = subprocess.run(
        [str(exe), "--no-build", "--debug", str(clean_copy)],
        cwd=clean_copy.parent,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"repo2docker failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def test_repo2docker_uses_conda_with_environment_yml_and_python_311(dockerfile):
    assert "Building conda environment for python=3.11" in dockerfile, dockerfile[:2000]
    assert re.search(r'env update -p \$\{NB_PYTHON_PREFIX\} --file "environment\.yml"', dockerfile)
    # The base environment repo2docker locks for that Python (file names are escaped in the output).
    assert re.search(r"environment(\.|-2e)py(-|-2d)3(\.|-2e)11(-|-2d)linux", dockerfile)


def test_repository_is_copied_before_environment_yml_installs_it(dockerfile):
    # environment.yml installs the course's engine with `pip install -e .`: the source
    # must be in the image before `env update` runs.
    copy = re.search(r"^COPY --chown=\S+ src/ \$\{REPO_DIR\}/", dockerfile, re.M)
    update = dockerfile.find('--file "environment.yml"')
    assert copy and update > copy.start(), "the repository is not copied before environment.yml"


def test_nothing_overrides_the_root_configuration(clean_copy):
    # A binder/ or .binder/ folder, or a Dockerfile, would make repo2docker ignore environment.yml.
    for name in ("binder", ".binder", "Dockerfile", "requirements.txt", "runtime.txt", "Project.toml"):
        assert not (clean_copy / name).exists(), f"{name} would change what Binder builds"


def test_postbuild_runs_in_the_image(dockerfile, clean_copy):
    if not (clean_copy / "postBuild").exists():
        pytest.skip("no postBuild yet")
    assert "RUN ./postBuild" in dockerfile
    text = (clean_copy / "postBuild").read_text()
    assert text.startswith("#!/bin/bash") or text.startswith("#!/usr/bin/env bash")
    subprocess.run(["bash", "-n", str(clean_copy / "postBuild")], check=True)
    assert "\r\n" not in text, "postBuild has Windows line endings"


def _page_config(config_dir: Path) -> dict:
    path = config_dir / "labconfig" / "page_config.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _names(mapping) -> set:
    if isinstance(mapping, dict):
        return {name for name, on in mapping.items() if on}
    return set(mapping or ())


def _sys_prefix_state() -> str:
    """A fingerprint of the environment's own Jupyter config (postBuild must not touch it)."""
    digest = hashlib.sha256()
    for path in sorted((Path(sys.prefix) / "etc" / "jupyter").rglob("*")):
        if path.is_file():
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def binder_config(clean_copy, tmp_path_factory) -> Path:
    """Run postBuild as Binder would, offline, into a temporary Jupyter config folder."""
    if not (clean_copy / "postBuild").exists():
        pytest.skip("no postBuild yet")
    tmp = tmp_path_factory.mktemp("postbuild")
    config, home = tmp / "config", tmp / "home"
    home.mkdir()
    before = _sys_prefix_state()
    proc = subprocess.run(
        ["bash", "postBuild"],
        cwd=clean_copy,
        capture_output=True,
        text=True,
        timeout=180,
        env=_env(
            JUPYTER_CONFIG_DIR=str(config),
            HOME=str(home),
            JUPYTER_DATA_DIR=str(tmp / "data"),
            PIP_NO_INDEX="1",
            http_proxy="http://127.0.0.1:9",
            https_proxy="http://127.0.0.1:9",
        ),
    )
    assert proc.returncode == 0, f"postBuild failed:\n{proc.stdout}\n{proc.stderr}"
    assert _sys_prefix_state() == before, "postBuild changed the environment's own config (use --level=user)"
    return config


def test_postbuild_hides_the_teacher_tools(binder_config):
    page = _page_config(binder_config)
    for plugin in TEACHER_TOOLS + ("@jupyterlab/apputils-extension:announcements",):
        assert plugin in _names(page.get("disabledExtensions")), f"{plugin} is not disabled on Binder"
        assert plugin in _names(page.get("lockedExtensions")), f"{plugin} is not locked on Binder"
    server = json.loads((binder_config / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions.get("nbgrader.server_extensions.formgrader") is False


def test_binder_shows_the_student_view(binder_config):
    student = ROOT / "jupyter_config" / "student"
    if not student.is_dir():
        pytest.skip("no jupyter_config/student yet")
    ours, binder = _page_config(student), _page_config(binder_config)
    for key in ("disabledExtensions", "lockedExtensions"):
        missing = _names(ours.get(key)) - _names(binder.get(key))
        assert not missing, f"Binder's {key} lacks what the student view has: {sorted(missing)}"
    ours_server = json.loads((student / "jupyter_server_config.json").read_text())
    binder_server = json.loads((binder_config / "jupyter_server_config.json").read_text())
    assert ours_server["ServerApp"]["jpserver_extensions"] == binder_server["ServerApp"]["jpserver_extensions"]


def test_jupyter_lists_the_teacher_tools_as_disabled(binder_config, tmp_path):
    """What JupyterLab itself reads from that config: `jupyter labextension list`."""
    proc = subprocess.run(
        [str(BIN / "jupyter"), "labextension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(JUPYTER_CONFIG_DIR=str(binder_config), HOME=str(tmp_path)),
    )
    text = proc.stdout + proc.stderr
    disabled = text.split("Disabled extensions:", 1)[-1] if "Disabled extensions:" in text else ""
    for plugin in TEACHER_TOOLS:
        assert plugin in disabled, f"{plugin} not listed as disabled:\n{text}"


def test_readme_badge_opens_the_start_page_in_jupyterlab():
    readme = (ROOT / "README.md").read_text()
    urls = re.findall(r"\((https://mybinder\.org/v2/[^)\s]+)\)", readme)
    assert urls, "README.md has no mybinder.org link"
    for url in urls:
        parsed = urllib.parse.urlparse(url)
        query = urllib.parse.parse_qs(parsed.query)
        assert re.match(r"^/v2/gh/[^/]+/[^/]+/[^/?]+$", parsed.path), url
        assert query.get("urlpath") == [f"lab/tree/{START_PAGE}"], url
    assert (ROOT / START_PAGE).is_file()
    assert "badge_logo.svg" in readme
