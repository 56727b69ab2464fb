"""Run the real nbgrader on a temporary copy of the course, for tests.

    released_notebook(lab, tmp_path) -> NotebookNode       # the untouched student version
    solution_notebook(lab) -> NotebookNode                 # the instructor version
    grade_submissions(lab, {"alice": nb_or_path, ...}, tmp_path) -> {student: result}

Each result is ``{"score": float, "max_score": float, "by_cell": {grade_id: (score, max_score)},
"needs_manual_grade": bool}``, where ``score``/``max_score``/``by_cell`` cover the
autograded cells only (manually graded answers have no score until a teacher gives one).
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import nbformat

from pageturn.course import manifest
from pageturn.grading.release import run_nbgrader
from thiscourse import ROOT

COURSE = ROOT / "grading"


def course_copy(tmp_path: Path, lab: str, *, course: Path = COURSE) -> Path:
    """Copy the nbgrader config and ``source/<lab>`` under ``tmp_path``; return the course root.

    The labs' datasets are found in this checkout (:func:`pageturn.course.data.folder`)."""
    root = Path(tmp_path) / "course"
    if not (root / "source" / lab).is_dir():
        (root / "source").mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")  # always the real config
        shutil.copytree(
            course / "source" / lab, root / "source" / lab, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    return root


def released_notebook(lab: str, tmp_path: Path, *, course: Path = COURSE) -> nbformat.NotebookNode:
    """Generate the student version of ``lab`` with nbgrader and return its notebook."""
    root = course_copy(tmp_path, lab, course=course)
    released = root / "release" / lab / f"{lab}.ipynb"
    if not released.exists():
        run_nbgrader(["generate_assignment", lab, "--force"], root)
    return nbformat.read(released, as_version=4)


def solution_notebook(lab: str, *, course: Path = COURSE) -> nbformat.NotebookNode:
    """The instructor notebook of ``lab`` (solutions included)."""
    return nbformat.read(course / "source" / lab / f"{lab}.ipynb", as_version=4)


def grade_submissions(lab: str, submissions: dict, tmp_path: Path, *, course: Path = COURSE) -> dict:
    """Autograde ``submissions`` (student id → notebook or path) with the real nbgrader."""
    from nbgrader.api import Gradebook

    root = course_copy(tmp_path, lab, course=course)
    if not (root / "release" / lab).exists():
        run_nbgrader(["generate_assignment", lab, "--force"], root)
    for student, nb in submissions.items():
        folder = root / "submitted" / student / lab
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, (str, Path)):
            shutil.copy(nb, folder / f"{lab}.ipynb")
        else:
            nbformat.write(nb, folder / f"{lab}.ipynb")
    run_nbgrader(["autograde", lab, "--force"], root)

    results = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=manifest.course_id()) as gb:
        for student in submissions:
            sub = gb.find_submission_notebook(lab, lab, student)
            by_cell, score, max_score, manual = {}, 0.0, 0.0, False
            for grade in sub.grades:
                if grade.auto_score is None and grade.cell.cell_type == "markdown":
                    manual = True
                    continue
                s = float(grade.score or 0.0)
                by_cell[grade.name] = (s, float(grade.max_score))
                score += s
                max_score += float(grade.max_score)
            results[student] = {
                "score": score,
                "max_score": max_score,
                "by_cell": by_cell,
                "needs_manual_grade": manual or bool(sub.needs_manual_grade),
            }
    return results


# --- Building submissions from the solution and the release -----------------------------

_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def grade_id(cell) -> str | None:
    """The nbgrader grade_id of ``cell``, or None for a cell without one."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def answer_cells(nb) -> dict:
    """The autograded answer cells of ``nb`` (code cells marked as solutions), by grade_id."""
    return {
        grade_id(c): c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def solution_answers(lab: str, *, course: Path = COURSE) -> dict:
    """The instructor's code for each answer cell of ``lab``, by grade_id, without the solution markers."""
    return {
        gid: _SOLUTION_MARKERS.sub("", cell.source)
        for gid, cell in answer_cells(solution_notebook(lab, course=course)).items()
    }


def fill_answers(released, answers: dict, written: str | None = None):
    """A copy of the released notebook with the answer cells in ``answers`` (by grade_id) replaced,
    and, if ``written`` is given, the manually graded written answer filled in with it."""
    nb = nbformat.from_dict(copy.deepcopy(released))
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in answers:
            cell.source = answers[gid].strip("\n")
        elif written is not None and cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = written
    return nb


# --- What the lab tests share: hostile answers, the four submissions, the checks on a release ---

_ALWAYS_EQUAL_METHODS = '''
    """Claims to equal, and to be bigger and smaller than, anything; arithmetic on it gives itself."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __bool__(self): return True
    def __float__(self): return 0.0
    def __hash__(self): return 0
    def __format__(self, spec): return "anything"
    def __sub__(self, other): return self
    def __rsub__(self, other): return self
    def __mul__(self, other): return self
    def __rmul__(self, other): return self
    def __len__(self): return 2
    def __iter__(self): return iter([{name}(), {name}()])
    def __getitem__(self, key): return {name}()
'''


def always_equal(name: str = "AlwaysEqual", base: str = "object") -> str:
    """Source of a class ``name`` (subclassing ``base``) whose instances claim to equal anything.

    A cheat's answer cell starts with it; with ``base="float"`` the cheat even passes an
    ``isinstance(x, numbers.Real)`` check, so only a numeric comparison can catch it.
    """
    return f"\nclass {name}({base}):" + _ALWAYS_EQUAL_METHODS.replace("{name}", name)


def cheat_answers(bodies: dict, name: str = "AlwaysEqual", base: str = "object") -> dict:
    """Answer cells (grade_id → code) that each define the always-equal class, then ``bodies[grade_id]``."""
    cls = always_equal(name, base)
    return {gid: cls + "\n" + body.lstrip("\n") for gid, body in bodies.items()}


def standard_submissions(released, answers: dict, *, wrong: dict, cheat: dict, written: str) -> dict:
    """The four submissions every lab is graded with: the instructor's ``answers``, the untouched
    release, ``answers`` with the ``wrong`` cells swapped in, and ``answers`` with the ``cheat``
    cells swapped in (the untouched cells keep their imports); each with ``written`` as its note."""
    return {
        "solution": fill_answers(released, answers, written=written),
        "untouched": released,
        "wrong": fill_answers(released, {**answers, **wrong}, written=written),
        "cheat": fill_answers(released, {**answers, **cheat}, written=written),
    }


def points_by_test(nb) -> dict:
    """Points of each autograded test cell of ``nb``, by grade_id."""
    return {
        grade_id(c): c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    }


def manual_cells(nb) -> list:
    """The written answers of ``nb`` that a teacher grades by hand (graded markdown cells)."""
    return [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]


def released_text(released) -> str:
    """All the sources of a released notebook, one string; fails if a solution or a hidden test shows."""
    text = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    return text


def assert_navigation(nb, previous: str, following: str | None = None) -> None:
    """The first and last cells of ``nb`` link to the start page, ``previous`` and (if given) ``following``."""
    for cell in (nb.cells[0], nb.cells[-1]):
        assert "[⌂ Start](../../notebooks/00_start.ipynb)" in cell.source
        assert f"[← Previous](../../notebooks/{previous})" in cell.source
        if following is not None:
            assert f"[Next →](../../notebooks/{following})" in cell.source


def lab_fixtures(lab: str, *, wrong: dict, cheat: dict, written: str):
    """The module fixtures ``released`` and ``graded`` of a lab's test file:

        released, graded = gradingkit.lab_fixtures(LAB, wrong=WRONG, cheat=CHEAT, written="...")

    ``released`` is the untouched student version; ``graded`` the real nbgrader's results
    (as :func:`grade_submissions`) for the four :func:`standard_submissions`, graded in one run."""
    import pytest

    @pytest.fixture(scope="module")
    def released(tmp_path_factory):
        return released_notebook(lab, tmp_path_factory.mktemp(f"{lab}-release"))

    @pytest.fixture(scope="module")
    def graded(tmp_path_factory, released):
        submissions = standard_submissions(released, solution_answers(lab), wrong=wrong, cheat=cheat, written=written)
        return grade_submissions(lab, submissions, tmp_path_factory.mktemp(f"{lab}-grade"))

    return released, graded


def assert_full_marks(result: dict, points: dict) -> None:
    """Every autograded cell of ``result`` has all its ``points`` (grade_id → points), and a
    written answer waits for the teacher."""
    assert result["by_cell"] == {gid: (float(p), float(p)) for gid, p in points.items()}, result["by_cell"]
    assert result["score"] == result["max_score"] == sum(points.values())
    assert result["needs_manual_grade"]


def assert_scores_zero(result: dict) -> None:
    """``result`` scores 0 in every cell it was graded on."""
    assert result["score"] == 0, result["by_cell"]
    assert all(score == 0 for score, _ in result["by_cell"].values()), result["by_cell"]


def assert_test_cells_hold_hidden_tests(nb) -> None:
    """Every autograded test cell of the instructor notebook ``nb`` has hidden tests and
    greets a right answer with a line starting with ✓."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source, grade_id(cell)
            assert 'print("✓' in cell.source or 'print(f"✓' in cell.source, grade_id(cell)


def hidden_test_lines(source_nb, min_chars: int, visible: str = "") -> list[str]:
    """Lines inside the ``### BEGIN/END HIDDEN TESTS`` markers of an instructor notebook that are
    telling enough to look for in what a student sees: at least ``min_chars`` characters, not a
    comment, and not also in ``visible`` (e.g. the released notebook's text)."""
    out = []
    for cell in source_nb.cells:
        inside = False
        for line in cell.source.splitlines():
            s = line.strip()
            if s == "### BEGIN HIDDEN TESTS":
                inside = True
            elif s == "### END HIDDEN TESTS":
                inside = False
            elif inside and len(s) >= min_chars and not s.startswith("#") and s not in visible:
                out.append(s)
    return out


def pasted_twice(nb):
    """A copy of ``nb`` with its first test cell pasted again just below it (with a new cell id,
    as Jupyter gives a pasted cell): two cells with one grade id."""
    nb = nbformat.from_dict(copy.deepcopy(nb))
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    twin = copy.deepcopy(nb.cells[index])
    twin["id"] = "pasted-twin"
    nb.cells.insert(index + 1, twin)
    return nb
