"""The term in a real browser on the course's JupyterHub: a student and then the teacher, by clicks.

dee, a student of this course, logs in on the hub's login page, opens nbgrader's Assignments tab
(Nbgrader → Assignment List) in her own JupyterLab, fetches Lab 1, opens it from the tab, types the
first answer, runs it and its visible test (which prints its ✓ line), saves and submits. The tab then
lists Lab 1 as submitted. Then tess, the teacher, logs in, opens the course from the hub's Services
menu (the formgrader as a page of its own: see grading/jupyterhub/README.md for why not inside
JupyterLab), collects, and finds dee's submission in Manage Submissions.

Chromium is the one the other journeys use (Debian's, shared through tests/conftest.py); without it
this test skips, except in CI. Every wait is on something the user sees, with generous limits for a
busy machine; nothing here is timed. The hub's end (test_3_exit.py, next) checks that dee's server
and kernel are gone with the rest.
"""

from __future__ import annotations

import re
import sys

import pytest
from hubkit import COURSE, NEWCOMER, REPO, TEACHER

sys.path.insert(0, str(REPO / "tests" / "browser"))

import jlab  # noqa: E402
from test_journey_lab import first_answer  # noqa: E402

pytestmark = [pytest.mark.xdist_group("hub"), pytest.mark.slow, pytest.mark.browser]  # one worker, one hub

LAB = "lab1_four_keys"
WAIT = 180_000  # ms: a cold JupyterLab or kernel on a loaded 2-core machine
SHOTS = jlab.OUTPUT  # test-output/browser/hub-*.png, saved at each end, pass or fail


def _context(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT)
    return context


def _shot(page, name: str) -> None:
    try:
        page.screenshot(path=str(SHOTS / f"hub-{name}.png"))
    except Exception as error:  # noqa: BLE001  (a screenshot must not hide the real failure)
        print(f"could not save the screenshot hub-{name}.png: {error}")


def log_in(page, hub_url: str, name: str, password: str, next_path: str = "") -> None:
    """Log in on the hub's own login page, as a person does."""
    page.goto(f"{hub_url}/hub/login" + (f"?next={next_path}" if next_path else ""))
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()


def open_assignments_tab(page) -> None:
    page.locator("#jp-MainMenu .lm-MenuBar-item:has(.lm-MenuBar-itemLabel:text-is('Nbgrader'))").click()
    page.locator("li.lm-Menu-item:has(.lm-Menu-itemLabel:text-is('Assignment List'))").click()
    page.locator("#assignments").wait_for()


def student_journey(page, hub_url: str, name: str, password: str) -> str:
    """Log in, fetch Lab 1 from the Assignments tab, answer and run one visible test, save, submit.

    Returns the submission's timestamp as the Assignments tab shows it.
    """
    answer, solution, test, test_source = first_answer(LAB)
    log_in(page, hub_url, name, password)
    page.wait_for_url(f"**/user/{name}/lab**", timeout=WAIT)  # the hub spawned her server and sent her there
    open_assignments_tab(page)
    released = page.locator("#released_assignments_list > .list_item").filter(has_text=LAB)
    released.locator(".item_course").filter(has_text=COURSE).wait_for()  # Lab 1 of this course, released
    released.locator("button:text-is('Fetch')").click()

    fetched = page.locator("#fetched_assignments_list > .list_item").filter(has_text=LAB)
    fetched.locator("button:text-is('Submit')").wait_for()  # listed as fetched, ready to submit
    fetched.locator("a.assignment-notebooks-link").click()
    fetched.locator(f".nested_list_item .item_name a:text-is('{LAB}')").click()
    jlab.wait_notebook(page, f"{LAB}.ipynb", WAIT)

    cells = page.locator(
        f"{jlab.NOTEBOOK} .jp-Notebook > .jp-Cell, {jlab.NOTEBOOK} .jp-WindowedPanel-viewport > .jp-Cell"
    )
    answer_cell, test_cell = cells.nth(answer), cells.nth(test)
    answer_cell.scroll_into_view_if_needed()
    editor = answer_cell.locator(".cm-content")
    assert "NotImplementedError" in editor.inner_text(), "the fetched Lab 1 does not start with the answer stub"
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(solution)
    page.keyboard.press("Escape")  # command mode; the answer cell stays the active one
    jlab.run_command(page, "Run All Above Selected Cell")
    for _ in range(test - answer + 1):  # the answer, then every cell down to its visible test
        page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "([el]) => /\\d/.test(el.querySelector('.jp-InputArea-prompt').textContent)",
        arg=[test_cell.element_handle()],
        timeout=WAIT,
    )
    jlab.wait_idle(page, WAIT)
    test_cell.scroll_into_view_if_needed()
    for index, cell in ((answer, answer_cell), (test, test_cell)):
        errors = jlab.errors_in(cell)
        assert not errors, f"cell {index} of the fetched {LAB} failed in {name}'s server:\n{errors[0][:1500]}"
    if "✓" in test_source:
        assert "✓" in test_cell.locator(".jp-OutputArea").inner_text(), "the visible test did not print its ✓ line"

    page.keyboard.press("Control+s")
    page.locator(".lm-DockPanel-tabBar .lm-mod-current.jp-mod-dirty").wait_for(state="detached")  # saved
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel:text-is('Assignments')").click()
    fetched.locator("button:text-is('Submit')").click()
    submitted = page.locator("#submitted_assignments_list > .list_item").filter(has_text=LAB)
    submitted.first.wait_for()
    stamp = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", submitted.first.inner_text())
    assert stamp, f"no timestamp on the submitted Lab 1: {submitted.first.inner_text()!r}"
    return stamp.group(0)


def teacher_finds_submission(page, hub_url: str, name: str, password: str, student: str):
    """Log in, open the course's formgrader from the hub's Services menu, collect; the student's row."""
    log_in(page, hub_url, name, password, next_path="/hub/home")
    page.wait_for_url("**/hub/home", timeout=WAIT)
    page.get_by_role("button", name="Services").click()
    page.locator(f"a.dropdown-item:text-is('{COURSE}')").click()
    page.wait_for_url("**/formgrader/manage_assignments", timeout=WAIT)  # no "Authorize access" page first
    row = page.locator(f"#main-table tr:has(td.name[data-order='{LAB}'])")
    row.locator("td.status:has-text('released')").wait_for()
    row.locator("td.collect a").click()
    done = page.locator(".modal-content").filter(has_text=f"Successfully collected submissions of '{LAB}'")
    done.wait_for()
    done.locator("button:text-is('OK')").click()
    done.wait_for(state="detached")
    row.locator("td.num-submissions a").click()
    page.wait_for_url(f"**/formgrader/manage_submissions/{LAB}", timeout=WAIT)
    mine = page.locator("tbody tr").filter(has=page.locator(f"td.student-id:text-is('{student}')"))
    mine.wait_for()
    return mine


def test_a_student_fetches_runs_and_submits_lab_1_and_the_teacher_sees_it(term, chromium):
    t = term.user(TEACHER)
    if not (term.root / "exchange" / COURSE / "outbound" / LAB).is_dir():  # when run without test_1_term
        for step in ("assign", "release"):
            assert t.formgrader("POST", COURSE, f"assignment/{LAB}/{step}").json()["success"]
    SHOTS.mkdir(parents=True, exist_ok=True)

    student = _context(chromium)
    page = student.new_page()
    try:
        stamp = student_journey(page, term.hub.url, NEWCOMER, term.password)
    finally:
        _shot(page, "student")
        student.close()
    answer, solution, _, _ = first_answer(LAB)
    saved = term.user(NEWCOMER).read(f"{COURSE}/{LAB}/{LAB}.ipynb")["content"]
    assert saved["cells"][answer]["source"].strip() == solution.strip()  # what she typed was saved
    inbound = [p.name for p in (term.root / "exchange" / COURSE / "inbound").iterdir()]
    assert any(n.startswith(f"{NEWCOMER}+{LAB}+") for n in inbound), inbound

    teacher = _context(chromium)
    page = teacher.new_page()
    try:
        row = teacher_finds_submission(page, term.hub.url, TEACHER, term.password, NEWCOMER)
        assert "needs autograding" in row.locator("td.status").inner_text()
        assert row.locator("td.timestamp").inner_text().startswith(stamp)  # the very submission she made
    finally:
        _shot(page, "teacher")
        teacher.close()
    status, out = t.terminal(f"ls submitted/{NEWCOMER}/{LAB}", service=COURSE)  # collected into the course
    assert status == 0 and f"{LAB}.ipynb" in out, out
