"""What a group of tests needs from the machine: skip with one reason where it is missing, fail in CI.

Locally a missing browser, hub proxy or promtool skips its tests with a reason that says how to get
it. In CI (``CI=true``, set by ``.ci/run``) the same absence is a failure: CI installs them all.
"""

import os

import pytest


def in_ci() -> bool:
    """True when the suite runs in CI (the environment variable ``CI`` is true, 1 or yes)."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def missing(problem: str) -> None:
    """Skip the current test because of ``problem``, or fail it when running in CI."""
    if in_ci():
        pytest.fail(f"CI=true but {problem}", pytrace=False)
    pytest.skip(problem)
