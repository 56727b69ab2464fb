"""The package's layout is its architecture: each layer imports only what is below it, and old names still work."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import pageturn

SRC = Path(pageturn.__file__).parent
SHARED = {"checks", "style", "status", "lifecycle"}
TOP = SHARED | set(pageturn.SHORTCUTS)  # what pageturn/__init__.py offers
#: what each layer may import from the package, beside itself and (but grading) the shared parts
ALLOWED = {
    "model": set(),
    "live": {"model"},
    "lessons": {"model"},
    "course": {"model", "live", "lessons", "grading"},
    "grading": {"course.manifest"},
}


def _imports(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer):
    wrong = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for name in _imports(path):
            if not name.startswith("pageturn."):
                continue
            rest = name.removeprefix("pageturn.")
            if rest.split(".")[0] in TOP and layer != "grading":  # grading could ship on its own
                continue
            if rest.split(".")[0] in pageturn.OLD_NAMES:
                wrong.append(f"{path.relative_to(SRC)} imports {name}: inside the package, use the new name")
            elif rest.split(".")[0] == layer:
                continue
            elif not any(rest == ok or rest.startswith(ok + ".") for ok in ALLOWED[layer]):
                wrong.append(f"{path.relative_to(SRC)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_grading_loads_nothing_else_of_the_package_at_run_time():
    """In a fresh process, importing every grading module (as nbgrader's config and the hub's grader
    do) loads only pageturn itself, the grading package and the stdlib-only manifest: no model, no numpy."""
    code = (
        "import importlib, pkgutil, sys\n"
        "seen = set(sys.modules)\n"
        "def loaded(by):\n"
        "    new = sorted(set(sys.modules) - seen)\n"
        "    seen.update(new)\n"
        "    print(*(f'{by} {name}' for name in new), sep='\\n')\n"
        "import pageturn.grading as g\n"
        "loaded('__init__')\n"
        "for m in sorted(pkgutil.iter_modules(g.__path__), key=lambda m: m.name):\n"
        "    importlib.import_module('pageturn.grading.' + m.name)\n"
        "    loaded(m.name)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    loaded = [line.split() for line in out.splitlines() if line]
    assert len({by for by, _ in loaded}) >= 10, f"too few grading modules were imported: {loaded}"
    allowed = {"pageturn", "pageturn.course", "pageturn.course.manifest"}
    wrong = [
        f"importing pageturn.grading.{by} loaded {name}"
        for by, name in loaded
        if (name.startswith("pageturn.") or name == "pageturn")
        and name not in allowed
        and not name.startswith("pageturn.grading")
        or name.split(".")[0] in {"numpy", "pandas", "matplotlib", "ipywidgets"}
    ]
    assert not wrong, "\n".join(wrong)


def test_pageturn_offers_its_shortcuts_without_loading_them_first():
    code = (
        "import sys, pageturn\n"
        "assert 'pageturn.model.sim' not in sys.modules\n"
        "from pageturn import simulate, PRESETS, EQUAL_RISK\n"
        "from pageturn.model import sim, dora\n"
        "assert simulate is sim.simulate and EQUAL_RISK is sim.EQUAL_RISK and PRESETS is dora.PRESETS\n"
        "assert set(pageturn.__all__) <= set(dir(pageturn))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_top_level_holds_only_the_shared_parts():
    modules = {p.stem for p in SRC.glob("*.py")} - {"__init__"}
    assert modules == SHARED
    assert {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(ALLOWED)


@pytest.mark.parametrize("old", sorted(pageturn.OLD_NAMES))
def test_a_saved_notebook_s_old_import_is_the_same_module(old):
    new = importlib.import_module(pageturn.OLD_NAMES[old])
    assert importlib.import_module(f"pageturn.{old}") is new
    assert getattr(pageturn, old) is new
    assert new.__spec__.name == new.__name__ == pageturn.OLD_NAMES[old]


def test_old_names_work_in_a_fresh_process_and_for_submodules():
    code = (
        "from pageturn import dial\n"
        "from pageturn.quiz.widget import quiz_widget\n"
        "from pageturn.selfcheck import check\n"
        "import pageturn.lessons.quiz.widget as w, pageturn.lessons.dial as d, sys\n"
        "assert quiz_widget is w.quiz_widget and dial is d\n"
        "assert sys.modules['pageturn.quiz.widget'] is w\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_unknown_name_is_a_clear_error():
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        pageturn.nothing_here  # noqa: B018
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("pageturn.nothing_here")
