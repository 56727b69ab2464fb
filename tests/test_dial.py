"""The deploy dial (pageturn.lessons.dial): what a learner moving its controls relies on.

The tests drive the widgets the way the browser does (setting ``.value``,
clicking buttons) and read back what the learner sees: the scoreboard text
and the picture's PNG bytes.
"""

import base64
import html
import math
import re

import pytest

from pageturn import PRESETS, simulate
from pageturn.lessons import dial as dialmod
from pageturn.model.sim import EQUAL_RISK, mechanisms_on


@pytest.fixture
def dial():
    return dialmod.deploy_dial()


def shown(board_html: str, label: str) -> str:
    """The value text a scoreboard shows next to ``label`` (HTML unescaped)."""
    text = html.unescape(board_html)
    match = re.search(r"<td[^>]*>" + re.escape(label) + r"</td><td[^>]*><b>([^<]*)</b>", text)
    assert match, f"scoreboard has no row {label!r}: {text}"
    return match.group(1)


def number(text: str) -> float:
    return float(re.match(r"[-\d.,]+", text).group(0).replace(",", ""))


def days(text: str) -> float:
    """Parse format_days output back to days."""
    value, unit = text.split()
    return float(value) * {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1}[unit]


def sam(d, label):
    return number(shown(d.sam.value, label))


def maya_lead_days(d):
    return days(shown(d.maya.value, "Median lead time (finished → in production)"))


def test_scoreboards_show_the_simulation_of_the_current_settings(dial):
    dial.deploys.value = 8.0
    dial.failure.value = 25.0
    dial.restore.value = 120.0
    expected = simulate(
        **dict(EQUAL_RISK, deploy_failure_rate=0.25),
        deploys_per_week=8.0,
        time_to_restore_minutes=120.0,
        weeks=13,
        seed=0,
    ).summary()
    assert sam(dial, "Incidents") == expected["incidents"]
    assert sam(dial, "Downtime") == expected["downtime_minutes"]
    assert sam(dial, "Readers affected") == expected["readers_affected"]
    assert sam(dial, "Pages at night (22:00–07:00)") == expected["pages_at_night"]
    assert math.isclose(sam(dial, "Availability"), 100 * expected["availability"], abs_tol=0.0005)
    budget = shown(dial.sam.value, "Error budget (99.9 % target)")
    left = expected["error_budget_left_minutes"]
    assert budget == dialmod.budget_text(left, 131.04)
    assert ("overspent" in budget) == (left < 0)
    shipped = shown(dial.maya.value, "Features shipped")
    assert shipped.startswith(f"{expected['features_shipped']:,} of {expected['features_finished']:,}")
    assert math.isclose(maya_lead_days(dial), expected["lead_time_days_median"], rel_tol=0.05)


def test_raising_the_failure_rate_raises_incidents_and_downtime_shown(dial):
    dial.failure.value = 0.0
    assert sam(dial, "Incidents") == 0
    assert sam(dial, "Downtime") == 0
    assert sam(dial, "Availability") == 100.0
    dial.failure.value = 40.0
    assert sam(dial, "Incidents") > 0
    assert sam(dial, "Downtime") > 0
    assert sam(dial, "Availability") < 100.0
    assert "worse" in dial.sam.value  # the board says which way it moved


def test_deploying_less_often_raises_lead_time_and_lowers_incidents(dial):
    dial.deploys.value = 20.0
    fast_lead, fast_incidents = maya_lead_days(dial), sam(dial, "Incidents")
    dial.deploys.value = 0.5
    slow_lead, slow_incidents = maya_lead_days(dial), sam(dial, "Incidents")
    assert slow_lead > 10 * fast_lead
    assert slow_incidents < fast_incidents
    assert "worse" in dial.maya.value and "better" in dial.sam.value


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_buttons_set_the_controls(dial, name):
    dial.deploys.value, dial.failure.value, dial.restore.value = 1.0, 33.0, 500.0
    dial.preset_buttons[name].click()
    preset = PRESETS[name]
    assert math.isclose(dial.deploys.value, preset["deploys_per_week"], rel_tol=1e-6)
    assert math.isclose(dial.failure.value, 100 * preset["deploy_failure_rate"], rel_tol=1e-6)
    assert math.isclose(dial.defects.value, 100 * preset["defect_rate"], rel_tol=1e-6)
    assert math.isclose(dial.restore.value, preset["time_to_restore_minutes"], rel_tol=1e-6)
    assert all(box.value for box in dial.switches.values())
    expected = simulate(**{**preset, "weeks": 13, "seed": 0}).summary()
    assert sam(dial, "Incidents") == expected["incidents"]
    assert sam(dial, "Downtime") == expected["downtime_minutes"]


@pytest.mark.parametrize("world", sorted(dialmod.WORLDS))
def test_world_buttons_set_the_world_and_keep_the_frequency(dial, world):
    dial.deploys.value = 12.0
    dial.world_buttons[world].click()
    expected = simulate(**mechanisms_on(*dialmod.WORLDS[world][1]), deploys_per_week=12.0, seed=0).summary()
    assert dial.summary == expected


def test_dial_opens_in_the_equal_risk_world():
    d = dialmod.deploy_dial()
    assert d.summary == simulate(**EQUAL_RISK, seed=0).summary()
    assert not any(box.value for box in d.switches.values())
    course = dialmod.deploy_dial(world="course")
    assert course.summary == simulate(seed=0).summary()
    with pytest.raises(ValueError, match="world must be one of"):
        dialmod.deploy_dial(world="mars")


def test_each_mechanism_switch_changes_its_argument(dial):
    dial.world_buttons["faults_in_changes"].click()
    for name, (arg, off, _label, _tip) in dialmod.SWITCHES.items():
        assert dial.settings[arg] == off
        dial.switches[name].value = True
        assert dial.settings[arg] != off
    assert dial.summary == simulate(deploys_per_week=5.0, seed=0).summary()


def test_a_preset_redraws_once(dial, monkeypatch):
    calls = []
    original = dial._picture.update
    monkeypatch.setattr(dial._picture, "update", lambda sim: calls.append(sim) or original(sim))
    dial.apply_preset("low")
    assert len(calls) == 1


def test_unknown_preset_is_refused(dial):
    with pytest.raises(ValueError, match="name.*'nightly'"):
        dial.apply_preset("nightly")


def test_moving_a_slider_changes_the_picture_in_place(dial):
    figure, children = dial.figure, list(dial.widget.children)
    first = dial.figure.value
    assert bytes(first).startswith(b"\x89PNG")
    dial.deploys.value = 40.0
    assert dial.figure.value != first
    assert bytes(dial.figure.value).startswith(b"\x89PNG")
    dial.failure.value = 50.0
    dial.switches["review_catch"].value = True
    # still the same widgets: nothing was appended or re-created
    assert dial.figure is figure
    assert list(dial.widget.children) == children
    assert len(dial.widget.children) == len(children)


def test_same_settings_give_the_same_picture(dial):
    first = dial.figure.value
    dial.failure.value = 50.0
    dial.failure.value = 10.0
    assert dial.figure.value == first


def test_in_the_course_world_deploying_often_wins_for_both(dial):
    dial.world_buttons["course"].click()
    dial.deploys.value = 0.5
    rare_lead, rare_down = maya_lead_days(dial), sam(dial, "Downtime")
    dial.deploys.value = 20.0
    assert maya_lead_days(dial) < rare_lead / 10
    assert sam(dial, "Downtime") < rare_down


def test_controls_are_labelled_and_classed(dial):
    for control in (
        dial.deploys,
        dial.failure,
        dial.defects,
        dial.restore,
        *dial.switches.values(),
        *dial.world_buttons.values(),
        *dial.preset_buttons.values(),
    ):
        assert control.description.strip()
        assert control.tooltip and len(control.tooltip) > 10
    assert "week" in dial.deploys.description
    assert "%" in dial.failure.description
    assert "minutes" in dial.restore.description
    assert "%" in dial.defects.description
    for slider in (dial.deploys, dial.failure, dial.defects, dial.restore):
        assert slider.continuous_update is False
    assert "pageturn-dial" in dial.widget._dom_classes
    for widget, css in (
        (dial.figure, "pageturn-dial-figure"),
        (dial.maya, "pageturn-scoreboard-maya"),
        (dial.sam, "pageturn-scoreboard-sam"),
        (dial.deploys, "pageturn-dial-deploys"),
        (dial.defects, "pageturn-dial-defects"),
    ):
        assert css in widget._dom_classes
    for name, button in dial.preset_buttons.items():
        assert f"pageturn-preset-{name}" in button._dom_classes
    assert "Picture of 13 weeks" in dial.caption.value  # the picture described in words
    # an Image with a tooltip fails to render in JupyterLab (ipywidgets 8.1 reads
    # the missing description's length), so the picture must not have one
    assert not dial.figure.tooltip


def test_slider_ranges_hold_every_preset(dial):
    for preset in PRESETS.values():
        assert dial.deploys.min <= math.log10(preset["deploys_per_week"]) <= dial.deploys.max
        assert dial.failure.min <= 100 * preset["deploy_failure_rate"] <= dial.failure.max
        assert dial.defects.min <= 100 * preset["defect_rate"] <= dial.defects.max
        assert dial.restore.min <= math.log10(preset["time_to_restore_minutes"]) <= dial.restore.max


def test_static_fallback_in_the_display_bundle(dial):
    dial.deploys.value = 12.0
    bundle = dial.mimebundle()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == dial.figure.value
    page = bundle["text/html"]
    assert "<script" not in page
    assert base64.b64encode(dial.figure.value).decode() in page
    assert "Sam&#x27;s scoreboard" in page and "Maya&#x27;s scoreboard" in page
    assert "12 deploys per week" in page
    assert "deploys" in bundle["text/plain"]


def test_a_dial_shows_itself_as_its_bundle(dial, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    dial._ipython_display_()  # what a cell ending in `dial` does
    ((args, kwargs),) = shown
    assert kwargs == {"raw": True}
    assert args[0]["application/vnd.jupyter.widget-view+json"]["model_id"] == dial.widget.model_id
    assert base64.b64decode(args[0]["image/png"]) == dial.figure.value


def test_show_dial_displays_one_bundle(monkeypatch):
    import IPython.display

    shown_objects = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown_objects.extend(objs))
    assert dialmod.show_dial(weeks=2, seed=3) is None
    assert len(shown_objects) == 1
    assert shown_objects[0].settings["weeks"] == 2 and shown_objects[0].settings["seed"] == 3


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"weeks": 0}, "weeks"),
        ({"weeks": 53}, "weeks"),
        ({"weeks": 2.5}, "weeks"),
        ({"weeks": "13"}, "weeks"),
        ({"seed": -1}, "seed"),
        ({"seed": float("nan")}, "seed"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, name):
    with pytest.raises(ValueError) as error:
        dialmod.deploy_dial(**kwargs)
    message = str(error.value)
    assert message.startswith(name)
    assert repr(list(kwargs.values())[0]) in message


def test_measure_update_returns_one_duration_per_change():
    durations = dialmod.measure_update(n=5, weeks=2)
    assert len(durations) == 5
    assert all(isinstance(d, float) and 0 < d < 60 for d in durations)
    with pytest.raises(ValueError, match="n must"):
        dialmod.measure_update(n=0)


def test_format_days_uses_plain_units():
    assert dialmod.format_days(0.5 / 24) == "30 minutes"
    assert dialmod.format_days(0.25) == "6.0 hours"
    assert dialmod.format_days(3.04) == "3.0 days"
    assert dialmod.format_days(float("nan")) == "—"


def test_an_outage_at_3_pm_hurts_more_readers_than_at_3_am():
    table = dialmod.outage_cost_by_hour(outage_minutes=60)
    assert list(table.index) == list(range(24))
    assert table.loc[15, "readers_affected"] > 5 * table.loc[3, "readers_affected"]
    longer = dialmod.outage_cost_by_hour(outage_minutes=120)
    assert longer.loc[15, "readers_affected"] > table.loc[15, "readers_affected"]
    with pytest.raises(ValueError, match="outage_minutes"):
        dialmod.outage_cost_by_hour(outage_minutes=0)
    fig = dialmod.plot_outage_cost(table)
    ax = fig.axes[0]
    assert ax.get_title() and "readers" in ax.get_ylabel() and "hour" in ax.get_xlabel()


def test_mechanism_table_has_one_row_per_step_and_frequency():
    table = dialmod.mechanism_table(deploys_per_week=(0.5, 20), seeds=range(3))
    assert sorted(table["step"].unique()) == [0, 1, 2, 3, 4]
    assert len(table) == 10
    row = table[(table["step"] == 4) & (table["deploys_per_week"] == 20)].iloc[0]
    sims = [simulate(deploys_per_week=20, seed=s).summary() for s in range(3)]
    assert row["downtime_minutes"] == sorted(x["downtime_minutes"] for x in sims)[1]
    with pytest.raises(ValueError, match="seeds"):
        dialmod.mechanism_table(seeds=())
    fig = dialmod.plot_mechanisms(table)
    ax = fig.axes[0]
    assert "deploys per week" in ax.get_xlabel() and "minutes" in ax.get_ylabel() and ax.get_title()
    assert len(ax.get_legend().get_texts()) == 5


def test_cluster_line_classifies_five_years_and_the_quarter(dial):
    from pageturn.model.dora import PRESET_WEEKS, classify

    dial.apply_preset("medium")
    long = simulate(**{**PRESETS["medium"], "weeks": PRESET_WEEKS, "seed": 0}).summary()
    assert dial.long_summary == long
    text = html.unescape(re.sub("<[^>]+>", "", dial.cluster.value))
    five_years, quarter = text.split("in this quarter:")
    assert "over 5 years" in five_years
    assert f"change failure rate: {' / '.join(classify(long)['change_failure_rate'])}" in five_years
    assert "medium" in five_years
    assert f"change failure rate: {' / '.join(classify(dial.summary)['change_failure_rate'])}" in quarter
