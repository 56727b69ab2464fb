"""Journey 4: in Lesson 3, start the running Pageturn, use its admin screen, stop it.

Only the cells the journey needs run: the one that starts Pageturn, the one that
shows the admin screen, and the clean-up cell that stops both.
"""

from __future__ import annotations

import jlab
import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LESSON3 = "notebooks/03_production_as_your_bench.ipynb"


def cell_index(nb, *needles: str) -> int:
    """Index of the first code cell whose source contains every one of ``needles``."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and all(needle in cell.source for needle in needles):
            return index
    pytest.fail(f"{LESSON3} has no code cell with {' and '.join(map(repr, needles))}")


def test_run_pageturn_and_its_admin(page, student):
    if not (jlab.ROOT / LESSON3).is_file():
        pytest.skip("Lesson 3 (notebooks/03_production_as_your_bench.ipynb) does not exist yet")
    nb = nbformat.read(student.root / LESSON3, as_version=4)
    start, panel, stop = (cell_index(nb, "app.start("), cell_index(nb, "admin.Admin("), cell_index(nb, ".stop()"))

    jlab.open_lab(page, student, LESSON3, "production")
    cells = page.locator(f"{jlab.NOTEBOOK} .jp-Cell")

    def run(index: int) -> None:
        cell = cells.nth(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "([el]) => /\\d/.test(el.querySelector('.jp-InputArea-prompt').textContent)",
            arg=[cell.element_handle()],
            timeout=60_000,
        )
        jlab.wait_idle(page)
        errors = jlab.errors_in(cell)
        assert not errors, f"cell {index} of Lesson 3 failed:\n{errors[0][:1500]}"

    run(start)
    assert "running" in cells.nth(start).locator(".jp-OutputArea").inner_text()
    run(panel)
    admin = page.locator(".pageturn-admin").first
    admin.wait_for(timeout=20_000)
    admin.scroll_into_view_if_needed()
    status = admin.locator(".pageturn-admin-status")

    def status_says(words: str) -> None:
        page.wait_for_function(
            "([words]) => document.querySelector('.pageturn-admin .pageturn-admin-status').textContent.includes(words)",
            arg=[words],
            timeout=15_000,
        )

    # Log level: change it while the app runs.
    level = admin.locator(".pageturn-admin-loglevel select")
    level.focus()
    level.select_option("DEBUG")
    status_says("log level DEBUG")
    assert "DEBUG" in admin.locator(".pageturn-admin-message").text_content()

    # Canary share: the keyboard moves the slider one percent per press.
    handle = admin.locator(".pageturn-admin-canary .noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    status_says("to 10 % of readers")
    assert "canary" in status.text_content()
    # The live numbers and the histogram are on screen and refresh while the app serves readers.
    page.wait_for_function(
        "() => document.querySelector('.pageturn-admin .pageturn-admin-rate').textContent.includes('per second')",
        timeout=20_000,
    )
    admin.locator(".pageturn-admin-histogram").wait_for(state="visible", timeout=20_000)  # drawn by a refresh
    admin.scroll_into_view_if_needed()
    page.screenshot(path=str(jlab.OUTPUT / "run_pageturn_admin.png"))
    # Every control of the admin screen has an accessible name (sliders: see the Lesson 1 test).
    unnamed = [line for line in jlab.unnamed_controls(admin) if not line.startswith("- slider")]
    assert not unnamed, f"admin controls without an accessible name: {unnamed}"

    # Roll back: one button sends every reader to the stable version again.
    admin.locator("button.pageturn-admin-rollback").click()
    status_says("no canary")
    assert "Rolled back" in admin.locator(".pageturn-admin-message").text_content()

    # Stop: the lesson's clean-up cell closes the admin screen and stops Pageturn.
    run(stop)
    assert "stopped" in cells.nth(stop).locator(".jp-OutputArea").inner_text()
