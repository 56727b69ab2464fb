"""The examples in the pure modules' docstrings run, and show what they say."""

import doctest
import importlib

import pytest

# Pure modules (no widgets, no I/O beyond reading the course's own files) whose docstrings carry examples.
MODULES = [
    "pageturn.live.appmetrics",
    "pageturn.model.canary",
    "pageturn.checks",
    "pageturn.live.client",
    "pageturn.model.dora",
    "pageturn.model.exposition",
    "pageturn.model.histogram",
    "pageturn.lifecycle",
    "pageturn.course.manifest",
    "pageturn.model.rhythm",
    "pageturn.model.sim",
    "pageturn.model.sketches",
    "pageturn.status",
    "pageturn.model.traffic",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0
