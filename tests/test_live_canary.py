"""pageturn.live.canary: a fleet's canary judged by Lesson 3's judge against an equal-size control,
and what Lesson 4 and Lab 4 say about their canaries (checked over many seeds where it is cheap)."""

from __future__ import annotations

import pandas as pd
import pytest

from pageturn.live import canary
from pageturn.live.loadgen import plan
from pageturn.model import canary as model
from pageturn.model.canary import Cohort, Policy, reader_slot

# The rule Lesson 4 and Lab 4 state.
POLICY = Policy(min_requests=150, min_duration_s=2.0, max_slow_points=5, max_error_points=2)
# The canary loads they send (duration_s, rate_per_s, readers): a first look, then more.
LESSON_LOADS = ((1.0, 100, 100), (3.0, 300, 100))
LAB_LOADS = ((0.5, 100, 100), (2.5, 300, 100))


def _reader_in(low, high, start=0):
    """A reader id whose slot is in [low, high)."""
    i = start
    while not low <= reader_slot(f"r{i}") < high:
        i += 1
    return f"r{i}", i + 1


def _record(reader, t=100.0, path="/books", method="GET", status=200, ms=5.0, instance="pageturn-1"):
    return {
        "time_s": t,
        "request_id": "req-1",
        "method": method,
        "path": path,
        "reader": reader,
        "instance": instance,
        "status": status,
        "ms": ms,
    }


def test_cohorts_from_the_balancers_log_split_by_slot_with_an_equal_size_control():
    canary_reader, i = _reader_in(0, 30)
    control_reader, i = _reader_in(30, 60, i)
    other_reader, _ = _reader_in(60, 100, i)
    records = [
        _record(canary_reader, ms=80.0),  # slow
        _record(canary_reader, path="/books", method="POST", status=500),  # log_book, an error
        _record(canary_reader, path="/search", ms=10.0),
        _record(canary_reader, path="/health"),  # not a reader route
        _record(canary_reader, path="/metrics"),
        _record(control_reader, status=503, instance="pageturn-2"),
        _record(control_reader, ms=50.0),  # exactly the threshold: not slow
        _record(other_reader, status=500),  # slot 60+: neither group
        _record(None, status=500),  # no reader
        _record(canary_reader, t=99.0, status=500),  # before the canary started
        _record(control_reader, t=200.0, status=500),  # after it stopped
    ]
    got = canary.cohorts(records, 30, threshold_ms=50, since_s=100.0, until_s=200.0)
    assert got == (Cohort(3, slow=1, errors=1), Cohort(2, slow=0, errors=1))
    # the same counting as Lesson 3's, on the same requests
    frame = canary.requests_frame(records, 100.0, 200.0)
    assert model.cohorts(frame, 30, 50) == got
    assert set(frame["route"]) == {"my_books", "log_book", "search", "health", "metrics"}
    assert frame["reader"].notna().all() and frame["time_s"].between(100.0, 199.0).all()
    # no window: every record with a reader counts
    assert canary.cohorts(records, 30, 50)[0].requests == 4


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="records"):
        canary.cohorts("not a log", 30, 50)
    with pytest.raises(ValueError, match="records"):
        canary.cohorts([{"reader": "x"}], 30, 50)
    with pytest.raises(ValueError, match="since_s"):
        canary.requests_frame([], since_s=5.0, until_s=1.0)
    with pytest.raises(ValueError, match="percent"):
        canary.cohorts([], 60, 50)  # no equal-size control above 50 %
    with pytest.raises(ValueError, match="threshold_ms"):
        canary.cohorts([], 30, 0)


def test_with_no_error_on_either_side_the_error_tolerance_sets_how_many_requests_promote_needs():
    """Lesson 4: "against a 1-point tolerance ... about 380 canary requests; against 2 points about 190"."""

    def promotes(n, points):
        policy = Policy(min_requests=1, min_duration_s=0, max_error_points=points)
        return model.judge(Cohort(n), Cohort(n), elapsed_s=10, policy=policy).decision == "promote"

    assert promotes(190, 2) and not promotes(185, 2)
    assert promotes(385, 1) and not promotes(375, 1)


def test_the_lessons_readers_split_into_two_groups_of_about_thirty():
    """Lesson 4: "with 100 readers, about 30 fall in each group"."""
    slots = [reader_slot(f"reader-{i:05d}") for i in range(100)]
    canary_readers = sum(s < 30 for s in slots)
    control_readers = sum(30 <= s < 60 for s in slots)
    assert 27 <= canary_readers <= 33 and 27 <= control_readers <= 33


def _planned_groups(loads, seed):
    """Requests per group that the loads send, from the load generator's own plan (answered: all)."""
    counts = []
    total_canary = total_control = 0
    for k, (duration_s, rate_per_s, readers) in enumerate(loads):
        count = round(duration_s * rate_per_s)  # as loadgen.run counts them
        slots = [reader_slot(r["reader"]) for r in plan(count, readers=readers, seed=seed + k)]
        total_canary += sum(s < 30 for s in slots)
        total_control += sum(30 <= s < 60 for s in slots)
        counts.append((total_canary, total_control))
    return counts


@pytest.mark.parametrize("loads", [LESSON_LOADS, LAB_LOADS], ids=["lesson", "lab"])
def test_the_first_look_is_too_few_requests_and_the_second_is_enough_over_seeds(loads):
    """Lesson 4 and Lab 4: the first verdict is "wait" (too few requests); after the second load
    each group has enough requests, and enough canary requests for a promotion with no errors."""
    for seed in range(100):
        (first_canary, first_control), (canary_n, control_n) = _planned_groups(loads, seed)
        assert max(first_canary, first_control) < POLICY.min_requests, seed
        assert min(canary_n, control_n) >= POLICY.min_requests and canary_n >= 190, seed
        assert 0.75 < canary_n / control_n < 1.33, seed  # equal-size groups
        # with no errors, and as many slow requests (2 %) on both sides, those counts promote
        groups = [Cohort(n, slow=round(0.02 * n)) for n in (canary_n, control_n)]
        assert model.judge(*groups, elapsed_s=3.0, policy=POLICY).decision == "promote", seed
        if loads is LESSON_LOADS:  # "after one second ... 20 to 45 requests ... now about 300"
            assert 20 <= min(first_canary, first_control) and max(first_canary, first_control) <= 45, seed
            assert 250 <= min(canary_n, control_n) and max(canary_n, control_n) <= 360, seed


def test_start_checks_its_arguments_without_a_fleet_running_a_canary():
    class _Fleet:  # only what start() reads before it changes anything
        slo = type("SLO", (), {"threshold_s": 0.05})()

        def in_service(self):
            return []

    with pytest.raises(ValueError, match="percent"):
        canary.start(_Fleet(), "2.1.1", percent=60)
    with pytest.raises(ValueError, match="version"):
        canary.start(_Fleet(), "9.9", percent=30)
    with pytest.raises(ValueError, match="in service"):
        canary.start(_Fleet(), "2.1.1", percent=30)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_on_a_fleet_the_fix_waits_then_promotes_and_the_log_agrees_with_the_readers(seed):
    from pageturn.live.fleet import Fleet

    with Fleet(size=3, version="2.1", seed=seed) as fleet:
        with pytest.raises(ValueError, match="stable"):
            canary.start(fleet, "2.1", percent=30)
        # starting again (a notebook cell run twice) replaces the canary: the first one ends
        replaced = canary.start(fleet, "2.1-bad", percent=20)
        run = canary.start(fleet, "2.1.1", percent=30)
        assert not replaced.running() and replaced.stopped_s <= run.started_s and run.running()
        assert all(fleet.instances[n].state()["canary_version"] == "2.1.1" for n in fleet.in_service())
        (duration_s, rate_per_s, readers), (more_s, more_rate, _) = LESSON_LOADS
        first = fleet.load(duration_s=duration_s, rate_per_s=rate_per_s, readers=readers, seed=seed)
        early = run.verdict(POLICY)
        assert early.decision == "wait" and "too few requests" in early.reason
        second = fleet.load(duration_s=more_s, rate_per_s=more_rate, readers=readers, seed=seed + 1)
        verdict = run.verdict(POLICY)
        # "On a very busy machine ... the judge may still say wait: run the cell above again"
        more = [second]
        for k in range(3):
            if verdict.decision != "wait":
                break
            more.append(fleet.load(duration_s=more_s, rate_per_s=more_rate, readers=readers, seed=seed + 10 + k))
            verdict = run.verdict(POLICY)
        assert verdict.decision == "promote", str(verdict)  # a good fix is never rolled back
        # the judge is Lesson 3's, on the counts the run reports
        canary_group, control_group, elapsed = run.evidence()
        assert model.judge(canary_group, control_group, elapsed, POLICY).decision == "promote"
        # the balancer's log and the readers' side agree on each group's requests and errors,
        # and the canary's readers met 2.1.1, the control's 2.1
        frame = pd.concat([first, *more])
        readers_side = model.cohorts(frame, 30, threshold_ms=50)
        logged = (canary_group, control_group)
        assert [(g.requests, g.errors) for g in readers_side] == [(g.requests, g.errors) for g in logged]
        slot = frame["reader"].map(reader_slot)
        assert set(frame[slot < 30]["version"]) == {"2.1.1"}
        assert set(frame[(slot >= 30) & (slot < 60)]["version"]) == {"2.1"}
        # promote: the window closes, everyone gets the fix, and the evidence stays as it was
        run.promote()
        frozen = run.elapsed_s()
        fleet.load(duration_s=0.3, rate_per_s=100, readers=readers, seed=seed + 2)
        assert run.elapsed_s() == frozen and run.evidence()[:2] == logged
        assert {fleet.instances[n].state()["version"] for n in fleet.in_service()} == {"2.1.1"}
        assert {fleet.instances[n].state()["canary_version"] for n in fleet.in_service()} == {None}


@pytest.mark.slow
def test_on_a_fleet_a_bad_build_is_rolled_back():
    from pageturn.live.fleet import Fleet

    # 2.1-bad's errors would page and quarantine an instance (whose replacement runs no canary): not here
    with Fleet(size=3, version="2.1", seed=4, auto_quarantine=False) as fleet:
        run = canary.start(fleet, "2.1-bad", percent=30)
        fleet.load(duration_s=3.0, rate_per_s=300, readers=100, seed=4)
        verdict = run.verdict(POLICY)
        assert verdict.decision == "roll back", str(verdict)
        run.roll_back()
        assert {fleet.instances[n].state()["canary_version"] for n in fleet.in_service()} == {None}
        # a canary that the fleet stopped running some other way is not counted as if it still ran
        other = canary.start(fleet, "2.1.1", percent=30)
        fleet.set_version("2.1.1")
        with pytest.raises(ValueError, match="no longer runs"):
            other.verdict(POLICY)
