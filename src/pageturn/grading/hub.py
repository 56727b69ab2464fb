"""Run the course's JupyterHub on this machine: Unix accounts, the hub's folders, start and stop.

The hub is the real JupyterHub with the course's own ``grading/jupyterhub/jupyterhub_config.py``;
this module only lays out what that file expects and starts it:

* :func:`prepare` (as root) creates the hub root (database, cookie secret, the nbgrader exchange
  with mode 1777), one Unix account per teacher, student and course grader (home folders
  0700, so nobody reads anybody else's work), and each course root, copied from the repository into
  its grader's home and owned by the grader, with ``course.toml`` and ``data/`` beside it
  (:func:`copy_course`);
* :class:`Hub` starts ``jupyterhub -f grading/jupyterhub/jupyterhub_config.py`` on 127.0.0.1 and
  stops it (the hub stops the users' servers, the formgrader service and the proxy with it).

``make hub`` (``python -m pageturn.grading.hub demo``) starts a demo class to click through;
tests/hub/ drive a whole term through it.

Needs: root (each user's server runs as that user), ``jupyterhub`` in this environment and
``configurable-http-proxy`` in this environment's ``bin/`` (``make hub-deps`` installs npm's). Every
user's server runs from this environment, so its users must be able to reach it: when a folder on the
way is private (a pyenv Python under /root), :func:`grant_access` lets the group ``pageturn-hub``
(the hub's accounts, nobody else) pass through it, with an ACL entry, and :func:`revoke_access`
takes it back.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pageturn.course import manifest

REPO = manifest.root()
CONFIG = REPO / "grading" / "jupyterhub" / "jupyterhub_config.py"
BIN = Path(sys.executable).parent
"""The environment's bin/: JupyterHub, the proxy, and the users' servers all run from it."""
ADMIN = "hubadmin"
"""The hub admin of a prepared hub (no Unix account, no server: it only uses the hub's admin page and API)."""
GROUP = "pageturn-hub"
"""The Unix group of every account the hub creates."""
COURSE_ID = manifest.course_id()
"""This course's nbgrader course id, from course.toml."""
NAME = re.compile(r"[a-z][a-z0-9.\-]{0,31}")
"""Hub user names = Unix account names = nbgrader student ids (as ``USERNAME_PATTERN`` in the hub config)."""
# What a copy of a course root leaves behind: the teacher's grading state and the local exchange.
COURSE_STATE = (
    "gradebook.db",
    "submitted",
    "autograded",
    "feedback",
    "release",
    "exchange",
    "grades_*.csv",
    "grading_*.log",
    "__pycache__",
    ".ipynb_checkpoints",
)


@dataclass
class Course:
    """One class on the hub.

    Attributes:
        id: the nbgrader course id, also the name of its formgrader service.
        teachers, students: hub user names.
        source: the nbgrader course root to copy (a folder with ``source/`` and ``nbgrader_config.py``).
        port: the port of the course's formgrader service on 127.0.0.1.
    """

    id: str
    teachers: list
    students: list
    source: Path = REPO / "grading"
    port: int = 9999

    def grader(self) -> str:
        return f"grader-{self.id}"


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(
            f"{what} must be a lower-case letter then up to 31 lower-case letters, digits, dots "
            f"or dashes (a hub user, a Unix account and an nbgrader student id at once); got {name!r}"
        )
    return name


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_user(name: str, home: Path) -> pwd.struct_passwd:
    """Create the Unix account ``name`` with home ``home`` (mode 0700), or move an existing one's home there.

    Raises:
        ValueError: for a name that is not a valid hub user name.
        RuntimeError: when not root, or useradd/usermod fails.
    """
    _check_name(name, "user name")
    if os.geteuid() != 0:
        raise RuntimeError(f"creating the Unix account {name!r} needs root (each user's server runs as that user)")
    try:
        entry = pwd.getpwnam(name)
        if entry.pw_dir != str(home):
            _run(["usermod", "--home", str(home), name])
    except KeyError:
        _run(
            [
                "useradd",
                "--no-create-home",
                "--home-dir",
                str(home),
                "--shell",
                "/bin/bash",
                "--user-group",
                "--groups",
                GROUP,
                name,
            ]
        )
    _run(["usermod", "--append", "--groups", GROUP, name])
    entry = pwd.getpwnam(name)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)
    return entry


def _run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


def _chown_tree(path: Path, entry) -> None:
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for f in filenames:
            os.lchown(os.path.join(dirpath, f), entry.pw_uid, entry.pw_gid)


#: What sits beside an nbgrader course root (``grading/``) in the repository and goes with its copy:
#: the manifest (the course id that ``nbgrader_config.py`` reads) and the datasets the labs load.
BESIDE = (manifest.FILENAME, "data")


def copy_course(source: Path, dest: Path, entry) -> Path:
    """Copy the nbgrader course root ``source`` to ``dest`` (without grading state), owned by ``entry``'s account.

    What sits beside ``source`` (:data:`BESIDE`: ``course.toml``, ``data/``) is copied beside ``dest``, so the
    copy is a whole course of its own: its ``nbgrader_config.py`` finds its course id in ``dest``'s parent
    (from the formgrader's folder, :func:`pageturn.course.manifest.root`), not in this repository."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*COURSE_STATE))
    for name in BESIDE:
        src, there = Path(source).parent / name, dest.parent / name
        if src.is_dir():
            shutil.rmtree(there, ignore_errors=True)
            shutil.copytree(src, there)
        elif src.is_file():
            shutil.copyfile(src, there)
    _chown_tree(dest.parent if dest.parent.name == "pageturn" else dest, entry)
    return dest


def _blocked_folders() -> list[Path]:
    """Folders on the way to this environment, its Python and the repository that others cannot pass."""
    targets = [Path(sys.executable).resolve(), Path(sys.prefix), REPO]
    found = []
    for t in targets:
        for d in [t, *t.parents] if t.is_dir() else list(t.parents):
            if d.is_dir() and not d.stat().st_mode & 0o001 and d not in found:
                found.append(d)
    return found


def grant_access(root: Path) -> list[str]:
    """Let the group ``pageturn-hub`` pass (not list) each private folder on the way to this environment.

    The folders changed are written to ``root/acl.txt`` for :func:`revoke_access`. Returns them.

    Raises:
        RuntimeError: when a folder needs it and ``setfacl`` is missing (``make hub-deps`` installs it).
    """
    folders = [str(d) for d in _blocked_folders()]
    if folders and not shutil.which("setfacl"):
        raise RuntimeError(
            f"the hub's users cannot reach {', '.join(folders)}; install setfacl (Debian's acl) "
            "or make those folders passable (chmod o+x)"
        )
    for d in folders:
        _run(["setfacl", "--modify", f"g:{GROUP}:x", d])
    (Path(root) / "acl.txt").write_text("".join(f"{d}\n" for d in folders))
    return folders


def revoke_access(root) -> list[str]:
    """Take back what :func:`grant_access` gave (the folders listed in ``root/acl.txt``). Returns them."""
    listed = Path(root) / "acl.txt"
    if not listed.exists():
        return []
    folders = listed.read_text().split()
    for d in folders:
        subprocess.run(["setfacl", "--remove", f"g:{GROUP}", d], capture_output=True)
    listed.unlink()
    return folders


def check_readable(user: str) -> None:
    """Fail clearly when ``user`` cannot run this environment (its folders must be readable by everyone).

    Raises:
        RuntimeError: naming the folder to open, when ``import pageturn, nbgrader`` fails as ``user``.
    """
    proc = subprocess.run(
        ["runuser", "-u", user, "--", str(BIN / "python"), "-c", "import pageturn, nbgrader"],
        capture_output=True,
        text=True,
        cwd="/",
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"the hub's users cannot run its Python environment ({sys.prefix}) or read the course "
            f"({REPO}): every folder on the way must be readable by all (chmod o+rx), or clone the "
            f"repository under /srv or /tmp. As {user}: {proc.stderr.strip()[-300:]}"
        )


def prepare(root, courses, *, homes=None, password: str | None = None) -> dict:
    """Lay out a hub in ``root`` for ``courses`` (a list of :class:`Course`), as root.

    Args:
        root: the hub root (PAGETURN_HUB_ROOT): database, cookie secret, exchange, courses.json.
        courses: the classes; their teachers, students and grader accounts become Unix accounts.
        homes: where the accounts' home folders go (default ``root/home``).
        password: the demo password for the dummy authenticator (default: a new random one).

    Returns:
        the environment (a dict) to start the hub with: :class:`Hub` takes it.

    Raises:
        ValueError: for an invalid user name or course id, or a user listed twice in one course.
        RuntimeError: when not root, or the users cannot read this environment.
    """
    root = Path(root).resolve()
    homes = Path(homes) if homes is not None else root / "home"
    for k in courses:
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", k.id):
            raise ValueError(f"course id must be lower-case letters, digits and dashes; got {k.id!r}")
        for u in [*k.teachers, *k.students]:
            _check_name(u, f"user name in course {k.id!r}")
        if len(set(k.teachers) | set(k.students)) != len(k.teachers) + len(k.students):
            raise ValueError(f"a user is listed twice in course {k.id!r}: {k.teachers + k.students}")
    if os.geteuid() != 0:
        raise RuntimeError("the hub needs root: it creates Unix accounts and runs each user's server as that user")
    if subprocess.run(["getent", "group", GROUP], capture_output=True).returncode != 0:
        _run(["groupadd", "--system", GROUP])
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    homes.mkdir(parents=True, exist_ok=True)
    os.chmod(homes, 0o755)
    exchange = root / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o1777)  # everyone writes; only owners delete (nbgrader sets the rest per course)
    users = sorted({u for k in courses for u in [*k.teachers, *k.students]})
    for u in users:
        ensure_user(u, homes / u)
    listed = []
    for k in courses:
        entry = ensure_user(k.grader(), homes / k.grader())
        dest = homes / k.grader() / "pageturn" / "grading"
        copy_course(Path(k.source), dest, entry)
        listed.append(
            {"id": k.id, "teachers": list(k.teachers), "students": list(k.students), "port": k.port, "root": str(dest)}
        )
    (root / "courses.json").write_text(json.dumps(listed, indent=1))
    grant_access(root)
    check_readable(users[0] if users else courses[0].grader())
    return {
        "PAGETURN_HUB_ROOT": str(root),
        "PAGETURN_HUB_COURSES": str(root / "courses.json"),
        "PAGETURN_HUB_AUTHENTICATOR": "dummy",
        "PAGETURN_HUB_PASSWORD": password or secrets.token_urlsafe(12),
        "PAGETURN_HUB_ADMINS": ADMIN,
        # The hub's config reads this course's id from course.toml (the hub runs in its own root, not
        # in the repository); the users' servers and the services do not inherit it.
        "PAGETURN_ROOT": str(REPO),
    }


@dataclass
class Hub:
    """A running JupyterHub with the course's config, on 127.0.0.1 and free ports.

    ``env`` is what :func:`prepare` returned; :meth:`start` adds the ports.
    """

    env: dict
    port: int = 0
    api_port: int = 0
    proxy_api_port: int = 0
    proc: subprocess.Popen | None = None
    log: Path | None = None
    starts: int = field(default=0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def root(self) -> Path:
        return Path(self.env["PAGETURN_HUB_ROOT"])

    def start(self, timeout: float = 120, attempts: int = 3) -> Hub:
        """Start ``jupyterhub`` and wait until its API answers.

        JupyterHub gives a managed service (the formgrader) ten one-second tries to answer, then exits;
        on a busy machine a cold JupyterLab can take longer. Then the hub is started again (warm),
        up to ``attempts`` times in all.

        Raises:
            RuntimeError: when the proxy is missing, or the hub exits or is not up within ``timeout`` seconds
                (with the end of its log).
        """
        for attempt in range(1, attempts + 1):
            try:
                return self._start(timeout)
            except RuntimeError as exc:
                if attempt == attempts or "Cannot connect to" not in str(exc):
                    raise

    def _start(self, timeout: float) -> Hub:
        proxy = BIN / "configurable-http-proxy"
        if not (BIN / "jupyterhub").exists() or not proxy.exists():
            raise RuntimeError(f"JupyterHub or configurable-http-proxy is not installed in {BIN}: run `make hub-deps`")
        self.port = self.port or free_port()
        self.api_port = self.api_port or free_port()
        self.proxy_api_port = self.proxy_api_port or free_port()
        env = dict(os.environ)
        env.update(self.env)
        env.update(
            PAGETURN_HUB_PORT=str(self.port),
            PAGETURN_HUB_API_PORT=str(self.api_port),
            PAGETURN_PROXY_API_PORT=str(self.proxy_api_port),
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        )
        env.setdefault("PAGETURN_PROXY", str(proxy))
        self.starts += 1
        self.log = self.root / f"jupyterhub-{self.starts}.log"
        out = open(self.log, "w")
        self.proc = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(CONFIG)],
            cwd=self.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        out.close()
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                gave_up = [line for line in self.tail(400).splitlines() if "Cannot connect to" in line]
                raise RuntimeError(
                    f"jupyterhub exited with {self.proc.returncode}:\n{self.tail()}\n" + "\n".join(gave_up)
                )
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyterhub did not answer within {timeout} s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        if not self.log or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 60) -> int | None:
        """Stop the hub (SIGTERM: it stops the users' servers, services and the proxy first).

        Kills it after ``timeout`` seconds.
        """
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait(10)
        self._reap(timeout)
        return code

    def accounts(self) -> list[str]:
        """The Unix accounts of this hub's courses (teachers, students, graders), from courses.json."""
        listed = Path(self.env.get("PAGETURN_HUB_COURSES", "")) if self.env.get("PAGETURN_HUB_COURSES") else None
        if listed is None or not listed.exists():
            return []
        names = set()
        for k in json.loads(listed.read_text()):
            names.update([*k["teachers"], *k["students"], f"grader-{k['id']}"])
        return sorted(names)

    def _reap(self, timeout: float) -> None:
        """Wait for the servers the hub stopped to exit (a busy machine is slow); end stragglers by pid."""
        deadline = time.monotonic() + timeout
        while hubs_left := processes_of(self.accounts()):
            if time.monotonic() > deadline:
                for pid, _, _ in hubs_left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.5)
                return
            time.sleep(0.3)


def processes_of(users) -> list[tuple[int, str, str]]:
    """(pid, user, command line) of every process run by one of ``users`` (Unix account names)."""
    uids = {}
    for u in users:
        try:
            uids[pwd.getpwnam(u).pw_uid] = u
        except KeyError:
            pass
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            uid = d.stat().st_uid
            if uid in uids:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                if cmd:
                    found.append((int(d.name), uids[uid], cmd))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def demo_courses() -> list:
    """The demo class of `make hub`: one teacher, three students."""
    return [Course(COURSE_ID, teachers=["teacher1"], students=["student1", "student2", "student3"], port=free_port())]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pageturn.grading.hub", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="start the hub with a demo class (a teacher, three students) until Ctrl-C")
    d.add_argument("--root", default="/tmp/pageturn-hub", help="hub root (default /tmp/pageturn-hub)")
    d.add_argument("--port", type=int, default=8000, help="public port on 127.0.0.1 (default 8000)")
    d.add_argument("--password", default="pageturn", help="everyone's demo password (default: pageturn)")
    args = parser.parse_args(argv)
    try:
        env = prepare(args.root, demo_courses(), password=args.password)
        hub = Hub(env, port=args.port).start()
    except (ValueError, RuntimeError) as exc:
        revoke_access(args.root)
        print(f"hub: {exc}", file=sys.stderr)
        return 1
    print(
        f"JupyterHub with the demo class: {hub.url}/hub/login (127.0.0.1 only)\n"
        f"  teacher: teacher1 (the formgrader: hub home → Services → {COURSE_ID}, or {hub.url}/services/{COURSE_ID}/)\n"
        f"  students: student1, student2, student3; hub admin: {ADMIN}; password for everyone: {args.password}\n"
        f"  hub log: {hub.log}; Ctrl-C stops the hub and every server it started.",
        flush=True,
    )
    try:
        while hub.proc.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
        revoke_access(args.root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
