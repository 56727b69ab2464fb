"""Every graded lab's headings tell the learner the truth about its points and its order.

A heading such as ``## Part 4: the decision (10 points)`` or ``### 4.1 Error share (2 points)`` promises
the points of the grading cells under it (up to the next heading of the same or a higher level); the
parts are numbered 1, 2, 3, ... in the order they appear, and the sub-parts of Part N are N.1, N.2, ...
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "grading" / "source").glob("*/*.ipynb"))
HEADING = re.compile(r"^(#{2,4})\s+(.*)$")
POINTS = re.compile(r"\((\d+) points?\b")
PART = re.compile(r"^Part (\d+)\b")
SUBPART = re.compile(r"^(\d+)\.(\d+)\b")


def sections(path):
    """[(level, title, promised points or None, points of the grading cells under it)] in notebook order."""
    found, open_ = [], []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            for section in open_:
                section[3] += meta.get("points", 0)
        if cell["cell_type"] != "markdown" or meta:
            continue
        for line in "".join(cell["source"]).splitlines():
            match = HEADING.match(line)
            if not match:
                continue
            level, title = len(match.group(1)), match.group(2).strip()
            open_ = [s for s in open_ if s[0] < level]
            promised = POINTS.search(title)
            section = [level, title, int(promised.group(1)) if promised else None, 0]
            found.append(section)
            open_.append(section)
    return found


def test_the_labs_are_found():
    assert len(LABS) >= 3, LABS


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.parent.name)
def test_each_heading_promises_the_points_of_its_cells(path):
    promised = [(title, want, got) for _, title, want, got in sections(path) if want is not None]
    assert promised, f"{path.name} has no heading that states its points"
    wrong = [(title, want, got) for title, want, got in promised if want != got]
    assert not wrong, f"{path.name}: heading says / cells give: {wrong}"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.parent.name)
def test_parts_are_numbered_in_order(path):
    parts, subparts = [], {}
    for level, title, _, _ in sections(path):
        if level == 2 and (match := PART.match(title)):
            parts.append(int(match.group(1)))
        elif level == 3 and (match := SUBPART.match(title)):
            subparts.setdefault(int(match.group(1)), []).append(int(match.group(2)))
    assert parts == list(range(1, len(parts) + 1)), f"{path.name}: parts in the order {parts}"
    for part, numbers in subparts.items():
        assert part in parts and numbers == list(range(1, len(numbers) + 1)), (path.name, part, numbers)


def test_the_check_counts_points_under_nested_headings(tmp_path):
    """The checker itself: a sub-part's points count for its part too, and a new part closes the last one."""

    def md(text, **nbgrader):
        return {"cell_type": "markdown", "metadata": {"nbgrader": nbgrader} if nbgrader else {}, "source": [text]}

    def graded(points):
        return {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "points": points}}, "source": []}

    cells = [md("## Part 1: a (3 points)\n### 1.1 b (1 point)"), graded(1), md("### 1.2 c (2 points)"), graded(2)]
    cells += [md("## Part 2: d (5 points)"), graded(4), md("## Hand in")]
    (tmp_path / "x.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")
    got = [(title.split()[0:2], want, points) for _, title, want, points in sections(tmp_path / "x.ipynb")]
    assert got == [
        (["Part", "1:"], 3, 3),
        (["1.1", "b"], 1, 1),
        (["1.2", "c"], 2, 2),
        (["Part", "2:"], 5, 4),
        (["Hand", "in"], None, 0),
    ]
