"""The running Pageturn, tested over real HTTP on 127.0.0.1 (no mocks of the server)."""

import math
import socket
import threading
import time

import pytest

from pageturn.live import app as pageturn_app
from pageturn.live import appmetrics, loadgen
from pageturn.live.sanity import request_json


@pytest.fixture
def pt():
    handle = pageturn_app.start(fresh=True)
    try:
        yield handle
    finally:
        handle.stop()


def call(handle, method, path, body=None, headers=None):
    return request_json(handle.url, method, path, body, headers)


def wait_until(predicate, timeout_s=10.0, every_s=0.02):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return predicate()


# ---------------------------------------------------------------------- routes
def test_log_list_search_and_health(pt):
    status, headers, data = call(pt, "POST", "/books", {"reader": "ana", "title": " Dune ", "author": "Herbert"})
    assert status == 201 and data["book"]["title"] == "Dune" and data["count"] == 1
    assert headers["X-Pageturn-Version"] == "2.0"
    call(pt, "POST", "/books", {"reader": "ana", "title": "Middlemarch"})
    call(pt, "POST", "/books", {"reader": "ben", "title": "Dune Messiah"})
    status, _, data = call(pt, "GET", "/books?reader=ana")
    assert status == 200 and [b["title"] for b in data["books"]] == ["Dune", "Middlemarch"]
    status, _, data = call(pt, "GET", "/search?reader=ana&q=dune")
    assert status == 200 and [b["title"] for b in data["books"]] == ["Dune"]
    status, _, data = call(pt, "GET", "/health")
    assert status == 200 and data["status"] == "ok" and data["version"] == "2.0"
    status, _, data = call(pt, "GET", "/books?reader=nobody")
    assert status == 200 and data["books"] == []


@pytest.mark.parametrize(
    "method, path, body, status, words",
    [
        ("POST", "/books", {"title": "Dune"}, 400, "reader is missing"),
        ("POST", "/books", {"reader": "ana"}, 400, "title must be a non-empty string"),
        ("POST", "/books", {"reader": "ana", "title": "   "}, 400, "title must be a non-empty string"),
        ("POST", "/books", {"reader": "a b", "title": "Dune"}, 400, "reader must be 1 to 64"),
        ("POST", "/books", ["not", "an", "object"], 400, "body must be a JSON object"),
        ("GET", "/books", None, 400, "reader is missing"),
        ("GET", "/search?reader=ana", None, 400, "q must be 1 to 100 characters"),
        ("GET", "/nowhere", None, 404, "no route /nowhere"),
        ("DELETE", "/books", None, 405, "accepts GET, POST"),
        ("GET", "/admin/state", None, 403, "X-Admin-Token"),
        ("POST", "/admin/version", {"version": "2.1"}, 403, "X-Admin-Token"),
    ],
)
def test_bad_requests_get_4xx_with_a_clear_message(pt, method, path, body, status, words):
    got, _, data = call(pt, method, path, body)
    assert got == status
    assert words in data["error"]


def test_broken_json_and_huge_bodies_are_refused(pt):
    import http.client

    for payload, status, words in [(b"{not json", 400, "body must be JSON"), (b"x" * 20_000, 413, "body too large")]:
        connection = http.client.HTTPConnection("127.0.0.1", pt.port, timeout=5)
        try:
            connection.request("POST", "/books", body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == status
            assert words in response.read().decode()
        finally:
            connection.close()


def test_admin_routes_work_with_the_token(pt):
    token = {"X-Admin-Token": pt.admin_token}
    status, _, data = call(pt, "POST", "/admin/version", {"version": "2.1"}, token)
    assert status == 200 and data["state"]["version"] == "2.1"
    status, _, data = call(pt, "POST", "/admin/canary", {"version": "2.1-bad", "percent": 25}, token)
    assert status == 200 and data["state"]["canary_percent"] == 25
    status, _, data = call(pt, "POST", "/admin/canary", {"version": "2.9", "percent": 25}, token)
    assert status == 400 and "version must be one of" in data["error"]
    status, _, data = call(pt, "POST", "/admin/rollback", {}, token)
    assert status == 200 and data["state"]["canary_version"] is None
    status, _, data = call(pt, "GET", "/admin/logs?last=3", None, token)
    assert status == 200 and len(data["events"]) == 3


def test_version_pinning_needs_the_token_and_a_serving_version(pt):
    status, _, _ = call(pt, "GET", "/books?reader=ana", headers={"X-Pageturn-Version": "2.0"})
    assert status == 403
    token = {"X-Admin-Token": pt.admin_token}
    status, _, data = call(pt, "GET", "/books?reader=ana", headers={**token, "X-Pageturn-Version": "2.1"})
    assert status == 400 and "serving now" in data["error"]
    pt.set_canary("2.1", 5)
    status, headers, _ = call(pt, "GET", "/books?reader=ana", headers={**token, "X-Pageturn-Version": "2.1"})
    assert status == 200 and headers["X-Pageturn-Version"] == "2.1"


# ---------------------------------------------------------------------- versions and canary
def test_set_version_and_rollback(pt):
    pt.set_version("2.1")
    assert call(pt, "GET", "/health")[1]["X-Pageturn-Version"] == "2.1"
    assert pt.rollback() == "2.0"
    assert call(pt, "GET", "/health")[1]["X-Pageturn-Version"] == "2.0"
    assert pt.rollback() == "2.0"  # nothing left to undo: unchanged, and logged
    assert pt.logs()["event"].iloc[-1] == "rollback_nothing_to_undo"


def test_canary_share_is_close_to_the_request_and_stable_per_reader(pt):
    readers = [f"reader-{i}" for i in range(20_000)]
    share = sum(pageturn_app.reader_slot(r) < 10 for r in readers) / len(readers)
    assert share == pytest.approx(0.10, abs=0.01)

    pt.set_canary("2.1-bad", 10)
    sample = readers[:300]
    first = {r: call(pt, "GET", f"/books?reader={r}")[1]["X-Pageturn-Version"] for r in sample}
    on_canary = [r for r, v in first.items() if v == "2.1-bad"]
    assert 0.05 <= len(on_canary) / len(sample) <= 0.15
    assert all(first[r] == pt.version_for(r) for r in sample)
    again = {r: call(pt, "GET", f"/books?reader={r}")[1]["X-Pageturn-Version"] for r in sample[:100]}
    assert all(again[r] == first[r] for r in again)  # stable per reader
    pt.set_canary("2.1-bad", 30)
    assert all(pt.version_for(r) == "2.1-bad" for r in on_canary)  # a wider canary keeps its readers
    pt.rollback()
    assert {pt.version_for(r) for r in sample} == {"2.0"}


# ---------------------------------------------------------------------- metrics
def test_metrics_count_exactly_the_requests_sent(pt):
    from prometheus_client.parser import text_string_to_metric_families

    for i in range(5):
        call(pt, "POST", "/books", {"reader": "ana", "title": f"Book {i}"})
    for _ in range(7):
        call(pt, "GET", "/books?reader=ana")
    for _ in range(3):
        call(pt, "GET", "/search?reader=ana&q=book")
    call(pt, "GET", "/search?reader=ana")  # 400

    status, _, text = call(pt, "GET", "/metrics")
    assert status == 200
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families["pageturn_request_duration_seconds"].type == "histogram"
    assert families["pageturn_requests"].type == "counter"

    scrape = appmetrics.parse(text)
    counts = appmetrics.request_counts(scrape).set_index(["route", "status"])["requests"]
    assert counts[("log_book", "201")] == 5
    assert counts[("my_books", "200")] == 7
    assert counts[("search", "200")] == 3
    assert counts[("search", "400")] == 1
    for route, sent in [("log_book", 5), ("my_books", 7), ("search", 4)]:
        table = appmetrics.histogram_table(scrape, route, "2.0")
        assert table["cumulative"].is_monotonic_increasing
        assert table["cumulative"].iloc[-1] == sent and math.isinf(table["le_s"].iloc[-1])
        assert table["in_bucket"].sum() == sent
    books = scrape[scrape["sample"] == "pageturn_books_stored"]["value"].iloc[0]
    assert books == 5


def test_two_apps_keep_separate_metrics():
    a = pageturn_app.start(fresh=True)
    b = pageturn_app.start(fresh=True)
    try:
        assert a.registry is not b.registry and a.port != b.port
        for _ in range(3):
            call(a, "GET", "/health")
        call(b, "GET", "/health")

        def count(h):
            return appmetrics.request_counts(h.scrape()).query("route == 'health'")["requests"].sum()

        assert count(a) == 3 and count(b) == 1
    finally:
        a.stop()
        b.stop()


def test_share_slower_than_and_error_rate(pt):
    pt.set_version("2.1-bad")
    call(pt, "POST", "/books", {"reader": "ana", "title": "Dune"})
    call(pt, "GET", "/books?reader=ana")  # 500: the invariant breaks
    call(pt, "GET", "/books?reader=nobody")  # 200: no book to lose
    scrape = pt.scrape()
    assert appmetrics.error_rate(scrape, route="my_books") == pytest.approx(0.5)
    assert 0.0 <= appmetrics.share_slower_than(scrape, "my_books", "2.1-bad", 0.05) <= 1.0
    with pytest.raises(ValueError, match="seconds must be one of the bucket bounds"):
        appmetrics.share_slower_than(scrape, "my_books", "2.1-bad", 0.033)
    with pytest.raises(ValueError, match="no pageturn_request_duration_seconds buckets"):
        appmetrics.histogram_table(scrape, "search", "2.0")
    with pytest.raises(ValueError, match="scrape must be a DataFrame"):
        appmetrics.error_rate("not a scrape")
    with pytest.raises(ValueError, match="text must be Prometheus exposition text"):
        appmetrics.parse(42)


def _scrape_of(buckets_by_version):
    """An exposition text with one my_books histogram per version: {version: {le_s: cumulative}}."""
    lines = ["# TYPE pageturn_request_duration_seconds histogram"]
    for version, buckets in buckets_by_version.items():
        for le, n in buckets.items():
            le_text = "+Inf" if le == math.inf else repr(le)
            lines.append(
                f'pageturn_request_duration_seconds_bucket{{le="{le_text}",route="my_books",version="{version}"}} {n}'
            )
        lines.append(f'pageturn_request_duration_seconds_count{{route="my_books",version="{version}"}} {n}')
        lines.append(f'pageturn_request_duration_seconds_sum{{route="my_books",version="{version}"}} 1.0')
    return appmetrics.parse("\n".join(lines) + "\n")


def test_percentiles_are_read_off_the_buckets_as_prometheus_does():
    # 2.0: 100 requests, all in (0.002, 0.004]; canary: 10, half in (0.050, 0.075]
    scrape = _scrape_of(
        {
            "2.0": {0.002: 0, 0.004: 100, 0.050: 100, 0.075: 100, math.inf: 100},
            "2.1-bad": {0.002: 0, 0.004: 5, 0.050: 5, 0.075: 10, math.inf: 10},
        }
    )
    table = appmetrics.percentiles(scrape, "my_books", ps=(50, 99))
    assert list(table.index) == ["all readers", "2.0", "2.1-bad"]
    assert table.loc["2.0", "p50 (ms)"] == pytest.approx(3.0)  # rank 50 of 100, halfway through 2-4 ms
    assert table.loc["2.0", "p99 (ms)"] == pytest.approx(3.98)
    # over all 110: rank 108.9 is the 3.9th of the 5 slow ones, in 50-75 ms
    assert table.loc["all readers", "p99 (ms)"] == pytest.approx(50 + 25 * 3.9 / 5)
    assert table.loc["2.1-bad", "p50 (ms)"] == pytest.approx(4.0)
    with pytest.raises(ValueError, match=r"ps must be in \[0, 100\], got 120"):
        appmetrics.percentiles(scrape, "my_books", ps=(120,))
    with pytest.raises(ValueError, match="no pageturn_request_duration_seconds buckets for route='search'"):
        appmetrics.percentiles(scrape, "search")


def test_observers_see_every_request(pt):
    seen = []
    pt.add_observer(seen.append)
    pt.add_observer(lambda record: 1 / 0)  # a broken observer is logged, requests still work
    call(pt, "GET", "/search?reader=ana&q=x")
    call(pt, "GET", "/health")
    assert [(r.route, r.status, r.version) for r in seen] == [("search", 200, "2.0"), ("health", 200, "2.0")]
    assert all(r.seconds > 0 for r in seen)
    assert "observer_failed" in set(pt.logs()["event"])
    pt.remove_observer(seen.append)
    with pytest.raises(ValueError, match="function must be callable"):
        pt.add_observer("nope")


# ---------------------------------------------------------------------- asserts, logs, sanity
def test_the_bad_version_breaks_an_invariant_and_the_assert_turns_it_into_a_500(pt):
    call(pt, "POST", "/books", {"reader": "ana", "title": "Dune"})
    call(pt, "POST", "/books", {"reader": "ana", "title": "Emma"})
    pt.set_version("2.1-bad")
    status, _, data = call(pt, "GET", "/books?reader=ana")
    assert status == 500 and "every_book_listed" in data["error"]
    failed = pt.scrape().query("sample == 'pageturn_invariant_failures_total'")
    assert failed["invariant"].tolist() == ["every_book_listed"] and failed["value"].tolist() == [1.0]
    events = pt.logs(level="ERROR")
    assert "invariant_broken" in set(events["event"])

    pt.set_asserts(False)  # without the assert the bug is silent: a 200 with a book missing
    status, _, data = call(pt, "GET", "/books?reader=ana")
    assert status == 200 and data["count"] == 1
    pt.set_version("2.1")
    assert [b["title"] for b in call(pt, "GET", "/books?reader=ana")[2]["books"]] == ["Emma", "Dune"]


def test_log_level_changes_while_it_runs(pt):
    call(pt, "GET", "/books?reader=ana")
    assert "request" not in set(pt.logs()["event"])  # INFO: no per-request events
    pt.set_log_level("DEBUG")
    call(pt, "GET", "/books?reader=ana")
    debug = pt.logs(level="DEBUG")
    rows = debug[debug["event"] == "request"]
    assert len(rows) == 1 and rows["reader"].iloc[0] == "ana" and rows["version"].iloc[0] == "2.0"
    pt.set_log_level("ERROR")
    before = len(pt.log_events())
    call(pt, "GET", "/books?reader=ana")
    call(pt, "POST", "/books", {"reader": "ana"})  # a 400 is a WARNING: not kept at ERROR
    assert len(pt.log_events()) == before
    with pytest.raises(ValueError, match="level must be one of"):
        pt.set_log_level("LOUD")


def test_sanity_check_runs_on_schedule_and_catches_the_bad_version(pt):
    checker = pt.start_sanity(every_s=0.2)
    assert wait_until(lambda: len(checker.history()) >= 3)
    history = checker.history()
    assert history["ok"].all()
    gaps = history["at_s"].diff().dropna()
    assert (gaps >= 0.18).all()  # it waits between runs

    pt.set_version("2.1-bad")
    assert wait_until(lambda: not checker.last().ok)
    assert "2.1-bad" in checker.last().detail and "HTTP 500" in checker.last().detail
    pt.set_asserts(False)  # the silent bug: still caught
    assert wait_until(lambda: "missing from the list" in checker.last().detail)
    scrape = pt.scrape().query("sample == 'pageturn_sanity_checks_total'")
    assert set(scrape["result"]) == {"ok", "failed"}
    assert "sanity_failed" in set(pt.logs(level="ERROR")["event"])
    pt.stop_sanity()
    assert not checker.running


def test_sanity_checks_every_serving_version_of_a_canary(pt):
    pt.set_canary("2.1-bad", 1)  # hardly any reader; the check still looks at it
    checker = pt.start_sanity(every_s=5)
    assert wait_until(lambda: checker.last() is not None)
    assert not checker.last().ok and "2.0: ok" in checker.last().detail
    pt.stop_sanity()


def test_a_custom_sanity_check_and_a_crashing_one(pt):
    checker = pt.start_sanity(every_s=0.1, check=lambda url: url == pt.url)
    assert wait_until(lambda: checker.last() is not None and checker.last().ok)
    checker = pt.start_sanity(every_s=0.1, check=lambda url: 1 / 0)
    assert wait_until(lambda: checker.last() is not None)
    assert not checker.last().ok and "ZeroDivisionError" in checker.last().detail
    with pytest.raises(ValueError, match="every_s must be"):
        pt.start_sanity(every_s=0)


# ---------------------------------------------------------------------- start and stop
def test_start_reuses_the_running_app_unless_fresh():
    first = pageturn_app.start()
    try:
        assert pageturn_app.start() is first
        other = pageturn_app.start(fresh=True)
        assert other is not first
        other.stop()
    finally:
        first.stop()
    second = pageturn_app.start()
    try:
        assert second is not first and second.running
    finally:
        second.stop()


def test_a_taken_port_is_reported_clearly(pt):
    with pytest.raises(OSError, match=f"port {pt.port} on 127.0.0.1 is already taken"):
        pageturn_app.start(port=pt.port, fresh=True)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"version": "3.0"}, "version must be one of"),
        ({"port": 80}, "port must be in"),
        ({"log_level": "LOUD"}, "log_level must be one of"),
        ({"sanity_every_s": -1}, "sanity_every_s must be"),
        ({"asserts": "yes"}, "asserts must be True or False"),
    ],
)
def test_bad_start_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        pageturn_app.start(fresh=True, **kwargs)


def test_bad_change_arguments(pt):
    with pytest.raises(ValueError, match="percent must be in"):
        pt.set_canary("2.1", 120)
    with pytest.raises(ValueError, match="version must be one of"):
        pt.set_version("latest")
    with pytest.raises(ValueError, match="seconds must be in"):
        pt.stall(100)


def _pageturn_threads():
    return [t for t in threading.enumerate() if t.name.startswith("pageturn") or "process_request" in t.name]


def test_nothing_is_left_behind_after_stop():
    from pageturn.live import admin

    before = set(threading.enumerate())
    handle = pageturn_app.start(fresh=True, sanity_every_s=0.1)
    panel = admin.Admin(handle, refresh_s=0.2)
    loadgen.run(handle.url, rate_per_s=100, count=40, workers=4)
    port = handle.port
    assert wait_until(lambda: handle.sanity.last() is not None)
    panel.close()
    handle.stop()
    handle.stop()  # twice is fine
    assert not handle.running and handle not in pageturn_app.running()
    assert wait_until(lambda: set(threading.enumerate()) <= before, timeout_s=5)
    assert _pageturn_threads() == [t for t in before if t in _pageturn_threads()]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))  # the port is free again


def test_stop_all_stops_every_app():
    handles = [pageturn_app.start(fresh=True) for _ in range(2)]
    pageturn_app.stop_all()
    assert not any(h.running for h in handles)


# ---------------------------------------------------------------------- load generator
def test_load_runs_on_schedule_and_records_both_latencies(pt):
    frame = loadgen.run(pt.url, rate_per_s=100, count=60, workers=2, readers=10, seed=3)
    assert list(frame.columns) == loadgen.COLUMNS and len(frame) == 60
    assert (frame["status"] > 0).all() and frame["error"].isna().all()
    assert frame["due_s"].tolist() == pytest.approx([i / 100 for i in range(60)])
    assert (frame["sent_s"] >= frame["due_s"] - 1e-3).all()  # never sent early
    assert (frame["latency_from_due_ms"] >= frame["latency_ms"] - 1e-6).all()
    sent = appmetrics.request_counts(pt.scrape())
    answered = sent[sent["route"].isin(["log_book", "my_books", "search"])]["requests"].sum()
    assert answered == 60  # the app counted every one
    again = loadgen.plan(60, readers=10, seed=3)
    assert [p["route"] for p in again] == frame["route"].tolist()  # same seed, same plan


def test_a_stall_shows_in_latency_from_due_but_hardly_from_sent(pt):
    timer = threading.Timer(0.3, pt.stall, args=(0.5,))
    timer.start()
    frame = loadgen.run(pt.url, rate_per_s=100, duration_s=1.2, workers=1, mix={"search": 1})
    timer.join()
    slow_from_due = int((frame["latency_from_due_ms"] > 200).sum())
    slow_from_sent = int((frame["latency_ms"] > 200).sum())
    assert slow_from_due >= 10  # every reader who arrived during the stall waited
    assert slow_from_sent <= 2  # the naive tool saw one slow request
    table = loadgen.summary(frame)
    assert table.loc["p90", "from due (ms)"] > 5 * table.loc["p90", "from sent (ms)"]


def test_load_is_bounded_by_its_time_limit(pt):
    frame = loadgen.run(pt.url, rate_per_s=10, count=50, workers=1, max_wall_s=0.5)
    not_sent = frame[frame["error"] == "not sent: time limit"]
    assert len(not_sent) >= 40 and not_sent["status"].eq(0).all()
    assert frame.loc[frame["status"] > 0, "due_s"].max() < 0.5


def test_load_to_a_stopped_app_records_errors_not_exceptions():
    handle = pageturn_app.start(fresh=True)
    url = handle.url
    handle.stop()
    frame = loadgen.run(url, rate_per_s=200, count=5, workers=1)
    assert (frame["status"] == 0).all() and frame["error"].str.contains("Connection").all()


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"rate_per_s": 0}, "rate_per_s must be"),
        ({"count": 10, "duration_s": 1}, "not both"),
        ({"rate_per_s": 1, "count": 500}, "at most 120 s of load"),
        ({"workers": 0}, "workers must be"),
        ({"mix": {"delete_everything": 1}}, "mix route must be one of"),
        ({"mix": {"search": 0}}, "positive total weight"),
    ],
)
def test_bad_load_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        loadgen.run("http://127.0.0.1:9", **kwargs)
    with pytest.raises(ValueError, match="url must look like"):
        loadgen.run("http://example.com:80", count=1)


def test_difference_of_two_scrapes_counts_one_window(pt):
    call(pt, "GET", "/search?reader=ana&q=x")
    before = pt.scrape()
    for _ in range(4):
        call(pt, "GET", "/search?reader=ana&q=x")
    call(pt, "POST", "/books", {"reader": "ana", "title": "Dune"})
    window = appmetrics.difference(pt.scrape(), before)
    counts = appmetrics.request_counts(window).set_index(["route", "status"])["requests"]
    assert counts[("search", "200")] == 4 and counts[("log_book", "201")] == 1
    assert appmetrics.histogram_table(window, "search", "2.0")["cumulative"].iloc[-1] == 4
    books = window[window["sample"] == "pageturn_books_stored"]["value"].iloc[0]
    assert books == 1  # a gauge keeps its value


def test_a_run_ends_at_its_time_limit_without_waiting_for_later_slots(pt):
    started = time.monotonic()
    frame = loadgen.run(pt.url, rate_per_s=2, count=100, workers=1, max_wall_s=0.3)
    assert frame["error"].eq("not sent: time limit").sum() == 99
    assert time.monotonic() - started < 30  # the planned 50 s of slots were not waited for


def test_a_python_process_that_forgets_to_stop_still_exits_and_frees_the_port():
    import subprocess
    import sys

    script = (
        "from pageturn.live import app, admin; pt = app.start(sanity_every_s=0.1); "
        "panel = admin.Admin(pt, refresh_s=0.2); print(pt.port, flush=True)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    port = int(done.stdout.split()[0])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_start_on_a_chosen_free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handle = pageturn_app.start(port=port, fresh=True)
    try:
        assert handle.port == port and handle.url == f"http://127.0.0.1:{port}"
        assert call(handle, "GET", "/health")[0] == 200
    finally:
        handle.stop()


def test_each_version_lists_books_as_its_description_says():
    import random

    from pageturn.live import versions

    books = [
        {"id": 1, "logged_at": 100.0, "title": "A"},
        {"id": 2, "logged_at": "1970-01-01T00:05:00", "title": "B"},  # imported: its date came as text (300 s)
        {"id": 3, "logged_at": 200.0, "title": "C"},
    ]
    assert [b["id"] for b in versions.shown_books(books, "2.0")] == [1, 2, 3]  # oldest first
    assert [b["id"] for b in versions.shown_books(books, "2.1.1")] == [2, 3, 1]  # newest first, text dates read
    numeric = [b for b in books if b["id"] != 2]
    assert [b["id"] for b in versions.shown_books(numeric, "2.1")] == [3, 1]
    assert [b["id"] for b in versions.shown_books(numeric, "2.1-bad")] == [1]  # the newest is left out
    assert set(versions.VERSIONS) == set(versions.SPEED)
    rng = random.Random(0)
    assert versions.service_seconds("admin", "2.0", None, rng) == 0.0
    slow = [versions.service_seconds("my_books", "2.1-bad", f"r{i}", rng) for i in range(400)]
    share = sum(s > 0.02 for s in slow) / len(slow)
    assert 0.3 < share < 0.5  # "adds about 40 ms for about 40 % of readers"
