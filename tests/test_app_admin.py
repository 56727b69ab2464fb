"""The admin dashboard builds, its controls act on a real running app, and it stops cleanly."""

import time

import pytest

from pageturn.live import admin, loadgen
from pageturn.live import app as pageturn_app

CLASSES = [
    "pageturn-admin",
    "pageturn-admin-status",
    "pageturn-admin-rate",
    "pageturn-admin-errors",
    "pageturn-admin-sanity",
    "pageturn-admin-histogram",
    "pageturn-admin-route",
    "pageturn-admin-version",
    "pageturn-admin-deploy",
    "pageturn-admin-canary-version",
    "pageturn-admin-canary",
    "pageturn-admin-rollback",
    "pageturn-admin-loglevel",
    "pageturn-admin-logs",
    "pageturn-admin-message",
]


@pytest.fixture
def pt():
    handle = pageturn_app.start(fresh=True)
    try:
        yield handle
    finally:
        handle.stop()


def _all_widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all_widgets(child)


def test_dashboard_has_every_part_with_its_css_class_and_a_label(pt):
    panel = admin.Admin(pt, refresh_s=None)
    try:
        found = {cls for w in _all_widgets(panel.widget) for cls in w._dom_classes}
        assert set(CLASSES) <= found
        for control in (panel.version, panel.canary_version, panel.canary, panel.log_level, panel.route):
            assert control.description  # every control is labelled
        for button in (panel.deploy, panel.rollback_button):
            assert button.description and button.tooltip
        assert panel.chart.value[:8] == b"\x89PNG\r\n\x1a\n"
        assert "Serving <b>2.0</b>" in panel.status.value
    finally:
        panel.close()


def test_the_panel_shows_itself_as_its_live_widget_with_a_line_of_text(pt, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    panel = admin.Admin(pt, refresh_s=None)
    try:
        panel._ipython_display_()  # what a cell ending in `panel` does
        ((args, kwargs),) = shown
        assert kwargs == {"raw": True}
        assert args[0]["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
        assert pt.url in args[0]["text/plain"]
    finally:
        panel.close()


def test_controls_act_on_the_app(pt):
    panel = admin.Admin(pt, refresh_s=None)
    try:
        panel.canary_version.value = "2.1-bad"
        panel.canary.value = 10
        assert pt.state()["canary_version"] == "2.1-bad" and pt.state()["canary_percent"] == 10
        panel.rollback_button.click()
        assert pt.state()["canary_version"] is None and panel.canary.value == 0
        assert "Rolled back" in panel.message.value

        panel.version.value = "2.1"
        panel.deploy.click()
        assert pt.state()["version"] == "2.1"
        panel.rollback_button.click()
        assert pt.state()["version"] == "2.0" and panel.version.value == "2.0"

        panel.log_level.value = "DEBUG"
        assert pt.state()["log_level"] == "DEBUG"

        pt.set_canary("2.1", 40)  # a change made elsewhere shows on the next refresh
        panel.refresh()
        assert panel.canary.value == 40 and panel.canary_version.value == "2.1"
        assert pt.state()["canary_percent"] == 40
    finally:
        panel.close()


def test_numbers_and_sanity_status_refresh_in_place(pt):
    pt.start_sanity(every_s=0.2)
    panel = admin.Admin(pt, refresh_s=0.2)
    try:
        first_chart = bytes(panel.chart.value)
        loadgen.run(pt.url, rate_per_s=100, count=40, workers=2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            "per second" not in panel.rate.value
            or "passed" not in panel.sanity_box.value
            or bytes(panel.chart.value) == first_chart
        ):
            time.sleep(0.05)
        assert "per second" in panel.rate.value and "%" in panel.errors.value
        assert "passed" in panel.sanity_box.value
        assert bytes(panel.chart.value) != first_chart, panel.message.value
        pt.set_version("2.1-bad")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "FAILED" not in panel.sanity_box.value:
            time.sleep(0.05)
        assert "FAILED" in panel.sanity_box.value
        assert panel.refreshing
    finally:
        panel.close()
    assert not panel.refreshing


def test_the_refresh_thread_ends_when_the_app_stops():
    handle = pageturn_app.start(fresh=True)
    panel = admin.Admin(handle, refresh_s=0.2)
    handle.stop()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and panel.refreshing:
        time.sleep(0.05)
    assert not panel.refreshing
    assert "stopped" in panel.message.value
    panel.close()


def test_bad_arguments(pt):
    with pytest.raises(ValueError, match="app must be a running Pageturn"):
        admin.Admin("http://127.0.0.1:1")
    with pytest.raises(ValueError, match="refresh_s must be"):
        admin.Admin(pt, refresh_s=0.01)
    with pytest.raises(ValueError, match="route must be one of"):
        admin.Admin(pt, route="metrics")
