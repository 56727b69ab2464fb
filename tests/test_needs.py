"""A missing tool skips its tests locally with the reason, and fails them in CI."""

import pytest

import needs


def test_missing_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no promtool"):
        needs.missing("no promtool")


@pytest.mark.parametrize("value", ["true", "1", "YES"])
def test_missing_fails_in_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI=true but no promtool"):
        needs.missing("no promtool")
