"""Journey 5: the teacher view has nbgrader's formgrader, listing the labs; the student view
(what `make lab` and Binder show) has none of it."""

from __future__ import annotations

import json
import re

import jlab
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def page_config(server) -> dict:
    """The page config JupyterLab sends to the browser (disabled and locked plugins)."""
    status, html = server.api("GET", "lab")
    assert status == 200, status
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no jupyter-config-data in /lab"
    return json.loads(found.group(1))


def test_teacher_view_formgrader_lists_labs(page, teacher_lab):
    labs = jlab.lab_sources()
    if not labs:
        pytest.skip("no lab in grading/source yet")
    config = page_config(teacher_lab)
    assert "@jupyter/nbgrader:formgrader" not in config.get("disabledExtensions", [])

    page.goto(teacher_lab.url("lab/workspaces/teacher?reset"), wait_until="domcontentloaded")
    menu = page.locator("#jp-MainMenu .lm-MenuBar-item:has(.lm-MenuBar-itemLabel:text-is('Nbgrader'))")
    menu.click()
    page.locator("li.lm-Menu-item:has(.lm-Menu-itemLabel:text-is('Formgrader'))").click()
    formgrader = page.frame_locator(".jp-MainAreaWidget iframe").first
    for lab in labs:
        formgrader.locator(f"text={lab}").first.wait_for(timeout=30_000)
    # On one machine the teacher view has its own exchange: no "exchange does not exist" warning.
    assert formgrader.locator("#warning-exchange").count() == 0, "the formgrader warns that the exchange is missing"
    page.screenshot(path=str(jlab.OUTPUT / "teacher_view_formgrader.png"))
    # The server side answers too.
    status, _ = teacher_lab.api("GET", "formgrader")
    assert status == 200


def test_student_view_has_no_teacher_tools(page, student):
    config = page_config(student)
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"):
        assert plugin in config.get("disabledExtensions", []), f"{plugin} is not disabled"
    status, _ = student.api("GET", "formgrader")
    assert status == 404, f"/formgrader answered {status} in the student view"

    jlab.open_lab(page, student, "notebooks/00_start.ipynb", "student")
    menus = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()
    assert (
        "Nbgrader" not in menus
        or not page.locator("li.lm-Menu-item:has(.lm-Menu-itemLabel:text-is('Formgrader'))").count()
    ), menus
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input").first
    search.fill("Formgrader")
    page.wait_for_timeout(300)
    labels = page.locator(".lm-CommandPalette-item .lm-CommandPalette-itemLabel").all_inner_texts()
    assert not [label for label in labels if "formgrader" in label.lower()], labels
    search.fill("Assignment")
    page.wait_for_timeout(300)
    labels = page.locator(".lm-CommandPalette-item .lm-CommandPalette-itemLabel").all_inner_texts()
    assert not [label for label in labels if "create assignment" in label.lower()], labels
    page.keyboard.press("Escape")
    # The Create Assignment sidebar is absent too.
    assert page.locator("[title*='Create Assignment' i], [data-id*='create_assignment' i]").count() == 0
