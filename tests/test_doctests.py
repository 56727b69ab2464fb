"""The examples in the pure modules' docstrings run, and show what they say."""

import doctest
import importlib

import pytest

# Pure modules (no widgets, no I/O beyond reading the course's own files) whose docstrings carry examples.
MODULES = [
    "pageturn.appmetrics",
    "pageturn.canary",
    "pageturn.checks",
    "pageturn.client",
    "pageturn.dora",
    "pageturn.exposition",
    "pageturn.histogram",
    "pageturn.lifecycle",
    "pageturn.manifest",
    "pageturn.rhythm",
    "pageturn.sim",
    "pageturn.sketches",
    "pageturn.traffic",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0
