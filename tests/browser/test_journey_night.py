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
    unexpected = [p for p in page.problems if "403" not in p and "409" not in p]   # the refusals we asked for
    assert unexpected == []
