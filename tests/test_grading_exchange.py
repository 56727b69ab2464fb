"""The JupyterHub example: the config files load, and the exchange flow works with the real nbgrader.

What runs here: grading/jupyterhub/jupyterhub_config.py and nbgrader_config.py are loaded with traitlets;
then, on a temporary exchange folder,
release_assignment → fetch_assignment → submit → collect → our pipeline → release_feedback → fetch_feedback,
each a real nbgrader command, as one Unix user. The real JupyterHub, with its proxy, logins, spawning,
the formgrader service and separate Unix accounts, runs in tests/hub/."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from pageturn.course import manifest
from pageturn.grading.demo import answered
from pageturn.grading.pipeline import grade
from pageturn.grading.release import nbgrader_env
from thiscourse import FIXTURE, ROOT

HUB = ROOT / "grading" / "jupyterhub"
LAB = "fixture_lab"
COURSE_ID = manifest.course_id()


def load(path: Path):
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def test_hub_config_names_the_service_after_the_course_and_limits_the_formgrader():
    hub = load(HUB / "jupyterhub_config.py")
    course = load(ROOT / "grading" / "nbgrader_config.py")
    assert course.CourseDirectory.course_id == COURSE_ID
    (service,) = hub.JupyterHub.services
    assert service["name"] == COURSE_ID  # nbgrader finds the formgrader by this name
    assert service["url"].startswith("http://127.0.0.1:")
    assert service["cwd"].endswith("/grading")
    assert set(hub.JupyterHub.load_groups) == {f"formgrade-{COURSE_ID}", f"nbgrader-{COURSE_ID}"}
    roles = {r["name"]: r for r in hub.JupyterHub.load_roles}
    assert f"access:services!service={COURSE_ID}" in roles[f"formgrade-{COURSE_ID}"]["scopes"]
    assert not any("access:services" in s for s in roles[f"nbgrader-{COURSE_ID}"]["scopes"])  # students: no formgrader
    assert hub.Spawner.environment["JUPYTER_CONFIG_DIR"].endswith("student_config")
    shared = load(HUB / "nbgrader_config.py")
    # No course id in the hub-wide file: each course root sets its own, and a student may be in several.
    assert shared.Exchange.root == "/srv/pageturn/exchange" and "course_id" not in shared.CourseDirectory


def nbgrader(args, cwd, exchange, user):
    env = nbgrader_env()
    env.update(USER=user, LOGNAME=user, HOME=str(cwd))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            *args,
            f"--Exchange.root={exchange}",
            "--Exchange.path_includes_course=True",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"nbgrader {args}: {proc.stdout}\n{proc.stderr}"
    return proc


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_exchange_flow_from_release_to_feedback(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    course = tmp_path / "teacher" / "grading"
    shutil.copytree(FIXTURE, course)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course / "nbgrader_config.py")
    nbgrader(["generate_assignment", LAB, "--force"], course, exchange, "teacher")
    nbgrader(["release_assignment", LAB, "--force"], course, exchange, "teacher")

    student = tmp_path / "student1"
    student.mkdir()
    nbgrader(["fetch_assignment", LAB, f"--course={COURSE_ID}"], student, exchange, "student1")
    fetched = student / COURSE_ID / LAB / f"{LAB}.ipynb"  # path_includes_course: <course>/<lab>
    source = nbformat.read(course / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    nbformat.write(answered(source, nbformat.read(fetched, as_version=4)), fetched)
    nbgrader(["submit", LAB, f"--course={COURSE_ID}"], student, exchange, "student1")

    nbgrader(["collect", LAB], course, exchange, "teacher")
    # nbgrader names the student after the Unix account that submitted (not $USER): here, whoever runs the tests.
    (who,) = [p.name for p in (course / "submitted").iterdir()]
    assert (course / "submitted" / who / LAB / f"{LAB}.ipynb").is_file()
    run = grade(LAB, course=course, log=None)
    assert [(r.student, r.score) for r in run.results] == [(who, 2.0)]

    nbgrader(["release_feedback", LAB], course, exchange, "teacher")
    nbgrader(["fetch_feedback", LAB, f"--course={COURSE_ID}"], student, exchange, "student1")
    pages = list((student / COURSE_ID / LAB / "feedback").rglob("*.html"))
    assert pages and all("double(-3)" not in p.read_text() for p in pages)
