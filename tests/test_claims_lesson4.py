"""What Lesson 4's text says about its night, checked over several seeds (not one lucky run).

The lesson runs the procedure below with seed 0; a learner who changes the seed must see the same story.
"""

import pytest

from pageturn.live import canary
from pageturn.live.fleet import Fleet
from pageturn.live.sanity import request_json

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("seed", range(4))
def test_the_lessons_night_over_seeds(seed):
    with Fleet(size=3, version="2.1", seed=seed) as fleet:
        fleet.load(duration_s=1.0, rate_per_s=80, readers=50, seed=seed)
        assert fleet.alerts == []  # a normal evening: no page
        key = fleet.inject("pageturn-2", kind="text-date", share=0.3, seed=seed)
        fleet.load(duration_s=3.0, rate_per_s=80, readers=50, seed=seed + 1)
        alert = fleet.wait_for_alert(5)
        # "It names pageturn-2 ... no other instance shows any error."
        assert alert is not None and [a.instance for a in fleet.alerts] == ["pageturn-2"]
        failed = [r for r in fleet.balancer.records() if r["status"] >= 500]
        assert {r["instance"] for r in failed} == {"pageturn-2"}
        # "After the quarantine, nobody does." / records held back by the restore
        q = fleet.quarantined["pageturn-2"]
        table = fleet.affected("pageturn-2").set_index("period")
        assert table.loc["before", "readers_failed"] >= 1 and table.loc["after", "failed"] == 0
        assert len(q.held_back) == len(key.readers)
        # "a fraction of a second after the first error"
        first_error = min(r["time_s"] for r in failed)
        assert 0 < q.at_s - first_error < 1.0
        # "one book has a number ..., another has text"
        reader = fleet.failed_reader("pageturn-2")
        dates = [b["logged_at"] for b in q.snapshot["books"][reader]]
        assert any(isinstance(d, str) for d in dates) and any(isinstance(d, float) for d in dates)
        # the bench: 2.1 fails, 2.1.1 serves the failed reader
        bench = fleet.instances["pageturn-2"]
        assert request_json(bench.url, "GET", f"/books?reader={reader}")[0] == 500
        bench.set_version("2.1.1")
        assert request_json(bench.url, "GET", f"/books?reader={reader}")[0] == 200
        # the canary's verdict is promote
        before = fleet.scrape()
        fleet.set_canary("2.1.1", 30)
        fleet.load(duration_s=2.5, rate_per_s=100, readers=50, seed=seed + 2)
        verdict = canary.verdict(canary.compare(before, fleet.scrape(), control="2.1", candidate="2.1.1"))
        assert verdict == "promote"
        # rollout, readmit: the poisoned reader now sees their imported book
        fleet.set_version("2.1.1")
        assert fleet.readmit("pageturn-2") == len(key.readers)
        status, _, data = request_json(fleet.url, "GET", f"/books?reader={reader}")
        assert status == 200 and any(isinstance(b["logged_at"], str) for b in data["books"])
        fleet.release("pageturn-2")
        assert "pageturn-2" not in fleet.instances
