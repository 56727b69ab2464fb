"""Journey: a learner who pasted a test cell twice presses the notebook's **Validate** button and is
told what the teacher's grading will do, in the report's words, not nbgrader's "Duplicate grade id"
traceback (pageturn.grading.validate_server; its answers are tested in tests/test_grading_validate_button.py)."""

from __future__ import annotations

import jlab
import nbformat
import pytest

from gradingkit import pasted_twice
from pageturn.grading.validate import HEADING

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASTED = "cells pasted twice (one copy graded, the others ran as plain cells)"


def test_validate_button_says_what_grading_will_do(page, student):
    lab = jlab.lab_sources()[0]
    nb = pasted_twice(nbformat.read(student.root / "labs" / lab / f"{lab}.ipynb", as_version=4))
    folder = student.root / "pasted" / lab
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{lab}.ipynb")

    jlab.open_lab(page, student, f"pasted/{lab}/{lab}.ipynb", "validate")
    page.locator(f"{jlab.NOTEBOOK} .validate-button").first.click()
    dialog = page.locator(".jp-Dialog").first
    dialog.get_by_text(HEADING).wait_for(timeout=120_000)
    text = dialog.inner_text()
    assert PASTED in text, text[:2000]
    assert "Duplicate grade id" not in text, text[:2000]
    assert "The following cell failed:" in text  # the untouched answers still fail, as in grading
    page.screenshot(path=str(jlab.OUTPUT / "validate_button_dialog.png"))
    dialog.locator("button.jp-mod-accept").click()
