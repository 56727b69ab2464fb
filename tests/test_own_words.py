"""The course teaches the source material's ideas in its own words (BRIEF): names and facts carry over,
sentences do not. No lesson, lab source or quiz shares a run of eight or more words with the documents in
``../shared/source-material/``."""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT.parent / "shared" / "source-material").glob("*.txt"))
RUN = 8
COURSE = [
    *sorted((ROOT / "notebooks").glob("*.ipynb")),
    *sorted((ROOT / "grading" / "source").glob("*/*.ipynb")),
    *sorted((ROOT / "src" / "pageturn" / "lessons" / "quizzes").glob("*.toml")),
]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def runs(ws: list[str]) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + RUN]) for i in range(len(ws) - RUN + 1)}


@cache
def copied() -> frozenset:
    return frozenset().union(*(runs(words(p.read_text(encoding="utf-8"))) for p in SOURCES))


def text_of(path: Path) -> str:
    """What a learner reads in ``path``: every cell of a notebook, every string of a quiz file."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return "\n".join("".join(c["source"]) for c in json.loads(raw)["cells"])
    strings = []

    def walk(value):
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(tomllib.loads(raw))
    return "\n".join(strings)


def test_every_kind_of_course_file_is_checked():
    """Lessons (the start page too), every lab's source and every quiz file are in the list."""
    rel = [p.relative_to(ROOT).parts for p in COURSE]
    assert sum(parts[0] == "notebooks" for parts in rel) >= 5
    assert sum(parts[0] == "grading" for parts in rel) >= 4
    assert sum(parts[-1].endswith(".toml") for parts in rel) >= 4


def test_the_check_finds_a_copied_run():
    """The checker itself: eight words in a row shared with a text are found, seven are not."""
    source = runs(words("One Two three four five six seven eight nine."))
    assert runs(words("x one two three four five six seven eight y")) & source
    assert not runs(words("x one two three four five six seven y eight")) & source


@pytest.mark.parametrize("path", COURSE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_run_of_eight_words_is_copied_from_the_source(path):
    if not SOURCES:
        pytest.skip("the source material is not next to this checkout")
    shared = runs(words(text_of(path))) & copied()
    assert not shared, f"{path.relative_to(ROOT)} copies from the source: {' '.join(sorted(shared)[0])!r}"
