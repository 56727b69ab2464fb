"""Lesson 4's night in a real Chromium: the alert's link opens the quarantined instance's debug page,
the admin token opens its data, and one console command runs inside the instance.

The fleet runs in the test's own process, on 127.0.0.1, as it does in the learner's kernel.
"""

import pytest

from pageturn.live.fleet import Fleet

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture()
def night():
    with Fleet(seed=0) as fleet:
        fleet.load(duration_s=1.0, rate_per_s=80, seed=0)
        injected = fleet.inject("pageturn-2")
        fleet.load(duration_s=2.0, rate_per_s=80, seed=1)
        assert fleet.wait_for_alert(5) is not None
        yield fleet, injected


def test_follow_the_alert_link_to_the_debug_page_and_run_a_console_command(page, night):
    fleet, injected = night
    alert = fleet.alerts[0]
    assert alert.link in alert.message()

    page.goto(alert.link)
    page.wait_for_selector("h1:has-text('pageturn-2')")
    assert page.is_hidden("#debug"), "nothing about readers before the token"

    page.fill("#token", "wrong-token")
    page.click("#open")
    page.wait_for_selector("#status:has-text('X-Admin-Token')")
    assert page.is_hidden("#debug")

    page.fill("#token", fleet.admin_token)
    page.click("#open")
    page.wait_for_selector("#debug:not([hidden])")
    assert "PageturnErrorBudgetBurn" in page.inner_text("#alert")
    reader = page.inner_text("#reader")
    assert reader in injected.readers
    journey = page.inner_text("#journey")
    assert "request_failed" in journey and "pageturn-2" in journey
    assert "Imported" in page.inner_text("#snapshot")

    page.fill("#code", "[b['logged_at'] for b in bad_records(snapshot)][:2]")
    page.click("#run")
    page.wait_for_function("document.getElementById('console-output').textContent.length > 0")
    output = page.inner_text("#console-output")
    assert output.startswith("['") and ":15:00" in output

    # the same console refuses an instance that serves readers
    serving = fleet.in_service()[0]
    page.goto(fleet.debug_link(serving))
    assert "in service" in page.inner_text("body")
    unexpected = [p for p in page.problems if "403" not in p and "409" not in p]  # the refusals we asked for
    assert unexpected == []


LESSON4 = "notebooks/04_night_on_call.ipynb"


def test_lesson4_in_jupyterlab_alert_link_debug_panel_and_console(page, student):
    """In JupyterLab: run Lesson 4's night, follow the alert's link from the notebook's output to the
    debug page (a new tab), open it with the token shown, run one console command there, then press
    the admin UI's Run button in the notebook, and close the fleet with the lesson's own cell."""
    import jlab
    import nbformat

    nb = nbformat.read(student.root / LESSON4, as_version=4)

    def index(*needles):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and all(n in cell.source for n in needles):
                return i
        pytest.fail(f"{LESSON4} has no code cell with {needles}")

    wanted = [
        index("Fleet(size=3"),
        index("fleet.inject("),
        index("wait_for_alert"),
        index("alert.link"),
        index("DebugPanel("),
    ]
    close = index("fleet.close()")
    jlab.open_lab(page, student, LESSON4, "night")
    cells = page.locator(f"{jlab.NOTEBOOK} .jp-Cell")

    def run(i):
        cell = cells.nth(i)
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
        assert not errors, f"cell {i} of Lesson 4 failed:\n{errors[0][:1500]}"

    for i in wanted:
        run(i)
    link = cells.nth(wanted[3]).locator("a[href*='/debug/pageturn-2']")
    token = cells.nth(wanted[3]).locator("code").inner_text().strip()
    with page.context.expect_page() as opened:
        link.click()
    debug = opened.value
    debug.wait_for_selector("h1:has-text('pageturn-2')")
    debug.fill("#token", token)
    debug.click("#open")
    debug.wait_for_selector("#debug:not([hidden])")
    assert "request_failed" in debug.inner_text("#journey")
    debug.fill("#code", "app.state()['version']")
    debug.click("#run")
    debug.wait_for_function("document.getElementById('console-output').textContent.length > 0")
    assert debug.inner_text("#console-output").strip() == "'2.1'"
    debug.close()

    panel = page.locator(".pageturn-debug").first
    panel.scroll_into_view_if_needed()
    panel.locator("button.pageturn-debug-run").click()
    page.wait_for_function(
        "() => document.querySelector('.pageturn-debug .pageturn-debug-output').textContent.includes('logged_at')",
        timeout=20_000,
    )
    run(close)
    assert "[]" in cells.nth(close).locator(".jp-OutputArea").inner_text()
