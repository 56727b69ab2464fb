"""Start JupyterLab as a student or as a teacher sees it.

* ``student`` (``make lab``, and what Binder shows after ``postBuild``): the course at
  the repository's root, opened at ``notebooks/00_start.ipynb``; nbgrader's
  formgrader, Create Assignment, course list, assignment list and menu are
  disabled and locked, and so is JupyterLab's news pop-up. The Validate button
  stays.
* ``teacher`` (``make teacher``): the nbgrader course ``grading/`` with the
  formgrader (manual grading) and every nbgrader tool.

Each view is a Jupyter config folder in ``jupyter_config/<view>/``
(``labconfig/page_config.json`` and ``jupyter_server_config.json``), chosen with
``JUPYTER_CONFIG_DIR``. Servers bind to 127.0.0.1.

Command line: ``python -m pageturn.course.views student|teacher [--port N] [--token T] [jupyter-lab options]``;
options it does not know are passed on to ``jupyter lab``.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pageturn.course import manifest

VIEWS = ("student", "teacher")
HIDDEN_FROM_STUDENTS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
    "@jupyterlab/apputils-extension:announcements",
)
"""Lab plugins the student view disables and locks."""


@dataclass
class Launch:
    """How to start one view: the command, its environment and its working folder."""

    argv: list
    env: dict
    cwd: Path
    url: str


def config_dir(view: str, root: Path | None = None) -> Path:
    """The Jupyter config folder of ``view``.

    Raises:
        ValueError: when ``view`` is not "student" or "teacher".
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(map(repr, VIEWS))}; got {view!r}")
    return Path(root or manifest.root()) / "jupyter_config" / view


def launch(view: str, *, port: int = 8888, token: str | None = None, root: Path | None = None) -> Launch:
    """The command that starts ``view`` on 127.0.0.1:``port``.

    Args:
        view: "student" or "teacher".
        port: TCP port, 1–65535.
        token: the login token (None lets Jupyter make one and print it).
        root: the course's repository folder (default: :func:`pageturn.course.manifest.root`).

    Raises:
        ValueError: for an unknown view or a port outside 1–65535.
    """
    cfg = config_dir(view, root)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be a whole number from 1 to 65535; got {port!r}")
    root = Path(root or manifest.root())
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")  # nbgrader runs `alembic`
    env["JUPYTER_CONFIG_DIR"] = str(cfg)
    # Keep JupyterLab's own settings and workspaces out of the repository's config folders.
    home_lab = Path.home() / ".jupyter" / "lab"
    env.setdefault("JUPYTERLAB_SETTINGS_DIR", str(home_lab / "user-settings"))
    env.setdefault("JUPYTERLAB_WORKSPACES_DIR", str(home_lab / "workspaces"))
    if view == "student":
        cwd, start = root, f"/lab/tree/{manifest.load(root / manifest.FILENAME).start}"
    else:
        cwd, start = root / "grading", "/lab"
    argv = [
        str(Path(bindir) / "jupyter-lab"),
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={cwd}",
        f"--LabApp.default_url={start}",
    ]
    if token is not None:
        argv.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return Launch(argv=argv, env=env, cwd=cwd, url=f"http://127.0.0.1:{port}{start}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pageturn.course.views", description=__doc__.split("\n\n")[0])
    parser.add_argument("view", choices=VIEWS)
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--token", default=None, help="login token (default: Jupyter makes one and prints it)")
    args, extra = parser.parse_known_args(argv)
    try:
        spec = launch(args.view, port=args.port, token=args.token)
    except ValueError as exc:
        print(f"views: {exc}", file=sys.stderr)
        return 1
    spec.argv.extend(extra)
    print(f"Starting the {args.view} view: {spec.url}", flush=True)
    os.chdir(spec.cwd)
    os.execve(spec.argv[0], spec.argv, spec.env)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
