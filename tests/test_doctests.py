"""The examples in the pure modules' docstrings run, and show what they say."""

import doctest
import importlib
import pkgutil

import pytest

import pageturn.model

#: Every module of pageturn.model (found, not listed: a new model module needs examples too) and the
#: other pure modules (no widgets, no I/O beyond reading the course's own files) that carry examples.
MODULES = sorted(f"pageturn.model.{m.name}" for m in pkgutil.iter_modules(pageturn.model.__path__)) + [
    "pageturn.checks",
    "pageturn.status",
    "pageturn.lifecycle",
    "pageturn.live.appmetrics",
    "pageturn.live.client",
    "pageturn.course.manifest",
]


def test_every_model_module_is_found():
    assert {"pageturn.model.sim", "pageturn.model.histogram", "pageturn.model.endpoints"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0
