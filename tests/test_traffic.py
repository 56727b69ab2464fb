"""The request-log model: the shapes the latency lessons need are really in the data."""

import numpy as np
import pandas as pd
import pytest

from pageturn.model.traffic import Canary, latency_ms, request_log


@pytest.fixture(scope="module")
def log():
    incidents = pd.DataFrame({"start": [pd.Timestamp("2026-03-31 10:00")], "end": [pd.Timestamp("2026-03-31 11:00")]})
    canary = Canary(start="2026-04-01 00:00", end="2026-04-02 00:00", share=0.05, extra_ms=120)
    return request_log("2026-03-30", 3, seed=1, incidents=incidents, canary=canary)


def test_columns_and_types(log):
    assert list(log.columns) == ["timestamp", "server", "route", "status", "latency_ms", "version"]
    assert log["timestamp"].is_monotonic_increasing
    assert (log["latency_ms"] > 0).all()


def test_day_night_rhythm(log):
    by_hour = log.groupby(log["timestamp"].dt.hour).size()
    assert by_hour[15] > 5 * by_hour[3]


def test_one_server_is_slower(log):
    ok = log[log["status"] < 500]
    med = ok.groupby("server")["latency_ms"].median()
    assert med.idxmax() == "web-3" and med["web-3"] > 1.4 * med.drop("web-3").max()


def test_slow_mode_is_a_few_percent_of_requests():
    lat = latency_ms("/books", 100_000, seed=2, slow_mode_share=0.04)
    share_slow = np.mean(lat > 35 * 4)
    assert 0.03 < share_slow < 0.05


def test_incident_window_fails_fast_with_503(log):
    window = log[(log["timestamp"] >= "2026-03-31 10:00") & (log["timestamp"] < "2026-03-31 11:00")]
    outside = log[(log["timestamp"] < "2026-03-31 10:00") | (log["timestamp"] >= "2026-03-31 11:00")]
    assert 0.3 < (window["status"] == 503).mean() < 0.5
    assert (outside["status"] == 503).sum() == 0
    assert window.loc[window["status"] == 503, "latency_ms"].max() < 5


def test_canary_serves_its_share_and_regresses(log):
    day = log[(log["timestamp"] >= "2026-04-01") & (log["timestamp"] < "2026-04-02")]
    share = (day["version"] == "2.0.0-canary").mean()
    assert 0.04 < share < 0.06
    assert (log["version"] == "2.0.0-canary").sum() == (day["version"] == "2.0.0-canary").sum()
    books = day[day["route"] == "/books"]
    assert books.groupby("version")["latency_ms"].median()["2.0.0-canary"] > 100


def test_deterministic_for_a_seed():
    a = request_log("2026-03-30", 1, seed=5)
    assert a.equals(request_log("2026-03-30", 1, seed=5))
    assert not a.equals(request_log("2026-03-30", 1, seed=6))


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        (dict(days=0), "days must be in (0, 31], got 0"),
        (dict(servers=0), "servers must be in [1, 32], got 0"),
        (dict(slow_server=9), "slow_server must be in [1, 4], got 9"),
        (dict(slow_mode_share=2), "slow_mode_share must be in [0, 1], got 2"),
        (dict(start="someday"), "start must be a date or time"),
    ],
)
def test_bad_arguments(kwargs, needle):
    with pytest.raises(
        ValueError, match=needle.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")
    ):
        request_log(**{"days": 1, **kwargs})
