"""The live fleet: instances behind a balancer, a fault on one, the alert, quarantine, debug, fix, clean exit."""

import http.client
import json
import subprocess
import sys
import threading
import time

import pytest

from pageturn.live import faults
from pageturn.live.balancer import Balancer, home
from pageturn.live.fleet import Fleet


def _ports(fleet):
    return [a.port for a in fleet.instances.values()] + [fleet.balancer.port, fleet.debug.port]


def _left(ports):
    """Threads still alive that belong to servers on ``ports`` (names carry the port)."""
    return [t.name for t in threading.enumerate() if any(str(p) in t.name for p in ports)]


def _port_open(port):
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _get(url, path, headers=None, method="GET", body=None):
    port = int(url.rsplit(":", 1)[1])
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request(method, path, body=None if body is None else json.dumps(body), headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def _night(seed, kind="text-date", victim="pageturn-2"):
    """Warm up, inject, load until the alert and quarantine; return (fleet, injected, frame)."""
    fleet = Fleet(seed=seed)
    fleet.load(duration_s=1.0, rate_per_s=80, seed=seed)  # a normal night first
    injected = fleet.inject(victim, kind=kind, seed=seed)
    frame = fleet.load(duration_s=3.0, rate_per_s=80, seed=seed + 1)
    return fleet, injected, frame


@pytest.fixture(scope="module")
def night():
    fleet, injected, frame = _night(0)
    yield fleet, injected, frame
    fleet.close()


def test_rendezvous_hashing_moves_only_the_removed_instances_readers():
    readers = [f"r{i}" for i in range(300)]
    before = {r: home(r, ["a", "b", "c"]) for r in readers}
    after = {r: home(r, ["a", "c"]) for r in readers}
    assert all(after[r] == before[r] for r in readers if before[r] != "b")
    assert 60 < sum(v == "b" for v in before.values()) < 140


def test_every_instance_has_its_own_port_metrics_logs_and_data(night):
    fleet, _, _ = night
    ports = {app.port for app in fleet.instances.values()} | {fleet.balancer.port, fleet.debug.port}
    assert len(ports) == len(fleet.instances) + 2
    registries = {id(app.registry) for app in fleet.instances.values()}
    assert len(registries) == len(fleet.instances)
    books = [app.state()["books"] for app in fleet.instances.values()]
    assert all(b > 0 for b in books[:3])


def test_request_ids_are_logged_by_balancer_and_instance(night):
    fleet, _, _ = night
    status, headers, _ = _get(fleet.url, "/books?reader=reader-00007")
    rid, where = headers["X-Request-Id"], headers["X-Pageturn-Instance"]
    assert any(r["request_id"] == rid and r["instance"] == where for r in fleet.balancer.records())
    assert any(e.get("request_id") == rid for e in fleet.instances[where].log_events())


def test_the_fault_hits_only_its_instance_and_only_some_readers(night):
    fleet, injected, frame = night
    failed = fleet.balancer.records()
    bad = [r for r in failed if r["status"] >= 500]
    assert bad and {r["instance"] for r in bad} == {"pageturn-2"}
    assert {r["reader"] for r in bad} <= set(injected.readers)
    assert 0 < len(injected.readers) < len(fleet.reader_ids())


@pytest.mark.parametrize(
    "seed,kind,victim",
    [(1, "text-date", "pageturn-1"), (2, "missing-date", "pageturn-3"), (3, "text-date", "pageturn-3")],
)
def test_alert_quarantine_and_replacement_over_seeds_and_faults(seed, kind, victim):
    fleet, injected, frame = _night(seed, kind, victim)
    ports = _ports(fleet)
    try:
        assert [a.instance for a in fleet.alerts] == [victim]
        alert = fleet.alerts[0]
        assert alert.link == fleet.debug_link(victim) and alert.link in alert.message()
        q = fleet.quarantined[victim]
        assert victim not in fleet.in_service() and q.replacement in fleet.in_service()
        assert fleet.instances[victim].running  # kept, state intact
        assert len(q.held_back) == len(injected.readers)
        assert {b["logged_at"] for b in [h["book"] for h in q.held_back]} >= {injected.bad_value}
        counts = fleet.affected(victim).set_index("period")
        assert counts.loc["before", "readers_failed"] >= 1
        assert counts.loc["after", "failed"] == 0
        # the replacement serves the same readers, with their good books restored
        reader = injected.readers[0]
        status, headers, body = _get(fleet.url, f"/books?reader={reader}")
        assert status == 200 and headers["X-Pageturn-Instance"] == q.replacement
        assert json.loads(body)["count"] >= 1
    finally:
        ports = _ports(fleet)
        fleet.close()
    assert _left(ports) == [] and not any(_port_open(p) for p in ports)


def test_no_alert_without_a_fault():
    with Fleet(seed=4) as fleet:
        fleet.load(duration_s=2.0, rate_per_s=80, seed=4)
        fleet.check_once()
        assert fleet.alerts == [] and fleet.quarantined == {}


def test_journey_joins_balancer_and_instance_by_request_id(night):
    fleet, _, _ = night
    reader = fleet.failed_reader("pageturn-2")
    journey = fleet.journey(reader)
    assert (journey["reader"] == reader).all()
    failed = journey[journey["status"] >= 500]
    assert len(failed) >= 1
    assert (failed["instance"] == "pageturn-2").all() and (failed["instance_event"] == "request_failed").all()


def test_console_needs_the_token_and_a_quarantined_instance(night):
    fleet, injected, _ = night
    with pytest.raises(PermissionError, match="token"):
        fleet.console("pageturn-2", "not-the-token")
    for name in fleet.in_service():
        with pytest.raises(PermissionError, match="quarantined"):
            fleet.console(name, fleet.admin_token)
    console = fleet.console("pageturn-2", fleet.admin_token)
    assert repr(injected.bad_value) in console.run("[b['logged_at'] for b in bad_records(snapshot)]")
    assert console.run("x = 40\nprint(x + 2)") == "42\n"
    assert "ZeroDivisionError" in console.run("1/0")


def test_debug_page_over_http(night):
    fleet, injected, _ = night
    link = fleet.alerts[0].link
    path = "/" + link.split("/", 3)[3]
    status, _, page = _get(fleet.debug_url, path)
    assert status == 200 and b"Admin token" in page and injected.bad_value.encode() not in page
    assert _get(fleet.debug_url, path + "/data")[0] == 403
    status, _, data = _get(fleet.debug_url, path + "/data", {"X-Admin-Token": fleet.admin_token})
    assert b"NaN" not in data, "a browser's JSON.parse refuses NaN"
    data = json.loads(data)
    assert status == 200 and data["reader"] in injected.readers and data["logs"] and data["journey"]
    assert any(isinstance(b["logged_at"], str) for b in data["snapshot"]["reader_books"])
    token = {"X-Admin-Token": fleet.admin_token, "Content-Type": "application/json"}
    status, _, out = _get(fleet.debug_url, path + "/console", token, "POST", {"code": "app.state()['version']"})
    assert status == 200 and json.loads(out)["output"] == "'2.1'\n"
    serving = fleet.in_service()[0]
    status, _, out = _get(fleet.debug_url, f"/debug/{serving}/console", token, "POST", {"code": "1"})
    assert status == 409
    assert _get(fleet.debug_url, path + "/console", {}, "POST", {"code": "1"})[0] == 403


def test_fix_canary_rollout_readmit_release():
    from pageturn.live import canary
    from pageturn.model.canary import Policy

    fleet, injected, _ = _night(5)
    ports = _ports(fleet)
    try:
        victim = fleet.alerts[0].instance
        # on the bench: the quarantined instance, pinned to the fix, serves the failed reader
        app = fleet.instances[victim]
        reader = injected.readers[0]
        assert _get(app.url, f"/books?reader={reader}")[0] == 500
        app.set_version("2.1.1")
        assert _get(app.url, f"/books?reader={reader}")[0] == 200
        # the canary, against an equal-size control on 2.1, judged by Lesson 3's judge
        run = canary.start(fleet, "2.1.1", percent=30)
        fleet.load(duration_s=3.0, rate_per_s=300, readers=100, seed=9)
        policy = Policy(min_requests=150, min_duration_s=2.0, max_slow_points=5, max_error_points=2)
        verdict = run.verdict(policy)
        for k in range(3):  # a busy machine slows both sides: the judge waits, so send more readers
            if verdict.decision != "wait":
                break
            fleet.load(duration_s=2.0, rate_per_s=300, readers=100, seed=20 + k)
            verdict = run.verdict(policy)
        assert verdict.decision == "promote", str(verdict)
        assert victim not in {r["instance"] for r in fleet.balancer.records() if r["time_s"] >= run.started_s}
        run.promote()
        assert fleet.readmit(victim) == len(injected.readers)
        status, _, body = _get(fleet.url, f"/books?reader={reader}")
        assert status == 200 and any(isinstance(b["logged_at"], str) for b in json.loads(body)["books"])
        port = app.port
        fleet.release(victim)
        assert not _port_open(port)
        with pytest.raises(PermissionError):
            fleet.console(victim, fleet.admin_token)
    finally:
        fleet.close()
    assert _left(ports) == []


def test_close_leaves_no_thread_and_no_port():
    fleet = Fleet(seed=6)
    ports = _ports(fleet)
    fleet.load(duration_s=0.5, rate_per_s=40)
    fleet.close()
    fleet.close()
    assert _left(ports) == [] and not any(_port_open(p) for p in ports)


def test_interrupted_with_block_cleans_up():
    with pytest.raises(KeyboardInterrupt):
        with Fleet(seed=7) as fleet:
            ports = _ports(fleet)
            raise KeyboardInterrupt
    assert _left(ports) == [] and not any(_port_open(p) for p in ports)


def test_interrupted_process_exits_promptly_without_close():
    code = (
        "import os, signal, threading\nfrom pageturn.live.fleet import Fleet\n"
        "f = Fleet(seed=8)\nf.load(duration_s=0.3, rate_per_s=40)\nprint(f.url, flush=True)\n"
        # Ctrl-C as in a terminal, even when this test runs under a shell that started it with SIGINT ignored
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "os.kill(os.getpid(), signal.SIGINT)\nimport time; time.sleep(30)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "KeyboardInterrupt" in done.stderr and time.monotonic() - started < 30
    port = int(done.stdout.strip().rsplit(":", 1)[1])
    assert not _port_open(port)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="size"):
        Fleet(size=1)
    with pytest.raises(ValueError, match="kind"):
        faults.poisoned_import(None, ["r"], kind="gremlins")
    with Balancer() as balancer:
        with pytest.raises(ValueError, match="url"):
            balancer.add("x", "http://example.com:80")


def test_debug_panel_widget_shows_the_page_and_runs_the_console(night):
    from pageturn.live.debugview import DebugPanel

    fleet, injected, _ = night
    with pytest.raises(PermissionError):
        DebugPanel(fleet, fleet.in_service()[0], fleet.admin_token)
    with pytest.raises(PermissionError):
        DebugPanel(fleet, "pageturn-2", "wrong")
    panel = DebugPanel(fleet, "pageturn-2", fleet.admin_token)
    assert "PageturnErrorBudgetBurn" in panel.alert.value and "request_failed" in panel.journey.value
    assert "Imported" in panel.snapshot.value
    panel.code.value = "app.state()['version']"
    panel.run_button.click()
    assert "&#x27;2.1&#x27;" in panel.output.value or "'2.1'" in panel.output.value
