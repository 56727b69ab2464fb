"""The teacher's pipeline end to end on the fixture lab, with the real nbgrader: CLI, collection, zip_collect,
the export, manual grades kept on regrade, and the validate wrapper's exit status."""

import copy
import html
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pandas as pd
import pytest

from pageturn.grading.demo import answered
from pageturn.grading.pipeline import COURSE_ID, collect_folder, grade
from pageturn.grading.release import run_nbgrader
from pageturn.grading.validate import validate
from thiscourse import FIXTURE, ROOT

LAB = "fixture_lab"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = tmp_path_factory.mktemp("template") / "course"
    shutil.copytree(FIXTURE, root)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", root / "nbgrader_config.py")
    run_nbgrader(["generate_assignment", LAB, "--force"], root)
    return root


@pytest.fixture
def course(released, tmp_path):
    """A fresh copy of a course whose fixture lab is already released (generate_assignment runs once)."""
    root = tmp_path / "course"
    shutil.copytree(released, root)
    return root


def notebooks(root):
    source = nbformat.read(root / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / LAB / f"{LAB}.ipynb", as_version=4)
    right = answered(source, release)
    wrong = answered(source, release)
    for cell in wrong.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = "def double(x):\n    return x + 2"  # right for 2, wrong for -3 (hidden)
    return right, wrong, release


def put(root, student, nb, name=f"{LAB}.ipynb"):
    folder = root / "submitted" / student / LAB
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        (folder / name).write_bytes(nb)
    else:
        nbformat.write(nb, folder / name)


def test_cli_grades_a_class_and_prints_one_table(course):
    right, wrong, blank = notebooks(course)
    put(course, "amy", right)
    put(course, "bob", wrong)
    put(course, "cat", blank)
    put(course, "dan", b"not a notebook")
    before = (course / "submitted" / "bob" / LAB / f"{LAB}.ipynb").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "pageturn.grading", "grade", LAB, "--course", str(course)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.count("student  ") == 1  # one table
    for step in ("[1/6] release", "[4/6] autograde", "[6/6] export"):
        assert step in out
    lines = {line.split()[0]: line for line in out.splitlines() if line[:3] in ("amy", "bob", "cat", "dan")}
    assert "2 / 2" in lines["amy"] and "0 / 2" in lines["bob"] and "0 / 2" in lines["cat"]
    assert "not graded" in lines["dan"]
    table = pd.read_csv(course / f"grades_{LAB}.csv")
    assert list(table["student"]) == ["amy", "bob", "cat", "dan"]
    assert list(table["status"]) == ["graded", "graded", "graded", "not graded"]
    assert table.loc[table.student == "amy", "score"].item() == 2.0
    # the student's file is untouched; feedback exists and hides the hidden test
    assert (course / "submitted" / "bob" / LAB / f"{LAB}.ipynb").read_bytes() == before
    page = (course / "feedback" / "bob" / LAB / f"{LAB}.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "assert double(2) == 4" in text  # the visible test is shown ...
    assert "double(-3)" not in text  # ... the hidden one is not


KILL_GRADER = """
import os
def _grader():  # the nearest process above this kernel whose command line runs nbgrader
    pid = os.getppid()
    while pid > 1:
        with open(f"/proc/{{pid}}/cmdline", "rb") as fh:
            if b"nbgrader" in fh.read():
                return pid
        with open(f"/proc/{{pid}}/stat") as fh:
            pid = int(fh.read().rsplit(")", 1)[1].split()[1])
if {condition}:
    open({marker!r}, "a").close()
    os.kill(_grader(), 9)
def double(x):
    return 2 * x
"""


def killer(right, marker, *, once):
    """``right`` with an answer that kills the nbgrader process grading it: every time, or
    only the first time (the next run finds ``marker``), as a crash of the machine would."""
    nb = nbformat.from_dict(copy.deepcopy(right))
    condition = f"not os.path.exists({str(marker)!r})" if once else "True"
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = KILL_GRADER.format(condition=condition, marker=str(marker))
    return nb


def test_a_submission_that_kills_the_grader_costs_its_classmates_nothing(course, tmp_path):
    right, _, _ = notebooks(course)
    put(course, "abe", killer(right, tmp_path / "abe-killed", once=True))  # the first time only
    put(course, "amy", right)
    put(course, "bob", killer(right, tmp_path / "bob-killed", once=False))  # every time
    put(course, "cat", right)
    put(course, "eve", right)
    # two processes: abe, bob, eve in one (abe stops it first), amy and cat in the other
    run = grade(LAB, course=course, workers=2, feedback=False, log=None)
    rows = {r.student: r for r in run.results}
    assert (tmp_path / "abe-killed").exists() and (tmp_path / "bob-killed").exists()  # both really killed it
    for name in ("abe", "amy", "cat", "eve"):
        assert rows[name].status == "graded" and rows[name].score == 2.0, (name, rows[name].notes)
    for name in ("abe", "eve"):  # their first process was stopped, so graded on the second try
        assert any("second try" in n for n in rows[name].notes), rows[name].notes
    for name in ("amy", "cat"):  # their process was never stopped
        assert not any("second try" in n for n in rows[name].notes), rows[name].notes
    assert rows["bob"].status == "not graded" and rows["bob"].score is None
    assert any("stops nbgrader" in n for n in rows["bob"].notes), rows["bob"].notes
    table = pd.read_csv(course / f"grades_{LAB}.csv")
    assert list(table["status"]) == ["graded", "graded", "not graded", "graded", "graded"]
    assert "second try" in run.log.read_text()


def test_bad_arguments_exit_1_with_a_message(course):
    proc = subprocess.run(
        [sys.executable, "-m", "pageturn.grading", "grade", "no_such_lab", "--course", str(course)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "lab must be one of 'fixture_lab'" in proc.stderr
    with pytest.raises(ValueError, match="workers must be"):
        grade(LAB, course=course, workers=0, log=None)
    with pytest.raises(ValueError, match="notebook_timeout must be"):
        grade(LAB, course=course, notebook_timeout=-1, log=None)


def test_collecting_a_folder_never_overwrites_different_work_without_force(course, tmp_path):
    right, wrong, _ = notebooks(course)
    incoming = tmp_path / "incoming"
    nbformat.write(right, (incoming / "amy" / LAB).mkdir(parents=True) or incoming / "amy" / LAB / f"{LAB}.ipynb")
    put(course, "amy", wrong)
    with pytest.raises(ValueError, match="--force"):
        collect_folder(course, LAB, incoming)
    assert "x + 2" in (course / "submitted" / "amy" / LAB / f"{LAB}.ipynb").read_text()
    assert collect_folder(course, LAB, incoming, force=True) == ["amy"]
    assert "x + 2" not in (course / "submitted" / "amy" / LAB / f"{LAB}.ipynb").read_text()


def test_zip_collect_and_regrade_keep_manual_grades(course, tmp_path):
    right, wrong, _ = notebooks(course)
    zips = tmp_path / "lms"
    zips.mkdir()
    with zipfile.ZipFile(zips / "export.zip", "w") as z:
        z.writestr(f"Export-2026-03__amy_{LAB}.ipynb", nbformat.writes(right))
        z.writestr(f"folder/bo.b-2_{LAB}.ipynb", nbformat.writes(wrong))
        z.writestr("readme.txt", "ignored")
    run = grade(LAB, course=course, zip_dir=zips, log=None)
    assert {r.student: r.score for r in run.results} == {"amy": 2.0, "bo.b-2": 0.0}
    # Collecting again would replace the collected work: nbgrader refuses unless forced.
    with pytest.raises(RuntimeError, match="--force"):
        grade(LAB, course=course, zip_dir=zips, log=None)

    # A teacher's manual change survives a regrade; only the auto score is refreshed.
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        g = gb.find_grade("test_double", LAB, LAB, "bo.b-2")
        g.manual_score = 1.0
        gb.db.commit()
    run = grade(LAB, course=course, log=None)
    assert {r.student: r.score for r in run.results} == {"amy": 2.0, "bo.b-2": 1.0}


def test_validate_wrapper_fails_when_validation_fails(course, tmp_path):
    right, wrong, blank = notebooks(course)
    for name, nb in (("right", right), ("wrong", wrong), ("blank", blank)):
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    dup = nbformat.read(tmp_path / "right.ipynb", as_version=4)
    dup.cells.append(nbformat.from_dict(dict(dup.cells[2])))
    dup.cells[-1]["id"] = "dupe"
    nbformat.write(dup, tmp_path / "dup.ipynb")
    assert validate(tmp_path / "right.ipynb", course=course).ok
    dup_result = validate(tmp_path / "dup.ipynb", course=course)
    # validated as grading grades it (one copy), where nbgrader alone says "Duplicate grade id" ...
    assert dup_result.ok and "Duplicate grade id" not in dup_result.output, dup_result.output
    # ... and in the teacher's words for what grading will do with it (the same note as the report's)
    assert "cells pasted twice (one copy graded, the others ran as plain cells)" in dup_result.output
    assert not list(tmp_path.glob(".pageturn-validate-*"))  # the repaired copy is gone
    blank_dup = nbformat.read(tmp_path / "blank.ipynb", as_version=4)
    blank_dup.cells.append(nbformat.from_dict(dict(blank_dup.cells[2])))
    blank_dup.cells[-1]["id"] = "dupe"
    nbformat.write(blank_dup, tmp_path / "blank_dup.ipynb")
    blank_result = validate(tmp_path / "blank_dup.ipynb", course=course)
    assert not blank_result.ok and "cells pasted twice" in blank_result.output
    folder = tmp_path / LAB
    folder.mkdir()
    nbformat.write(right, folder / f"Copy of {LAB}.ipynb")
    renamed = validate(folder / f"Copy of {LAB}.ipynb", course=course)
    assert (
        renamed.ok
        and f"graded as {LAB}.ipynb: the folder had no {LAB}.ipynb, only 'Copy of {LAB}.ipynb'" in renamed.output
    )
    nbformat.write(blank, folder / f"{LAB} (1).ipynb")
    two = validate(folder / f"Copy of {LAB}.ipynb", course=course)
    assert not two.ok and "2 other notebooks that could be it" in two.output
    with pytest.raises(ValueError, match="path must be an existing .ipynb file"):
        validate(tmp_path / "missing.ipynb", course=course)
    cli = [sys.executable, "-m", "pageturn.grading", "validate", "--course", str(course)]
    assert subprocess.run(cli + [str(tmp_path / "blank.ipynb")], capture_output=True).returncode == 1
    assert subprocess.run(cli + [str(tmp_path / "missing.ipynb")], capture_output=True).returncode == 1
