"""Journey 3: a learner opens a graded lab, writes one answer, runs it and its visible test.

The lab is the student copy in the temporary course (from labs/, or released into
a temporary folder when labs/ is not complete). The answer typed in is the
solution from grading/source, so the visible test must pass.
"""

from __future__ import annotations

import re

import jlab
import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def first_answer(lab: str):
    """(index of the first answer cell, its solution text, index of its visible test cell)
    in the student copy of ``lab``, read from grading/source/<lab>/<lab>.ipynb."""
    source = nbformat.read(jlab.ROOT / "grading" / "source" / lab / f"{lab}.ipynb", as_version=4)
    answer = test = None
    for index, cell in enumerate(source.cells):
        meta = cell.metadata.get("nbgrader", {})
        if answer is None and cell.cell_type == "code" and meta.get("solution") and not meta.get("grade"):
            answer = index
        elif answer is not None and cell.cell_type == "code" and meta.get("grade"):
            test = index
            break
    if answer is None or test is None:
        pytest.skip(f"{lab} has no autograded answer cell followed by a test cell")
    text = source.cells[answer].source
    solution = re.sub(r"[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", "", text)
    return answer, solution, test, source.cells[test].source


def test_lab_answer_passes_its_test(page, student):
    labs = jlab.lab_sources()
    if not labs:
        pytest.skip("no lab in grading/source yet")
    lab = labs[0]
    answer, solution, test, test_source = first_answer(lab)
    path = f"labs/{lab}/{lab}.ipynb"
    if not (student.root / path).is_file():
        pytest.fail(f"{path} was not released into the test course")
    student_copy = nbformat.read(student.root / path, as_version=4)
    assert "NotImplementedError" in student_copy.cells[answer].source, (
        f"cell {answer} of the released {lab} is not the answer stub"
    )

    jlab.open_lab(page, student, path, "lab")
    cells = page.locator(
        f"{jlab.NOTEBOOK} .jp-Notebook > .jp-Cell, {jlab.NOTEBOOK} .jp-WindowedPanel-viewport > .jp-Cell"
    )
    answer_cell, test_cell = cells.nth(answer), cells.nth(test)
    answer_cell.scroll_into_view_if_needed()
    editor = answer_cell.locator(".cm-content")
    assert "NotImplementedError" in editor.inner_text()

    # Type the answer: replace the stub with the solution.
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(solution)
    page.keyboard.press("Escape")  # command mode, the answer cell stays active
    jlab.run_command(page, "Run All Above Selected Cell")
    page.wait_for_timeout(300)
    jlab.wait_idle(page)
    # Shift+Enter runs the answer cell, then every cell down to its test.
    for _ in range(test - answer + 1):
        page.keyboard.press("Shift+Enter")
        jlab.wait_idle(page)
    page.wait_for_function(
        "([el]) => /\\d/.test(el.querySelector('.jp-InputArea-prompt').textContent)",
        arg=[test_cell.element_handle()],
        timeout=30_000,
    )
    jlab.wait_idle(page)
    test_cell.scroll_into_view_if_needed()
    for index, cell in ((answer, answer_cell), (test, test_cell)):
        errors = jlab.errors_in(cell)
        assert not errors, f"cell {index} of {lab} failed:\n{errors[0][:1500]}"
    if "✓" in test_source:
        assert "✓" in test_cell.locator(".jp-OutputArea").inner_text(), "the test did not print its ✓ line"
