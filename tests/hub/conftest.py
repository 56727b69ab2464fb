"""One real JupyterHub for the hub tests, with the course's own grading/jupyterhub/jupyterhub_config.py.

The hub runs as root on 127.0.0.1 and free ports; the accounts below are real Unix users (made by
pageturn.grading.hub.prepare, in the group pageturn-hub, with homes in the hub's temporary root) and each
server runs as its user. Two courses: this course (pageturn-build-vs-run, teacher ``tess``,
students ``ada``, ``ben``, ``cy``, and ``dee``, who only takes the browser journey) and a second
one beside it (``intro-stats``, from tests/fixtures/course, teacher ``tom``, students ``ben`` and
``eve``), as in nbgrader's demo_multiple_classes.

Without root or without the proxy (``make hub-deps``) the hub tests skip, except in CI (CI=true),
where that is a failure. At the end everything the hub started is stopped, the accounts are
deleted and the ACL entries given for the environment are taken back, even when a test failed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hubkit import COURSE, NEWCOMER, REPO, SECOND, SECOND_STUDENTS, SECOND_TEACHER, STUDENTS, TEACHER  # noqa: E402

import needs  # noqa: E402
from pageturn.grading import hub as hubmod  # noqa: E402

assert COURSE == hubmod.COURSE_ID


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the hub tests need root (they create Unix accounts; each user's server runs as that user)"
    if not (hubmod.BIN / "configurable-http-proxy").exists():
        return "the hub tests need configurable-http-proxy in the environment: run `make hub-deps`"
    return None


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hub/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.xdist_group("hub"))  # one worker, one hub, tests in file order
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item):
    """Skip the hub tests where no hub can run (one summary line); in CI, fail instead."""
    if "tests/hub/" not in str(item.fspath).replace(os.sep, "/"):
        return
    problem = _missing()
    if problem is not None:
        needs.missing(problem)


def _second_course(root: Path) -> Path:
    """A second nbgrader course root: the fixture lab, with its own course id."""
    src = root / "second-course-src"
    shutil.copytree(REPO / "tests" / "fixtures" / "course", src)
    (src / "nbgrader_config.py").write_text(
        "import os\nc = get_config()\n"
        f"c.CourseDirectory.course_id = {SECOND!r}\n"
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))\n"
    )
    return src


class Term:
    """What the tests share: the running hub, its users (logged in), and what happened so far."""

    def __init__(self, root: Path):
        self.root = root
        self.courses = [
            hubmod.Course(COURSE, [TEACHER], [*STUDENTS, NEWCOMER], port=hubmod.free_port()),
            hubmod.Course(
                SECOND, [SECOND_TEACHER], SECOND_STUDENTS, source=_second_course(root), port=hubmod.free_port()
            ),
        ]
        self.env = hubmod.prepare(root, self.courses)
        self.password = self.env["PAGETURN_HUB_PASSWORD"]
        self.hub = hubmod.Hub(self.env)
        self.users = {}
        self.facts = {}

    @property
    def accounts(self) -> list[str]:
        names = {u for k in self.courses for u in [*k.teachers, *k.students, k.grader()]}
        return sorted(names)

    def login(self, name: str):
        from hubkit import User

        self.users[name] = User(self.hub.url, name, self.password)
        return self.users[name]

    def user(self, name: str):
        return self.users.get(name) or self.login(name)

    def start_servers(self, names) -> None:
        for n in names:
            self.user(n).start_server()
        for n in names:
            self.user(n).wait_ready()

    def grader_home(self, course: str = COURSE) -> Path:
        return self.root / "home" / f"grader-{course}"


@pytest.fixture(scope="session")
def term():
    root = Path(tempfile.mkdtemp(prefix="pageturn-hub-"))
    os.chmod(root, 0o755)
    t = None
    try:
        t = Term(root)
        t.hub.start()
        yield t
    finally:
        if t is not None:
            t.hub.stop()
            left = hubmod.processes_of(t.accounts)
            for pid, _, _ in left:  # only the hub's own accounts' processes: none should be left
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            for account in t.accounts:
                subprocess.run(["userdel", account], capture_output=True)
                subprocess.run(["groupdel", account], capture_output=True)
        hubmod.revoke_access(root)
        shutil.rmtree(root, ignore_errors=True)
