"""Fast checks of the grader's pure parts, without a kernel or nbgrader run: the repairs of
pageturn.grading.sanitize and the guard's equality and restore logic in pageturn.grading.guard.
The slow tests (test_grading_hostile.py, test_grading_entrypoints.py) run the same defences
through the real nbgrader."""

import math

import nbformat
import pytest

from pageturn.grading import guard, sanitize


def _grading(cell, grade_id, *, grade=False, solution=False, locked=False, points=0):
    cell.metadata["nbgrader"] = {
        "grade_id": grade_id,
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "schema_version": 3,
        **({"points": points} if grade else {}),
    }
    return cell


def _release():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Part 1"),
        _grading(nbformat.v4.new_code_cell("def f(x):\n    raise NotImplementedError()"), "answer", solution=True),
        _grading(nbformat.v4.new_code_cell("import math\nassert f(2) == 4"), "test", grade=True, locked=True, points=2),
    ]
    return nb


def _ids(nb):
    return [sanitize.grading_meta(c).get("grade_id") for c in nb.cells if sanitize._is_grading(c)]


def test_a_pasted_answer_keeps_one_graded_copy_the_last():
    release = _release()
    nb = _release()
    nb.cells[1].source = "def f(x):\n    return 0"
    pasted = nbformat.from_dict(nbformat.v4.new_code_cell("def f(x):\n    return x * 2"))
    nb.cells.insert(2, _grading(pasted, "answer", solution=True))
    notes = sanitize.repair(nb, release)
    assert _ids(nb) == ["answer", "test"]
    graded = next(c for c in nb.cells if sanitize.grading_meta(c).get("grade_id") == "answer")
    assert graded.source.endswith("return x * 2")
    assert any(n.startswith("cells pasted twice") and "'answer'" in n for n in notes)


def test_a_pasted_locked_test_keeps_the_copy_matching_the_release():
    release = _release()
    nb = _release()
    edited = nbformat.v4.new_code_cell("assert True")
    nb.cells.insert(2, _grading(edited, "test", grade=True, locked=True, points=2))
    sanitize.repair(nb, release)
    graded = [c for c in nb.cells if sanitize.grading_meta(c).get("grade_id") == "test"]
    assert len(graded) == 1 and graded[0].source == release.cells[2].source


def test_a_deleted_test_is_put_back_after_its_answer_and_reported():
    release = _release()
    nb = _release()
    del nb.cells[2]
    notes = sanitize.repair(nb, release)
    assert _ids(nb) == ["answer", "test"]
    assert nb.cells[-1].source == release.cells[2].source
    assert any(n.startswith("cells deleted") and "'test'" in n for n in notes)


def test_stray_nbgrader_metadata_on_a_plain_cell_is_dropped():
    release = _release()
    nb = _release()
    plain = nbformat.v4.new_code_cell("x = 1")
    plain.metadata["nbgrader"] = {"schema_version": 3}
    nb.cells.append(plain)
    assert sanitize.repair(nb, release) == []
    assert "nbgrader" not in nb.cells[-1].metadata


def test_an_untouched_release_needs_no_repair():
    assert sanitize.repair(_release(), _release()) == []


def test_guards_go_first_and_before_every_test_and_are_removed_again():
    nb = _release()
    sanitize.add_guards(nb, ["pandas"])
    assert [sanitize.is_guard_cell(c) for c in nb.cells] == [True, False, False, True, False]
    assert "capture(['pandas'])" in nb.cells[0].source
    assert len({c["id"] for c in nb.cells}) == len(nb.cells)
    assert [c.source for c in sanitize.strip_guard_cells(nb).cells] == [c.source for c in _release().cells]


def test_imports_are_read_from_the_teachers_cells():
    nb = _release()
    nb.cells.append(nbformat.v4.new_code_cell("from pageturn import sketches\nimport numpy as np"))
    assert sanitize.test_imports(nb) == ["math"]
    assert sanitize.code_imports(nb) == ["math", "numpy", "pageturn", "pageturn.sketches"]


class _Whatever:
    def __eq__(self, other):
        return True

    __hash__ = None


@pytest.mark.parametrize("value", [3, "text", None, [1, 2], 2.5])
def test_strict_equality_agrees_with_plain_equality_on_honest_values(value):
    assert guard.strict_eq(value, value) == (value == value)
    assert guard.strict_eq(value, object()) is False


def test_strict_equality_refuses_an_object_that_equals_everything():
    assert (_Whatever() == 4) is True
    assert guard.strict_eq(_Whatever(), 4) is False
    assert guard.strict_eq(4, _Whatever()) is False


def test_strict_equality_compares_numpy_arrays_element_by_element():
    np = pytest.importorskip("numpy")
    assert list(guard.strict_eq(np.array([1, 2]), np.array([1, 3]))) == [True, False]


def test_the_strict_equality_rewrite_touches_only_the_armed_cell():
    import ast

    tree = ast.parse("assert a == b\nassert a < b")
    guard._state["armed"] = False
    assert "_pageturn_eq" not in ast.unparse(guard._TRANSFORMER.visit(tree))
    guard._state["armed"] = True
    rewritten = ast.unparse(guard._TRANSFORMER.visit(ast.parse("assert a == b\nassert a < b")))
    assert "_pageturn_eq(a, b)" in rewritten and "a < b" in rewritten
    assert guard._state["armed"] is False  # one cell only


def test_before_test_puts_back_a_replaced_library_function(monkeypatch, capsys):
    real = math.isclose
    monkeypatch.setattr(guard, "_state", {"captured": {}, "armed": False, "classes": {}})
    guard.capture(["math"])
    try:
        math.isclose = lambda *a, **k: True
        repairs = guard.before_test()
        assert math.isclose is real
        assert "math.isclose was replaced" in repairs
        assert "math.isclose was replaced" in capsys.readouterr().out
        assert guard.before_test() == []  # nothing left to repair
    finally:
        math.isclose = real
