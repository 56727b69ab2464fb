"""The pipeline's speed-ups change no score and share nothing between students.

Kernels are forked from a server that pre-imported the lab's libraries, and the nbgrader processes skip
``rfc3987-syntax`` (pageturn.grading.forkserver, pageturn.grading.nbgrader_main). Here, with the real
nbgrader: (1) a student who pollutes every shared place a process has (module attributes, builtins,
environment variables, numpy's random state) cannot change the next student's result, graded by the same
worker and the same fork server, and every student ran in a process of their own; (2) on the honest
submissions of a real lab, the pipeline's scores equal those of plain nbgrader with its default
preprocessors, one `nbgrader autograde` over the class."""

import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from pageturn.grading.demo import demo_course, prepare_class
from pageturn.grading.pipeline import COURSE_ID, grade
from pageturn.grading.release import nbgrader_env
from thiscourse import FIXTURE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-isolation")]

POLLUTE = """import builtins, os, sys
import numpy
numpy.LEAKED = True
builtins.LEAKED = True
os.environ["PAGETURN_LEAKED"] = "1"
sys.modules["pageturn_leaked"] = numpy
numpy.random.seed(12345)
print("PID", os.getpid(), "RAND", numpy.random.randint(10**9))
def double(x):
    return 2 * x
"""

CHECK = """import builtins, os, sys
import numpy
leaked = (hasattr(numpy, "LEAKED") or hasattr(builtins, "LEAKED") or "PAGETURN_LEAKED" in os.environ
          or "pageturn_leaked" in sys.modules)
print("PID", os.getpid(), "RAND", numpy.random.randint(10**9), "LEAKED", leaked)
def double(x):
    return 0 if leaked else 2 * x
"""

PLAIN_CONFIG = f'''import os
c = get_config()
HERE = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "{COURSE_ID}"
c.CourseDirectory.root = HERE
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")
c.Execute.timeout = 60
'''


def with_answer(release, source_text):
    nb = nbformat.from_dict(release)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = source_text
    return nb


def test_students_share_nothing_through_forked_kernels(tmp_path):
    root, _ = demo_course(tmp_path, ["fixture_lab"], course=FIXTURE)
    prepare_class(root, "fixture_lab", students={"ada"})
    release = nbformat.read(root / "release" / "fixture_lab" / "fixture_lab.ipynb", as_version=4)
    # one worker grades them in this order: a polluter, then checkers
    for student, text in (
        ("a1-polluter", POLLUTE),
        ("b1-checker", CHECK),
        ("b2-checker", CHECK),
        ("b3-checker", CHECK),
    ):
        folder = root / "submitted" / student / "fixture_lab"
        folder.mkdir(parents=True)
        nbformat.write(with_answer(release, text), folder / "fixture_lab.ipynb")
    run = grade("fixture_lab", course=root, workers=1, feedback=False, log=None)
    scores = {r.student: r.score for r in run.results}
    assert scores == {"a1-polluter": 2.0, "ada": 2.0, "b1-checker": 2.0, "b2-checker": 2.0, "b3-checker": 2.0}
    printed = {}
    for student in ("a1-polluter", "b1-checker", "b2-checker", "b3-checker"):
        nb = nbformat.read(root / "autograded" / student / "fixture_lab" / "fixture_lab.ipynb", as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        printed[student] = re.search(r"PID (\d+) RAND (\d+)", text).groups()
        assert "LEAKED True" not in text
    pids = [p for p, _ in printed.values()]
    assert len(set(pids)) == len(pids)  # a process of their own each
    rands = [r for _, r in printed.values()]
    assert len(set(rands)) == len(rands)  # and fresh randomness, not the server's


def test_honest_scores_equal_plain_nbgrader(tmp_path):
    lab = "lab2_histograms"
    honest = {"ada", "ben", "eli", "fay", "gus", "hana", "ivo", "jon", "yan"}
    root, _ = demo_course(tmp_path / "ours", [lab])
    prepare_class(root, lab, students=honest)
    plain = tmp_path / "plain"
    (plain / "source").mkdir(parents=True)
    shutil.copytree(root / "source" / lab, plain / "source" / lab)
    (plain / "nbgrader_config.py").write_text(PLAIN_CONFIG)  # nbgrader's default preprocessors
    env = nbgrader_env()
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force"],
        cwd=plain,
        env=env,
        check=True,
        capture_output=True,
    )
    shutil.copytree(root / "submitted", plain / "submitted")
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", lab, "--force"], cwd=plain, env=env, capture_output=True
    )
    run = grade(lab, course=root, workers=2, feedback=False, log=None)

    from nbgrader.api import Gradebook

    def cells(course):
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
            return {
                s: {g.name: float(g.score) for g in gb.find_submission_notebook(lab, lab, s).grades}
                for s in sorted(honest)
            }

    ours, theirs = cells(root), cells(plain)
    assert ours == theirs
    assert sum(ours["ada"].values()) > 0 and sum(ours["hana"].values()) == 0
    assert all(r.status == "graded" for r in run.results)
