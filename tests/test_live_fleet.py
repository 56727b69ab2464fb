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


def _until(condition, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def test_quarantine_drains_a_write_in_flight_and_holds_new_ones_for_the_replacement():
    """Sam loses nothing: a write in flight when the quarantine starts is in the snapshot and
    on the replacement; a write sent while it is being handed over waits and lands there too."""
    with Fleet(seed=12, scrape_every_s=10, auto_quarantine=False) as fleet:
        victim = "pageturn-2"
        reader = fleet.readers_on(victim, fleet.reader_ids(50))[0]
        done = {}

        def write(key, title):
            body = {"reader": reader, "title": title, "author": "A. Writer"}
            done[key] = _get(fleet.url, "/books", {"Content-Type": "application/json"}, "POST", body)

        fleet.instances[victim].stall(2.0)  # the write reaches the instance and waits there
        in_flight = threading.Thread(target=write, args=("in flight", "Written in flight"))
        in_flight.start()
        _until(lambda: fleet.balancer.in_flight(victim) == 1)
        quarantine = threading.Thread(target=lambda: done.setdefault("record", fleet.quarantine(victim)))
        quarantine.start()
        _until(lambda: victim not in fleet.balancer.members())
        assert fleet.balancer.in_flight(victim) == 1 and "record" not in done  # draining: it waits
        meanwhile = threading.Thread(target=write, args=("meanwhile", "Written meanwhile"))
        meanwhile.start()
        for thread in (in_flight, quarantine, meanwhile):
            thread.join(15)
        record = done["record"]
        assert record.drained and done["in flight"][0] == 201 and done["meanwhile"][0] == 201
        assert "Written in flight" in [b["title"] for b in record.snapshot["books"][reader]]
        assert done["meanwhile"][1]["X-Pageturn-Instance"] == record.replacement
        titles = [b["title"] for b in fleet.instances[record.replacement].books_of(reader)]
        assert titles.count("Written in flight") == 1 and titles.count("Written meanwhile") == 1
        assert fleet.balancer.route(reader) == record.replacement


def test_a_held_slot_lets_its_readers_go_when_released():
    with Fleet(seed=13, scrape_every_s=10, auto_quarantine=False) as fleet:
        reader = fleet.readers_on("pageturn-1", fleet.reader_ids(50))[0]
        slot = fleet.balancer.slot_of("pageturn-1")
        with pytest.raises(ValueError, match="hold"):
            fleet.balancer.remove("pageturn-1", hold="yes")
        fleet.balancer.remove("pageturn-1", hold=True)
        assert fleet.balancer.route(reader) is None  # held: waiting for a replacement
        fleet.balancer.unhold(slot)
        assert fleet.balancer.route(reader) in {"pageturn-2", "pageturn-3"}


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


def _reachable(roots):
    """Every object reachable from ``roots`` by following references, without entering modules,
    module namespaces or classes: those are code that any line of Python can import anyway."""
    import gc
    import types

    module_dicts = {id(vars(m)) for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)}
    seen, todo = {}, list(roots)
    while todo:
        obj = todo.pop()
        if id(obj) in seen or id(obj) in module_dicts or isinstance(obj, (types.ModuleType, type)):
            continue
        seen[id(obj)] = obj
        todo.extend(gc.get_referents(obj))
    return list(seen.values())


def test_the_console_is_given_nothing_that_reaches_the_fleet_or_another_instance(night):
    from pageturn.live.app import Pageturn
    from pageturn.live.console import DebugServer

    fleet, injected, _ = night
    console = fleet.console("pageturn-2", fleet.admin_token)
    reader = fleet.failed_reader("pageturn-2")
    # the journey it is given still works, on this instance's own records
    assert "request_failed" in console.run(f"journey({reader!r})['instance_event'].tolist()")
    given = [value for key, value in console.namespace.items() if key != "__builtins__"]
    found = _reachable(given)
    assert not [type(o).__name__ for o in found if isinstance(o, (Fleet, Balancer, DebugServer))]
    assert [o for o in found if isinstance(o, Pageturn)] == [fleet.instances["pageturn-2"]]
    rings = [o for o in found if type(o).__name__ == "_RingHandler"]  # no other instance's logs either
    assert rings == [fleet.instances["pageturn-2"]._ring]
    # what an audit typed into pageturn-2's console to change pageturn-1 now finds nothing to follow
    out = console.run("journey.__self__.instances['pageturn-1'].set_version('2.1.1')")
    assert "AttributeError" in out and fleet.instances["pageturn-1"].state()["version"] == "2.1"


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


def test_an_interrupted_load_stops_its_senders():
    code = (
        "import os, signal, threading, time\nfrom pageturn.live.fleet import Fleet\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "with Fleet(seed=9, scrape_every_s=10) as fleet:\n"
        "    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()\n"  # Ctrl-C 0.5 s into 20 s
        "    started = time.monotonic()\n"
        "    try:\n        fleet.load(duration_s=20, rate_per_s=40)\n"
        "    except KeyboardInterrupt:\n"
        "        print(round(time.monotonic() - started, 1), flush=True)\n"
        "print([t.name for t in threading.enumerate() if t.name.startswith('pageturn')], flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    stopped_after_s, left = done.stdout.split("\n")[:2]
    assert float(stopped_after_s) < 10 and left == "[]", done.stderr


@pytest.mark.slow
def test_interrupting_a_cell_in_a_jupyter_kernel_closes_the_fleet():
    """The kernel's Interrupt button raises KeyboardInterrupt in the cell and the kernel lives on:
    the fleet closes itself after that cell (and only after an interrupted one)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:

        def run(code, **expressions):
            reply = kc.execute_interactive(code, user_expressions=expressions, timeout=60, output_hook=lambda m: None)
            return reply["content"]

        start = "from pageturn.live.fleet import Fleet\nfleet = Fleet(seed=14)\nports = [fleet.balancer.port]"
        assert run(start)["status"] == "ok"
        assert run("1/0")["ename"] == "ZeroDivisionError"  # an ordinary error closes nothing
        assert run("", up="fleet.running")["user_expressions"]["up"]["data"]["text/plain"] == "True"
        msg_id = kc.execute("print('loading', flush=True)\nfleet.load(duration_s=30, rate_per_s=40)")
        while True:  # wait until the cell is under way
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") == msg_id and "loading" in msg["content"].get("text", ""):
                break
        time.sleep(0.5)
        km.interrupt_kernel()
        outputs = []
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            outputs.append(msg)
        assert any(m["msg_type"] == "error" and m["content"]["ename"] == "KeyboardInterrupt" for m in outputs)
        assert any("Interrupted: closed 1 fleet" in m["content"].get("text", "") for m in outputs)
        check = run(
            "import threading, socket\n"
            "left = [t.name for t in threading.enumerate() if t.name.startswith('pageturn')]\n"
            "with socket.socket() as s:\n    port_open = s.connect_ex(('127.0.0.1', ports[0])) == 0",
            state="(fleet.running, left, port_open)",
        )
        assert check["user_expressions"]["state"]["data"]["text/plain"] == "(False, [], False)"
        refused = run("fleet.load(duration_s=1)")
        assert refused["ename"] == "RuntimeError" and "closed" in refused["evalue"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


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
