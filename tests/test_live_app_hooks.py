"""The small hooks Lesson 4 added to pageturn.live.app: request ids, the old-app import, snapshots, the 2.1.1 fix."""

import http.client
import json

import pytest

from pageturn.live import app as pageturn_app


@pytest.fixture()
def pt():
    handle = pageturn_app.start(fresh=True, version="2.1", log_level="DEBUG")
    yield handle
    handle.stop()


def _get(pt, path, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", pt.port, timeout=5)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), json.loads(r.read())
    finally:
        c.close()


def test_request_id_is_logged_and_echoed(pt):
    status, headers, _ = _get(pt, "/books?reader=ana", {"X-Request-Id": "req-42"})
    assert status == 200 and headers["X-Request-Id"] == "req-42"
    assert any(e.get("request_id") == "req-42" for e in pt.log_events())


def test_a_text_date_from_the_import_breaks_2_1_and_2_1_1_fixes_it(pt):
    pt.import_books(
        "ana", [{"title": "A", "logged_at": 1_600_000_000.0}, {"title": "B", "logged_at": "2019-03-04T21:15:00"}]
    )
    assert _get(pt, "/books?reader=ana")[0] == 500
    assert _get(pt, "/books?reader=bob")[0] == 200  # other readers are fine
    pt.set_version("2.1.1")
    status, _, body = _get(pt, "/books?reader=ana")
    assert status == 200 and [b["title"] for b in body["books"]] == ["A", "B"]  # 2020 before 2019: newest first
    pt.import_books("ana", [{"title": "C", "logged_at": None}])
    assert [b["title"] for b in _get(pt, "/books?reader=ana")[2]["books"]] == ["A", "B", "C"]


def test_snapshot_is_a_copy(pt):
    pt.import_books("ana", [{"title": "A", "logged_at": 1.0}])
    snap = pt.snapshot()
    snap["books"]["ana"][0]["title"] = "changed"
    assert pt.snapshot()["books"]["ana"][0]["title"] == "A" and snap["state"]["books"] == 1


def test_import_rejects_bad_arguments(pt):
    with pytest.raises(ValueError, match="reader"):
        pt.import_books("not a reader!", [])
    with pytest.raises(ValueError, match="records"):
        pt.import_books("ana", [{"author": "no title"}])
