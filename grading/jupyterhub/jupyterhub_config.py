"""JupyterHub configuration for grading "Pageturn: Build vs Run" with nbgrader's exchange.

This is the file `make hub` and `make hub-test` run (tests/hub/): a real JupyterHub 5 with
configurable-http-proxy, each user's JupyterLab started as that Unix user (LocalProcessSpawner,
so the hub runs as root), and the formgrader as a hub *service* run by the course's grader account.
On your own hub server, copy this folder (or the whole repository) to the server, set the
variables below in the hub's environment (or edit the defaults), and start `jupyterhub -f` this file.

Layout (the defaults are for a school server; the tests point every path at a temporary folder):

* PAGETURN_HUB_ROOT (default /srv/pageturn): the hub's own state: its database, cookie secret,
  proxy pid file and, in ``exchange/``, nbgrader's exchange (released labs, submissions, feedback).
  ``python -m pageturn.grading.hub prepare`` creates it, with the exchange writable by everyone.
* Each course is a JupyterHub *service* named after its nbgrader course id (nbgrader requires it),
  run by the Unix account ``grader-<course id>`` whose home holds the private course root
  (``~/pageturn/grading``: source/, gradebook.db, submitted/, ...; with ``~/pageturn/course.toml``,
  where its nbgrader_config.py reads the course id, and ``~/pageturn/data/``). Teachers reach it because they
  are in the group ``formgrade-<course id>``; students are in ``nbgrader-<course id>``, which is how
  nbgrader's JupyterHubAuthPlugin (grading/jupyterhub/nbgrader_config.py) decides who sees which
  course. The grader account is in its own formgrade group too: without it the formgrader shows a
  released lab as "draft" (nbgrader#1293).
* The classes: PAGETURN_HUB_COURSES names a JSON file, a list of
  ``{"id": ..., "teachers": [...], "students": [...], "port": ...}`` (optionally ``"root"``, the course
  root); without it, one course, pageturn-build-vs-run, with the example users below. A department
  lists every course there; each gets its own service, grader account and groups.
* Students (and teachers, in their own servers) get the student view,
  grading/jupyterhub/student_config: the Assignments tab to fetch and submit, no formgrader, no
  Create Assignment. The formgrader service gets grading/jupyterhub/teacher_config.
* Authentication: PAGETURN_HUB_AUTHENTICATOR, "pam" (default: Unix passwords) or "dummy" (any
  allowed user with the password in PAGETURN_HUB_PASSWORD; used by `make hub` and the tests,
  on 127.0.0.1 only). Use your school's authenticator (OAuth, LTI) in real use.
* Hub admins: PAGETURN_HUB_ADMINS (none by default). Not the teachers: an admin reaches every
  course's formgrader.
* Ports (all bound to 127.0.0.1): PAGETURN_HUB_PORT (public, 8000), PAGETURN_HUB_API_PORT (8081),
  PAGETURN_PROXY_API_PORT (8001); each course's service has its own port (9999 by default).
  Put a TLS-terminating proxy in front for real use.

What ran, where: tests/hub/ starts JupyterHub with this very file, creates the Unix accounts, and
drives a whole term through the hub's REST API and the users' own servers.
"""

import json
import os
import pwd
import re
import sys
from pathlib import Path

from pageturn.course.manifest import course_id

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the environment JupyterHub runs from: nbgrader, alembic, singleuser
ROOT = Path(os.environ.get("PAGETURN_HUB_ROOT", "/srv/pageturn"))
EXCHANGE = ROOT / "exchange"
COURSE = course_id()  # from course.toml, as grading/nbgrader_config.py
TEACHERS = ["teacher1", "teacher2"]  # change: your teachers' hub user names
STUDENTS = ["student1", "student2"]  # change: your students (or use your authenticator's allow rules)
# Hub user names double as Unix account names and nbgrader student ids: lower-case letters, digits,
# dots and dashes, starting with a letter (the ids the course's zip collection accepts too).
USERNAME_PATTERN = r"^[a-z][a-z0-9.\-]{0,31}$"


def grader(course: str) -> str:
    """The Unix account (and hub user) that owns ``course``'s files and runs its formgrader."""
    return f"grader-{course}"


def courses() -> list:
    """The classes on this hub: PAGETURN_HUB_COURSES (a JSON list), or this course with the example users."""
    path = os.environ.get("PAGETURN_HUB_COURSES")
    if not path:
        return [{"id": COURSE, "teachers": TEACHERS, "students": STUDENTS, "port": 9999}]
    listed = json.loads(Path(path).read_text())
    for course in listed:
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", course["id"]):
            raise ValueError(f"course id must be lower-case letters, digits and dashes; got {course['id']!r}")
    return listed


def course_root(course: dict) -> str:
    return course.get("root") or f"{pwd_home(grader(course['id']))}/pageturn/grading"


def pwd_home(user: str) -> str:
    try:
        return pwd.getpwnam(user).pw_dir
    except KeyError:
        return f"/home/{user}"


def lab_dirs(home: str) -> dict:
    """JupyterLab's per-user settings, kept in the user's home (not in the shared view folder)."""
    return {
        "JUPYTERLAB_SETTINGS_DIR": f"{home}/.jupyter/lab/user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": f"{home}/.jupyter/lab/workspaces",
    }


COURSES = courses()
# Jupyter writes a marker file "migrated" into JUPYTER_CONFIG_DIR the first time it starts; the view
# folders are shared and read-only for the users, and nbgrader's formgrader fails to load when it
# cannot write it (PermissionError). The hub (root) makes the markers once.
for view in ("student_config", "teacher_config"):
    try:
        (HERE / view / "migrated").touch(exist_ok=True)
    except OSError:
        pass
SHARED_ENV = {
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",  # nbgrader runs `alembic`
    "JUPYTER_CONFIG_PATH": str(HERE),  # nbgrader_config.py here: the exchange, hub-group membership
    "PAGETURN_EXCHANGE": str(EXCHANGE),
}

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ.get('PAGETURN_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("PAGETURN_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('PAGETURN_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [os.environ.get("PAGETURN_PROXY", str(BIN / "configurable-http-proxy"))]
c.ConfigurableHTTPProxy.pid_file = str(ROOT / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops the users' servers
c.JupyterHub.cleanup_proxy = True

if os.environ.get("PAGETURN_HUB_AUTHENTICATOR", "pam") == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["PAGETURN_HUB_PASSWORD"]
c.Authenticator.username_pattern = USERNAME_PATTERN
c.Authenticator.allowed_users = {u for k in COURSES for u in k["teachers"] + k["students"]}
# Hub admins (PAGETURN_HUB_ADMINS, comma-separated; none by default) may reach EVERY course's formgrader,
# because JupyterHub's admin role holds access:services: so keep teachers out of it, or a teacher of
# one course grades another's students (tests/hub/test_2_courses.py checks that they cannot).
c.Authenticator.admin_users = {u for u in os.environ.get("PAGETURN_HUB_ADMINS", "").split(",") if u}

groups, roles, services = {}, [], []
for k in COURSES:
    cid, account = k["id"], grader(k["id"])
    groups[f"formgrade-{cid}"] = {"users": [*k["teachers"], account]}  # may use the formgrader service
    groups[f"nbgrader-{cid}"] = {"users": list(k["students"])}  # take part in the course
    roles += [
        {
            "name": f"formgrade-{cid}",
            "groups": [f"formgrade-{cid}"],
            "scopes": [f"access:services!service={cid}", "list:services", f"read:services!service={cid}"],
        },
        {
            "name": f"nbgrader-{cid}",
            "groups": [f"nbgrader-{cid}"],
            "scopes": ["list:services", f"read:services!service={cid}"],
        },
        # The formgrader asks the hub which courses its grader account is in, and may add
        # students to the course's group (formgrader → Manage Students).
        {
            "name": f"service-{cid}",
            "services": [cid],
            "scopes": [
                f"read:users!user={account}",
                f"read:users:groups!user={account}",
                "list:groups",
                f"groups!group=nbgrader-{cid}",
            ],
        },
    ]
    home = pwd_home(account)
    services.append(
        {
            "name": cid,
            "url": f"http://127.0.0.1:{k['port']}",
            "command": [str(BIN / "jupyterhub-singleuser")],
            "user": account,
            "cwd": course_root(k),
            # The course's own service: no "Authorize access" page each time a teacher opens it
            # (it asks only to identify them; tests/hub/test_3_browser.py opens it as a teacher does).
            "oauth_no_confirm": True,
            "environment": {
                **SHARED_ENV,
                **lab_dirs(home),
                # The hub's Services menu opens the formgrader as a page of its own: JupyterHub 4.1+ forbids
                # framing (frame-ancestors 'none'), so the formgrader tab inside JupyterLab stays blank.
                "JUPYTERHUB_DEFAULT_URL": "/formgrader",
                "JUPYTER_CONFIG_DIR": str(HERE / "teacher_config"),  # formgrader and Create Assignment on
            },
        }
    )
c.JupyterHub.load_groups = groups
# The servers' own tokens act as their owner: nbgrader's course list and JupyterHubAuthPlugin ask the
# hub which groups the user is in and which course services exist.
c.JupyterHub.load_roles = roles + [{"name": "server", "scopes": ["inherit"]}]
c.JupyterHub.services = services

# Everyone's own server: the student view (teachers open the formgrader from the hub's Services menu:
# see README.md on why not from inside JupyterLab). JUPYTER_CONFIG_DIR replaces ~/.jupyter for these servers.
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    **SHARED_ENV,
    "JUPYTER_CONFIG_DIR": str(HERE / "student_config"),
    "JUPYTERLAB_SETTINGS_DIR": lambda spawner: lab_dirs(pwd_home(spawner.user.name))["JUPYTERLAB_SETTINGS_DIR"],
    "JUPYTERLAB_WORKSPACES_DIR": lambda spawner: lab_dirs(pwd_home(spawner.user.name))["JUPYTERLAB_WORKSPACES_DIR"],
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
