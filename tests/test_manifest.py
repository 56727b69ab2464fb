"""The course manifest (course.toml) is the one owner of the course's list, order, id, points and times.

If one of these fails, the message says which notebook or config disagrees; `make nav` fixes the
navigation lines and the start page's list.
"""

import re
import shutil

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

import coursechecks
from pageturn.course import manifest, nav
from thiscourse import ROOT

COURSE = manifest.load(ROOT / "course.toml")


def test_manifest_lists_every_lesson_and_lab_there_is():
    lessons = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")} - {COURSE.start}
    assert {i.path for i in COURSE.lessons} == lessons
    sources = {p.name for p in (ROOT / "grading" / "source").iterdir() if p.is_dir()}
    released = {p.name for p in (ROOT / "labs").iterdir() if p.is_dir()}
    assert set(COURSE.lab_names) == sources == released
    for item in COURSE.items:
        assert (ROOT / item.path).is_file(), item.path


def test_navigation_and_start_page_agree_with_the_manifest():
    stale = [str(path.relative_to(ROOT)) for path, _ in nav.plan(COURSE, ROOT)]
    assert stale == [], f"these notebooks disagree with course.toml; run `make nav`: {stale}"


@pytest.mark.parametrize("lab", COURSE.labs, ids=lambda i: i.key)
def test_released_lab_carries_the_same_navigation_as_its_source(lab):
    source = nbformat.read(ROOT / lab.source, as_version=4)
    released = nbformat.read(ROOT / lab.path, as_version=4)
    for end in (0, -1):
        assert released.cells[end].source == source.cells[end].source == nav.nav_cell(COURSE, lab), (
            "run `make nav` (it releases the labs too)"
        )


@pytest.mark.parametrize("lab", COURSE.labs, ids=lambda i: i.key)
def test_lab_points_are_the_points_of_its_graded_cells(lab):
    nb = nbformat.read(ROOT / lab.source, as_version=4)
    points = sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells)
    assert points == lab.points, f"{lab.source} has {points} points; course.toml says {lab.points}"


@pytest.mark.parametrize("item", COURSE.items, ids=lambda i: i.key)
def test_no_notebook_states_a_time_other_than_the_manifests(item):
    nb = nbformat.read(ROOT / (item.source or item.path), as_version=4)
    # "It takes about N minutes" (or "N to M minutes"): the item's own time, which only course.toml may set.
    stated = coursechecks.stated_times(item, nb)
    assert stated <= {str(item.minutes)}, f"{item.path} says it takes {stated} minutes; course.toml says {item.minutes}"


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda i: i.key)
def test_each_lesson_passes_the_lesson_checks(lesson):
    """Its quiz (named here, loading, shown), its four-part shape, navigation, time and storage
    (tests/coursechecks.py: the same checks a new lesson must pass)."""
    assert coursechecks.lesson_problems(ROOT, COURSE, lesson) == []


@pytest.mark.parametrize("config", ["grading/nbgrader_config.py"])  # the hub-wide config sets no id
def test_nbgrader_configs_use_the_manifests_course_id(config):
    path = ROOT / config
    loaded = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    assert loaded.CourseDirectory.course_id == COURSE.id


def test_the_hub_s_example_class_list_names_this_course_as_the_hub_lays_it_out():
    """grading/jupyterhub/courses.example.json (PAGETURN_HUB_COURSES's format) starts with this course:
    the manifest's id, and the root the hub's prepare makes (~grader-<id>/pageturn/grading)."""
    import json

    listed = json.loads((ROOT / "grading" / "jupyterhub" / "courses.example.json").read_text())
    ours = listed[0]
    assert ours["id"] == COURSE.id
    assert ours["root"] == f"/home/grader-{COURSE.id}/pageturn/grading"
    assert len({k["id"] for k in listed}) == len(listed) and len({k["port"] for k in listed}) == len(listed)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "a [course] table"),
        ('[course]\nid = "x"\ntitle = "t"\nstart = "s"\n', "no [[item]]"),
        ('[course]\nid = "x"\ntitle = "t"\nstart = "s"\n[[item]]\nkind = "talk"\n', "kind must be one of"),
        (
            '[course]\nid = "x"\ntitle = "t"\nstart = "s"\n[[item]]\nkind = "lesson"\ntitle = "L"\nsummary = "s"\n'
            'minutes = 0\npath = "notebooks/01_a.ipynb"\n',
            "minutes must be between 1 and 300; got 0",
        ),
        (
            '[course]\nid = "x"\ntitle = "t"\nstart = "s"\n[[item]]\nkind = "lab"\ntitle = "L"\nsummary = "s"\n'
            'minutes = 5\nname = "lab1"\npoints = "ten"\n',
            "points must be a positive number; got 'ten'",
        ),
        (
            '[course]\nid = "x"\ntitle = "t"\nstart = "s"\n[[item]]\nkind = "lesson"\ntitle = "L"\nsummary = "s"\n'
            "minutes = 5\n",
            "path is missing",
        ),
    ],
)
def test_a_broken_manifest_names_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        manifest.parse(text)


def test_lab_lookup_names_the_labs_there_are():
    assert COURSE.lab(COURSE.lab_names[0]).key == COURSE.lab_names[0]
    with pytest.raises(ValueError, match="lab must be one of .*got 'lab9'"):
        COURSE.lab("lab9")


def test_one_finder_of_the_course_root(tmp_path, monkeypatch):
    """manifest.root: a start folder (the self-check's notebook) first, then PAGETURN_ROOT, then the
    current folder and those above it; an error names every place it looked."""
    mine, other = tmp_path / "mine", tmp_path / "other"
    for folder in (mine, other):
        (folder / "labs" / "lab1").mkdir(parents=True)
        shutil.copyfile(ROOT / "course.toml", folder / "course.toml")
    monkeypatch.chdir(other / "labs" / "lab1")
    monkeypatch.delenv("PAGETURN_ROOT", raising=False)
    assert manifest.root() == other
    assert manifest.root(start=mine / "labs" / "lab1") == mine
    monkeypatch.setenv("PAGETURN_ROOT", str(mine))
    assert manifest.root() == mine
    assert manifest.root(start=other / "labs") == other
    (mine / "course.toml").unlink()
    assert manifest.root() == other  # a PAGETURN_ROOT without course.toml is passed over
    monkeypatch.setattr(manifest, "__file__", str(tmp_path / "site" / "pageturn" / "course" / "manifest.py"))
    (other / "course.toml").unlink()
    with pytest.raises(FileNotFoundError, match=f"looked in: {re.escape(str(mine))}, .*{re.escape(str(other))}"):
        manifest.root()


def test_the_start_page_s_title_is_the_manifest_s(tmp_path):
    start = nbformat.read(ROOT / COURSE.start, as_version=4)
    assert start.cells[1].source.split("\n")[0] == f"# {COURSE.title}"
    (tmp_path / "notebooks").mkdir()
    shutil.copyfile(ROOT / COURSE.start, tmp_path / COURSE.start)
    for item in COURSE.items:  # nav plans every item: give it the real notebooks
        (tmp_path / (item.source or item.path)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / (item.source or item.path), tmp_path / (item.source or item.path))
    renamed = manifest.parse((ROOT / "course.toml").read_text().replace(COURSE.title, "Pageturn: A New Name", 1))
    ((path, nb),) = nav.plan(renamed, tmp_path)
    assert path == tmp_path / COURSE.start
    assert nb.cells[1].source == start.cells[1].source.replace(f"# {COURSE.title}", "# Pageturn: A New Name", 1)


NEW_QUIZ = """title = "Knowledge check: something new"

[[questions]]
id = "who-runs-it"
stem = "Who runs Pageturn in production?"
answers = ["b"]

  [[questions.choices]]
  id = "a"
  text = "Maya"
  feedback = "Maya builds Pageturn's code; running it is the other job."

  [[questions.choices]]
  id = "b"
  text = "Sam"
  feedback = "Yes: Sam keeps it running."
"""


def _new_lesson():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    return nbformat.v4.new_notebook(
        cells=[
            md("# Lesson 9 · Something new"),
            md("## What you will be able to do\n\n- say who runs Pageturn"),
            md("## The idea\n\nMaya builds Pageturn; Sam runs it."),
            code("from pageturn import simulate\n\nsimulate(weeks=4, seed=1).summary"),
            md("## Check your understanding"),
            code('from pageturn.lessons.quiz import show_quiz\n\nshow_quiz("09_new")'),
        ]
    )


def test_adding_a_lesson_is_a_notebook_a_quiz_file_one_manifest_entry_and_make_nav(tmp_path):
    """CONTRIBUTING's recipe, in a copy of the course: one manifest entry, the notebook, its quiz
    file, `make nav`; then the new lesson passes every check the suite runs on a lesson."""
    for part in ("notebooks", "grading/source", str(coursechecks.QUIZZES)):
        shutil.copytree(ROOT / part, tmp_path / part)
    text = (ROOT / "course.toml").read_text() + (
        '\n[[item]]\nkind = "lesson"\npath = "notebooks/09_new.ipynb"\ntitle = "Lesson 9 · Something new"\n'
        'summary = "A new idea."\nminutes = 20\nquiz = "09_new"\n'
    )
    (tmp_path / "course.toml").write_text(text)
    nbformat.write(_new_lesson(), tmp_path / "notebooks" / "09_new.ipynb")
    quiz = tmp_path / coursechecks.QUIZZES / "09_new.toml"
    quiz.write_text(NEW_QUIZ.replace('  feedback = "Maya builds', '  # feedback = "Maya builds'))
    course = manifest.load(tmp_path / "course.toml")
    lesson = course.lessons[-1]
    before = coursechecks.lesson_problems(tmp_path, course, lesson)
    assert any("navigation line" in p for p in before) and any("feedback" in p for p in before), before

    quiz.write_text(NEW_QUIZ)
    for path, changed in nav.plan(course, tmp_path):  # make nav
        nbformat.write(changed, path)
    assert nav.plan(course, tmp_path) == []
    assert coursechecks.lesson_problems(tmp_path, course, lesson) == []
    for other in course.lessons:
        assert coursechecks.lesson_problems(tmp_path, course, other) == [], other.key
    on_disk = {p.relative_to(tmp_path).as_posix() for p in (tmp_path / "notebooks").glob("*.ipynb")}
    assert {i.path for i in course.lessons} == on_disk - {course.start}
    new = nbformat.read(tmp_path / "notebooks" / "09_new.ipynb", as_version=4)
    assert "[Back to the start →](00_start.ipynb)" in new.cells[0].source
    start = nbformat.read(tmp_path / course.start, as_version=4)
    assert "[Lesson 9 · Something new](09_new.ipynb)" in "".join(c.source for c in start.cells)
    last_lab = nbformat.read(tmp_path / course.labs[-1].source, as_version=4)
    assert "[Next →](../../notebooks/09_new.ipynb)" in last_lab.cells[0].source
