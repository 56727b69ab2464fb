"""The start page and each lesson or lab give the same time estimate."""

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
START = ROOT / "notebooks" / "00_start.ipynb"
ENTRY = re.compile(r"\*\*\[[^\]]+\]\(([^)]+\.ipynb)\)\*\*.*?About ([0-9][0-9 to]*) minutes", re.S)


def _text(path):
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def test_start_page_and_notebooks_agree_on_time():
    entries = ENTRY.findall(_text(START))
    assert len(entries) >= 6
    for link, minutes in entries:
        target = (START.parent / link).resolve()
        if "grading" in target.parts:
            continue
        body = _text(target).lower()
        assert f"about {minutes} minutes" in body, f"{link}: the start page says about {minutes} minutes"
