"""Properties of the Pageturn simulation that the lessons rely on."""

import math

import numpy as np
import pytest

from pageturn import PRESETS, simulate
from pageturn.model.dora import KEYS, PRESET_WEEKS, classify
from pageturn.model.sim import DEFAULTS, EQUAL_RISK, MECHANISMS, SUMMARY_KEYS, error_budget_minutes, mechanisms_on


def test_summary_has_both_scoreboards():
    summary = simulate().summary()
    for key in (
        "deploys",
        "incidents",
        "features_shipped",
        "lead_time_days_median",
        "downtime_minutes",
        "availability",
        "readers_affected",
        "change_failure_rate",
        "time_to_restore_minutes_median",
    ):
        assert key in summary
    assert set(summary) == set(SUMMARY_KEYS)


@pytest.mark.parametrize("dpw,rate", [(5, 0.1), (20, 0.3), (1, 0.5)])
def test_incidents_are_about_deploys_times_failure_rate(dpw, rate):
    s = simulate(**dict(EQUAL_RISK, deploy_failure_rate=rate), deploys_per_week=dpw, weeks=520, seed=3).summary()
    expected = s["deploys"] * rate
    sd = math.sqrt(s["deploys"] * rate * (1 - rate))
    assert abs(s["incidents"] - expected) < 4 * sd


def test_availability_agrees_with_downtime():
    sim = simulate(
        **dict(EQUAL_RISK, deploy_failure_rate=0.3), deploys_per_week=10, time_to_restore_minutes=300, weeks=13, seed=5
    )
    s = sim.summary()
    assert s["downtime_minutes"] == int(sim.down.sum())  # union of incidents, overlaps once
    assert s["availability"] == pytest.approx(1 - s["downtime_minutes"] / (13 * 7 * 24 * 60))
    assert s["downtime_minutes"] <= sim.incidents["restore_minutes"].sum()


def test_readers_affected_follow_the_outage_minutes():
    sim = simulate(
        **dict(EQUAL_RISK, deploy_failure_rate=0.3), deploys_per_week=10, time_to_restore_minutes=300, weeks=4, seed=2
    )
    lost = float((sim.readers_per_minute * sim.down).sum())
    assert sim.summary()["readers_affected"] == round(lost)
    assert sim.hourly()["readers_lost"].sum() == pytest.approx(lost)


def test_an_outage_at_3pm_hurts_more_readers_than_at_3am():
    from pageturn.model.rhythm import readers_per_minute_at

    assert readers_per_minute_at(15) > 5 * readers_per_minute_at(3)


def test_more_deploys_mean_shorter_lead_time():
    leads = [
        simulate(deploys_per_week=d, weeks=26, seed=4).summary()["lead_time_days_median"]
        for d in (0.5, 1, 2, 5, 10, 25)
    ]
    assert all(a > b for a, b in zip(leads, leads[1:])), leads


def test_features_wait_for_the_next_deploy():
    sim = simulate(deploys_per_week=2, weeks=8, seed=9)
    shipped = sim.changes.dropna(subset=["deployed"])
    assert (shipped["deployed"] >= shipped["finished"]).all()
    deploy_times = sim.deploys.set_index("deploy_id")["time"]
    # Shipped by the first deploy at or after it was finished, not a later one.
    for _, row in shipped.iterrows():
        earlier = deploy_times[(deploy_times >= row["finished"]) & (deploy_times < row["deployed"])]
        assert earlier.empty
    assert sim.deploys["batch_size"].sum() == len(shipped)


def test_in_the_default_world_small_batches_lower_the_per_deploy_risk():
    rare = simulate(deploys_per_week=1, weeks=520, seed=1).summary()
    often = simulate(deploys_per_week=20, weeks=520, seed=1).summary()
    assert often["change_failure_rate"] < rare["change_failure_rate"] / 3
    assert often["lead_time_days_median"] < rare["lead_time_days_median"]
    assert often["downtime_minutes"] < rare["downtime_minutes"]


def test_with_every_deploy_equally_risky_the_naive_trade_off_holds():
    rare = simulate(**EQUAL_RISK, deploys_per_week=1, weeks=260, seed=1).summary()
    often = simulate(**EQUAL_RISK, deploys_per_week=20, weeks=260, seed=1).summary()
    assert often["incidents"] > rare["incidents"] and often["lead_time_days_median"] < rare["lead_time_days_median"]


def test_all_mechanisms_on_is_the_default_world():
    on = mechanisms_on(*MECHANISMS)
    assert {k: DEFAULTS[k] for k in on} == on
    assert simulate(**on, seed=4).summary() == simulate(seed=4).summary()
    with pytest.raises(ValueError, match="mechanism must be one of"):
        mechanisms_on("magic")


def test_faults_are_shipped_or_caught_and_failed_deploys_hold_them():
    sim = simulate(deploys_per_week=2, defect_rate=0.2, deploy_failure_rate=0.0, weeks=26, seed=3)
    d = sim.deploys
    assert (d["failed"] == (d["faults"] > 0)).all()  # no deploy fails on its own here
    s = sim.summary()
    assert s["faults_shipped"] == d["faults"].sum() > 0 and s["faults_caught"] > 0
    assert s["faults_caught"] + s["faults_shipped"] <= s["features_shipped"]


def test_review_catches_more_in_small_batches():
    def caught_share(dpw):
        s = simulate(deploys_per_week=dpw, defect_rate=0.3, weeks=260, seed=2).summary()
        return s["faults_caught"] / (s["faults_caught"] + s["faults_shipped"])

    assert caught_share(20) > 1.5 * caught_share(1)


def test_restore_grows_with_batch_and_fix_forward():
    base = dict(deploys_per_week=0.5, defect_rate=0.2, weeks=104, seed=1)
    plain = simulate(**base, restore_growth=0, fix_forward_factor=1).summary()["time_to_restore_minutes_median"]
    grown = simulate(**base, fix_forward_factor=1).summary()["time_to_restore_minutes_median"]
    forward = simulate(**base).summary()["time_to_restore_minutes_median"]
    assert grown > 3 * plain and forward == pytest.approx(3 * grown, rel=0.02)


def test_a_long_repair_is_not_a_long_total_outage():
    sim = simulate(deploys_per_week=0.5, defect_rate=0.3, time_to_restore_minutes=20_000, weeks=26, seed=1)
    inc = sim.incidents
    assert (inc["restore_minutes"] > 480).all()
    assert ((inc["end_minute"] - inc["start_minute"]) <= 480).all()


def test_error_budget_of_a_quarter_is_131_minutes():
    assert error_budget_minutes(13) == pytest.approx(131.04)
    s = simulate(seed=3).summary()
    assert s["error_budget_minutes"] == pytest.approx(131.04)
    assert s["error_budget_left_minutes"] == pytest.approx(131.04 - s["downtime_minutes"])
    with pytest.raises(ValueError, match="target must be in"):
        error_budget_minutes(13, 1.5)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_land_in_their_cluster_in_nine_seeds_of_ten(name):
    hits = 0
    for seed in range(20):
        clusters = classify(simulate(**PRESETS[name], weeks=PRESET_WEEKS, seed=seed).summary())
        hits += all(name in clusters[key] for key in KEYS)
    assert hits >= 18, (name, hits)


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_availability_is_believable(name):
    avail = np.median([simulate(**PRESETS[name], weeks=52, seed=s).summary()["availability"] for s in range(20)])
    assert 0.98 < avail < 0.9995, (name, avail)


def test_same_seed_same_result_and_other_seed_differs():
    a, b = simulate(seed=11), simulate(seed=11)
    assert a.summary() == b.summary()
    assert a.deploys.equals(b.deploys) and a.incidents.equals(b.incidents)
    assert simulate(seed=12).summary() != a.summary()


def test_moving_failure_rate_up_only_adds_incidents():
    low = set(simulate(deploy_failure_rate=0.1, seed=2).incidents["deploy_id"])
    high = set(simulate(deploy_failure_rate=0.3, seed=2).incidents["deploy_id"])
    assert low < high
    low = set(simulate(defect_rate=0.05, seed=2).incidents["deploy_id"])
    high = set(simulate(defect_rate=0.2, seed=2).incidents["deploy_id"])
    assert low < high


def test_dataframes_have_the_documented_columns():
    sim = simulate(weeks=2)
    assert list(sim.deploys.columns) == ["deploy_id", "time", "minute", "batch_size", "faults", "failed", "version"]
    assert list(sim.incidents.columns) == [
        "incident_id",
        "deploy_id",
        "start",
        "end",
        "start_minute",
        "end_minute",
        "restore_minutes",
        "readers_affected",
        "at_night",
    ]
    assert list(sim.changes.columns) == ["change_id", "finished", "deploy_id", "deployed", "lead_time_days"]
    assert len(sim.timeline) == 2 * 7 * 24 * 60 and len(sim.hourly()) == 2 * 7 * 24


def test_pages_at_night_count_incidents_open_at_night():
    sim = simulate(
        **dict(EQUAL_RISK, deploy_failure_rate=0.5),
        deploys_per_week=5,
        time_to_restore_minutes=600,
        full_outage_max_minutes=1440,
        weeks=8,
        seed=3,
    )
    inc = sim.incidents
    hours_open = [set((np.arange(s, e) % 1440) // 60) for s, e in zip(inc.start_minute, inc.end_minute)]
    at_night = [bool(h & (set(range(22, 24)) | set(range(0, 7)))) for h in hours_open]
    assert inc["at_night"].tolist() == at_night
    assert sim.summary()["pages_at_night"] == sum(at_night) > 0


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        (dict(deploys_per_week=-1), "deploys_per_week must be in (0, 100], got -1"),
        (dict(deploys_per_week=0), "deploys_per_week must be in (0, 100], got 0"),
        (dict(defect_rate=1.5), "defect_rate must be in [0, 1], got 1.5"),
        (dict(deploy_failure_rate=float("nan")), "deploy_failure_rate must be a finite number in [0, 1], got nan"),
        (dict(review_catch=-0.1), "review_catch must be in [0, 1], got -0.1"),
        (dict(restore_growth=3), "restore_growth must be in [0, 2], got 3"),
        (dict(rollback_max_batch=1.5), "rollback_max_batch must be a whole number >= 0, got 1.5"),
        (dict(fix_forward_factor=0.5), "fix_forward_factor must be in [1, 100], got 0.5"),
        (dict(full_outage_max_minutes=0), "full_outage_max_minutes must be in [1, 262800], got 0"),
        (dict(weeks=0), "weeks must be in [1, 520], got 0"),
        (dict(weeks=2.5), "weeks must be a whole number in [1, 520], got 2.5"),
        (dict(time_to_restore_minutes="fast"), "time_to_restore_minutes must be a number"),
        (dict(features_per_week=None), "features_per_week must be a number in [0, 200], got None"),
        (dict(seed=-3), "seed must be >= 0, got -3"),
    ],
)
def test_bad_arguments_name_the_argument_value_and_range(kwargs, needle):
    with pytest.raises(ValueError) as err:
        simulate(**kwargs)
    assert needle in str(err.value)


def test_zero_failure_rate_means_no_incidents_and_nan_restore():
    s = simulate(defect_rate=0, deploy_failure_rate=0).summary()
    assert s["incidents"] == 0 and s["availability"] == 1.0 and math.isnan(s["time_to_restore_minutes_median"])
