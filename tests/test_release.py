"""`make release`: the real nbgrader makes labs/, and a learner's edits are never overwritten silently."""

import json
import shutil

import nbformat
import pytest

from gradingkit import grade_submissions, released_notebook, solution_notebook
from pageturn.grading.release import MANIFEST, ReleaseConflict, list_labs, release
from thiscourse import COURSE, FIXTURE, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def test_release_writes_the_student_version(course, tmp_path):
    out = tmp_path / "labs"
    report = release(["fixture_lab"], course=course, out=out)
    assert report.written == ["fixture_lab/fixture_lab.ipynb"]
    nb = nbformat.read(out / "fixture_lab" / "fixture_lab.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells)
    assert "raise NotImplementedError()" in source  # solution removed
    assert "return 2 * x" not in source
    assert "double(-3)" not in source  # hidden test removed
    assert "assert double(2) == 4" in source  # visible test kept
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest) == {"fixture_lab/fixture_lab.ipynb"}


def test_second_release_changes_nothing(course, tmp_path):
    out = tmp_path / "labs"
    release(["fixture_lab"], course=course, out=out)
    before = (out / "fixture_lab" / "fixture_lab.ipynb").read_bytes()
    report = release(["fixture_lab"], course=course, out=out)
    assert report.written == [] and report.unchanged == ["fixture_lab/fixture_lab.ipynb"]
    assert (out / "fixture_lab" / "fixture_lab.ipynb").read_bytes() == before


def test_release_refuses_to_overwrite_a_learners_work(course, tmp_path):
    out = tmp_path / "labs"
    release(["fixture_lab"], course=course, out=out)
    student_copy = out / "fixture_lab" / "fixture_lab.ipynb"
    nb = nbformat.read(student_copy, as_version=4)
    nb.cells[1].source = "def double(x):\n    return x + x  # my answer"
    nbformat.write(nb, student_copy)
    edited = student_copy.read_bytes()

    # The instructor changes the lab; a new release would replace the file.
    src = course / "source" / "fixture_lab" / "fixture_lab.ipynb"
    nb_src = nbformat.read(src, as_version=4)
    nb_src.cells[0].source += "\n\nNew hint: multiply by two."
    nbformat.write(nb_src, src)

    with pytest.raises(ReleaseConflict) as err:
        release(["fixture_lab"], course=course, out=out)
    assert "fixture_lab/fixture_lab.ipynb" in str(err.value)
    assert "FORCE=1" in str(err.value)
    assert student_copy.read_bytes() == edited  # nothing lost

    report = release(["fixture_lab"], course=course, out=out, force=True)
    assert report.written == ["fixture_lab/fixture_lab.ipynb"]
    assert "New hint" in student_copy.read_text()


def test_release_keeps_a_learners_own_extra_files(course, tmp_path):
    out = tmp_path / "labs"
    release(["fixture_lab"], course=course, out=out)
    notes = out / "fixture_lab" / "my_notes.txt"
    notes.write_text("mine")
    release(["fixture_lab"], course=course, out=out)
    assert notes.read_text() == "mine"


def test_unknown_lab_is_a_clear_error(course, tmp_path):
    with pytest.raises(ValueError, match="lab must be one of 'fixture_lab'; got 'nope'"):
        release(["nope"], course=course, out=tmp_path / "labs")


def test_labs_folder_is_exactly_todays_release(tmp_path):
    """labs/ in the repository is what `make release` makes from grading/source/ today."""
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course)
    for lab in COURSE.lab_names:
        shutil.copytree(
            ROOT / "grading" / "source" / lab,
            course / "source" / lab,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
        )
    out = tmp_path / "labs"
    release(course=course, out=out)
    repo_labs = ROOT / "labs"
    fresh = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    repo = {
        p.relative_to(repo_labs).as_posix(): p.read_bytes()
        for p in repo_labs.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and p.name != ".gitkeep"
    }
    if not COURSE.lab_names:
        fresh = {k: v for k, v in fresh.items() if k != MANIFEST}
    assert sorted(repo) == sorted(fresh), "run `make release` and commit labs/"
    stale = [name for name in fresh if repo[name] != fresh[name]]
    assert stale == [], f"labs/ is out of date for {stale}: run `make release`"


def test_real_nbgrader_gives_solution_full_marks_and_release_zero(tmp_path):
    results = grade_submissions(
        "fixture_lab",
        {
            "solution": solution_notebook("fixture_lab", course=FIXTURE),
            "untouched": released_notebook("fixture_lab", tmp_path, course=FIXTURE),
        },
        tmp_path,
        course=FIXTURE,
    )
    assert results["solution"]["score"] == results["solution"]["max_score"] == 2
    assert results["untouched"]["score"] == 0


def test_the_course_s_labs_are_the_manifest_s_in_its_order(tmp_path):
    """The manifest owns the lab list: a course root with course.toml beside it lists the manifest's
    labs in course order (not its folders); a course without one (a fixture, a copy) lists its folders."""
    assert list_labs(ROOT / "grading") == COURSE.lab_names
    assert list_labs(FIXTURE) == ["fixture_lab"]
    root = tmp_path / "course"
    for lab in ("b_second", "a_first", "c_draft"):
        (root / "grading" / "source" / lab).mkdir(parents=True)
    assert list_labs(root / "grading") == ["a_first", "b_second", "c_draft"]  # no manifest: the folders
    text = (ROOT / "course.toml").read_text()
    head = text[: text.index("\n[[item]]")] + "\n"
    lab = '[[item]]\nkind = "lab"\nname = "{}"\ntitle = "Lab {} · x"\nsummary = "x"\nminutes = 5\npoints = 1\n'
    (root / "course.toml").write_text(head + lab.format("b_second", 1) + lab.format("a_first", 2))
    assert list_labs(root / "grading") == ["b_second", "a_first"]  # a draft folder is not a lab yet
    (root / "course.toml").write_text(head + lab.format("b_second", 1) + lab.format("d_missing", 2))
    with pytest.raises(FileNotFoundError, match="d_missing is listed in course.toml but .*missing"):
        release(["d_missing"], course=root / "grading", out=root / "labs")
