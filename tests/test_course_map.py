"""The start page lists every lesson and lab, in order, and every link in the course leads somewhere."""

import re
from urllib.parse import unquote

import nbformat
import pytest

from thiscourse import ROOT

START = ROOT / "notebooks" / "00_start.ipynb"
LESSONS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if p != START)
LABS = sorted((ROOT / "labs").glob("*/*.ipynb"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _links(path):
    nb = nbformat.read(path, as_version=4)
    return [m for c in nb.cells if c.cell_type == "markdown" for m in LINK.findall(c.source)]


def _local(link):
    return not re.match(r"^[a-z]+:", link) and not link.startswith("#")


def test_start_page_lists_every_lesson_and_lab_in_order():
    targets = [(START.parent / unquote(link.split("#")[0])).resolve() for link in _links(START) if _local(link)]
    listed = [t for t in dict.fromkeys(targets) if t.suffix == ".ipynb"]
    expected = set(LESSONS) | set(LABS)
    assert set(listed) >= expected, f"not on the start page: {sorted(map(str, expected - set(listed)))}"
    lessons_in_order = [t for t in listed if t in LESSONS]
    assert lessons_in_order == LESSONS, "lessons must be listed in their numbered order"


@pytest.mark.parametrize("path", [START, *LESSONS, *LABS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_local_link_resolves(path):
    broken = [x for x in _links(path) if _local(x) and not (path.parent / unquote(x.split("#")[0])).exists()]
    assert broken == [], f"{path.relative_to(ROOT)} links to missing files: {broken}"


@pytest.mark.parametrize("path", [*LESSONS, *LABS], ids=lambda p: str(p.relative_to(ROOT)))
def test_navigation_at_top_and_bottom(path):
    nb = nbformat.read(path, as_version=4)
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    for cell in (nb.cells[0], nb.cells[-1]):
        assert cell.cell_type == "markdown" and "00_start.ipynb" in cell.source, (
            f"{path.relative_to(ROOT)}: first and last cells must link back to the start page"
        )
    assert md
