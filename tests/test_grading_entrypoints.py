"""One mechanism, every entry point: the hostile class of the fixture lab graded three ways with the real
nbgrader — the pipeline (`make grade`), plain `nbgrader autograde LAB` typed in the course folder, and
nbgrader's API exactly as the formgrader's Autograde button calls it — gets the same per-cell scores and
the same notes (the defences are registered once, in grading/nbgrader_config.py)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pageturn.grading import notes
from pageturn.grading.demo import demo_course, prepare_class
from pageturn.grading.pipeline import COURSE_ID, grade
from pageturn.grading.release import nbgrader_env
from thiscourse import FIXTURE

LAB = "fixture_lab"
BUDGET = 10  # seconds per notebook here (the endless loops cost this much each, per entry point)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-entrypoints")]

# The formgrader's Autograde button: AutogradeHandler → NbGraderAPI(coursedir, parent=app).autograde(lab, student),
# with the config the formgrader loads (nbgrader_config.py of the course root).
FORMGRADER = f"""
import json, sys
from nbgrader.apps.api import NbGraderAPI
from nbgrader.apps.baseapp import NbGrader
from nbgrader.coursedir import CourseDirectory
app = NbGrader()
app.load_config_file()
app.config.BudgetedExecute.notebook_timeout = {BUDGET}
coursedir = CourseDirectory(parent=app)
api = NbGraderAPI(coursedir, parent=app)
out = {{s: api.autograde("{LAB}", s)["success"] for s in sys.argv[1:]}}
print(json.dumps(out))
"""


def scores(root: Path, students) -> dict:
    """{student: ({grade_id: score}, notes)} for each student with an autograded notebook."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        for student in students:
            path = root / "autograded" / student / LAB / f"{LAB}.ipynb"
            if not path.is_file():
                continue
            try:
                sub = gb.find_submission_notebook(LAB, LAB, student)
            except MissingEntry:
                continue
            out[student] = ({g.name: float(g.score) for g in sub.grades}, sorted(notes.read(path)))
    return out


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory):
    base = tmp_path_factory.mktemp("entry")
    root, _ = demo_course(base / "pipeline", [LAB], course=FIXTURE)
    subs = prepare_class(root, LAB, flood_lines=60_000)  # still more than the 200 000-character cap
    students = sorted(subs)
    copies = {}
    for way in ("cli", "formgrader"):
        copies[way], _ = demo_course(base / way, [LAB], course=FIXTURE)
        shutil.copytree(root / "submitted", copies[way] / "submitted")
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", LAB, "--force"],
            cwd=copies[way],
            env=nbgrader_env(),
            check=True,
            capture_output=True,
        )
    before = {p: p.read_bytes() for p in (root / "submitted").rglob("*") if p.is_file()}

    run = grade(LAB, course=root, notebook_timeout=BUDGET, workers=2, feedback=False, log=None)
    cli = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", LAB, "--force", f"--BudgetedExecute.notebook_timeout={BUDGET}"],
        cwd=copies["cli"],
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    fg = subprocess.run(
        [sys.executable, "-c", FORMGRADER, *students],
        cwd=copies["formgrader"],
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    assert fg.returncode == 0, fg.stderr[-3000:]
    return {
        "subs": subs,
        "run": run,
        "rows": {r.student: r for r in run.results},
        "before": before,
        "root": root,
        "cli_log": cli.stdout + cli.stderr,
        "pipeline": scores(root, students),
        "cli": scores(copies["cli"], students),
        "formgrader": scores(copies["formgrader"], students),
        "fg_success": json.loads(fg.stdout.strip().splitlines()[-1]),
    }


def test_every_entry_point_gives_the_same_scores_and_notes(three_ways):
    ours = three_ways["pipeline"]
    assert set(ours) == {r.student for r in three_ways["run"].results if r.status == "graded"}
    for way in ("cli", "formgrader"):
        theirs = three_ways[way]
        assert sorted(theirs) == sorted(ours), way
        for student in ours:
            assert theirs[student] == ours[student], (way, student)


def test_the_defences_held_at_every_entry_point(three_ways):
    ours = three_ways["pipeline"]
    full = sum(ours["ada"][0].values())
    assert full > 0
    assert sum(ours["lea"][0].values()) == full  # duplicated cells: graded, not a crash
    assert sum(ours["vic"][0].values()) == full  # renamed copy: graded as the lab
    assert any("graded as fixture_lab.ipynb" in n and "Copy of fixture_lab.ipynb" in n for n in ours["vic"][1])
    for student in ("hana", "kai", "mo", "nia", "sol", "tom", "wes", "yan", "omar", "pia", "quin", "rosa"):
        assert sum(ours[student][0].values()) == 0, student
    assert any("time budget" in n for n in ours["omar"][1])
    # broken files and an ambiguous folder: no grade anywhere, and the pipeline says why
    for student in ("uma", "xia", "zed"):
        assert student not in ours and student not in three_ways["cli"] and student not in three_ways["formgrader"]
        assert three_ways["rows"][student].notes[0].startswith("not graded")
    assert "'Copy of fixture_lab.ipynb', 'fixture_lab (1).ipynb'" in "; ".join(three_ways["rows"]["zed"].notes)
    assert "2 other notebooks that could be it" in three_ways["cli_log"]  # the teacher's words, in nbgrader's log
    assert three_ways["fg_success"]["lea"] and three_ways["fg_success"]["vic"]


def test_no_entry_point_changes_the_students_files(three_ways):
    after = {p: p.read_bytes() for p in (three_ways["root"] / "submitted").rglob("*") if p.is_file()}
    assert after == three_ways["before"]
