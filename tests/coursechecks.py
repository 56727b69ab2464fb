"""The checks every lesson must pass, as functions of a course root and its manifest.

The suite runs them on the course's own lessons (tests/test_manifest.py), and the add-a-lesson test
runs the very same checks on a new lesson in a temporary course: one notebook, one quiz file, one
manifest entry and ``make nav`` are all a lesson needs.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from pageturn.course import manifest, nav
from pageturn.course.nbtools import stored_clean

QUIZZES = Path("src") / "pageturn" / "lessons" / "quizzes"
"""Where a course keeps its quiz files, from its root."""
FIRST_PART = "## What you will be able to do"


def stated_times(item: manifest.Item, nb) -> set[str]:
    """The times a notebook states for itself ("takes about N minutes"), which only the manifest may set."""
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return set(re.findall(r"takes about (\d+(?: to \d+)?) minutes", text, flags=re.I))


def lesson_problems(root: Path, course: manifest.Course, lesson: manifest.Item) -> list[str]:
    """What is wrong with ``lesson`` (an empty list when nothing is): its quiz (named in the manifest,
    a quiz file that loads, every wrong choice explained, shown at the end), its four-part shape
    (what you will be able to do, Maya and Sam, something to run, the quiz), its navigation lines,
    its stated time, and how it is stored (no outputs, no nbgrader metadata)."""
    from pageturn.lessons.quiz import load_quiz

    problems = []
    path = root / lesson.path
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    if not lesson.quiz:
        problems.append(f"{lesson.path} has no quiz in course.toml")
    else:
        quiz = root / QUIZZES / f"{lesson.quiz}.toml"
        try:
            load_quiz(str(quiz))  # every question needs a right choice, every wrong one its feedback
        except (ValueError, FileNotFoundError) as error:
            problems.append(f"{quiz.relative_to(root)}: {error}")
        if f'show_quiz("{lesson.quiz}"' not in code:
            problems.append(f"{lesson.path} does not show quiz {lesson.quiz!r}")
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    if not headings or headings[0] != FIRST_PART:
        problems.append(f"{lesson.path}: its first part must be {FIRST_PART!r}; found {headings[:1]}")
    for person in ("Maya", "Sam"):
        if person not in markdown:
            problems.append(f"{lesson.path} never mentions {person}")
    if not code.strip():
        problems.append(f"{lesson.path} has nothing to run")
    for end in (0, -1):
        if nb.cells[end].source != nav.nav_cell(course, lesson):
            problems.append(f"{lesson.path}: cell {end} is not its navigation line (run `make nav`)")
    if stated_times(lesson, nb) - {str(lesson.minutes)}:
        problems.append(f"{lesson.path} states a time other than the manifest's {lesson.minutes} minutes")
    if stored_clean(nb):
        problems.append(f"{lesson.path} is stored with outputs: {stored_clean(nb)}")
    if any("nbgrader" in c.get("metadata", {}) for c in nb.cells):
        problems.append(f"{lesson.path} carries nbgrader metadata")
    return problems
