"""The learner's self-check: pass/fail per part from the real autograder, no hidden test code, file untouched."""

import hashlib
import shutil
from pathlib import Path

import nbformat
import pytest

from pageturn.grading.demo import answered
from pageturn.grading.release import run_nbgrader
from pageturn.grading.selfcheck import check
from thiscourse import FIXTURE, ROOT

LAB = "fixture_lab"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


@pytest.fixture
def course(tmp_path):
    """A course root of its own: ``repo/course.toml`` lists the fixture lab, ``repo/grading/`` holds it."""
    root = tmp_path / "repo" / "grading"
    shutil.copytree(FIXTURE, root)
    text = (ROOT / "course.toml").read_text()
    (root.parent / "course.toml").write_text(
        text[: text.index("\n[[item]]")]
        + '\n[[item]]\nkind = "lab"\nname = "fixture_lab"\ntitle = "Lab 1 · Fixture"\nsummary = "x"\n'
        + "minutes = 5\npoints = 2\n"
    )
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", root / "nbgrader_config.py")
    run_nbgrader(["generate_assignment", LAB, "--force"], root)
    return root


def learner_copy(course, tmp_path, solved: bool) -> Path:
    source = nbformat.read(course / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / LAB / f"{LAB}.ipynb", as_version=4)
    nb = answered(source, release) if solved else release
    if not solved:
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                cell.source = "def double(x):\n    return x + 2"  # passes the visible test only
    folder = course.parent / "labs" / LAB
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LAB}.ipynb"
    nbformat.write(nb, path)
    return path


def test_check_from_the_lab_folder_shows_pass_and_fail_only(course, tmp_path, monkeypatch):
    path = learner_copy(course, tmp_path, solved=False)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.chdir(path.parent)  # a notebook's kernel runs in its folder
    result = check()  # the lab is found from the folder's name
    assert result.lab == LAB
    assert [(p.state, p.points) for p in result.parts] == [("fail", 0.0)]
    shown = repr(result) + result._repr_html_()
    assert "double(-3)" not in shown and "-6" not in shown and "return 2 * x" not in shown
    assert "✗" in shown
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # the learner's file is untouched
    assert not list(path.parent.glob("*.html"))  # and nothing was added beside it


def test_check_passes_a_right_answer(course, tmp_path):
    path = learner_copy(course, tmp_path, solved=True)
    result = check(LAB, notebook=path, course=course)
    assert [p.state for p in result.parts] == ["pass"]
    assert result.score == result.max_score == 2.0
    # how long the lab's own cells ran, part of the check's time (make bench's limit row)
    assert result.cells_seconds is not None and 0 < result.cells_seconds < result.seconds


def test_bad_lab_name_raises_value_error(course, tmp_path):
    with pytest.raises(ValueError, match="lab must be one of 'fixture_lab'"):
        check("lab9", course=course)
    with pytest.raises(ValueError, match="notebook must be an existing .ipynb file"):
        check(LAB, notebook=tmp_path / "nope.ipynb", course=course)


def test_check_does_nothing_inside_nbgrader(course, tmp_path, monkeypatch, capsys):
    path = learner_copy(course, tmp_path, solved=True)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert check(LAB, notebook=path, course=course) is None
    assert "skipped" in capsys.readouterr().out


@pytest.mark.parametrize(
    "lab, course, students",
    [
        (
            LAB,
            FIXTURE,
            {"ada", "eli", "hana", "jon", "kai", "lea", "mo", "nia", "quin", "sol", "tom", "vic", "wes", "yan"},
        ),
        ("lab2_histograms", ROOT / "grading", {"ada", "fay", "hana", "lea", "sol", "tom"}),
    ],
)
def test_check_gives_the_teachers_results_part_by_part(tmp_path, lab, course, students):
    from nbgrader.api import Gradebook

    from pageturn.grading.demo import demo_course, prepare_class
    from pageturn.grading.pipeline import COURSE_ID, grade

    root, _ = demo_course(tmp_path, [lab], course=course)
    subs = prepare_class(root, lab, students=students, flood_lines=1000)
    run = grade(lab, course=root, workers=2, feedback=False, log=None)
    assert all(r.status == "graded" for r in run.results)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        teacher = {
            s: {
                g.name: float(g.score)
                for g in gb.find_submission_notebook(lab, lab, s).grades
                if g.cell.cell_type == "code"
            }
            for s in students
        }
    for student in sorted(students):
        folder = root / "submitted" / student / lab
        (path,) = folder.glob("*.ipynb")  # vic's is a renamed copy
        result = check(lab, notebook=path, course=root)
        mine = {p.title.rsplit("[", 1)[1].rstrip("]"): p.points for p in result.parts if p.points is not None}
        assert mine == teacher[student], (student, subs[student].kind)
