"""The repairs made to each submission before nbgrader runs it.

nbgrader's chain calls them (:mod:`pageturn.grading.preprocessors`). :func:`repair`
compares a submitted notebook with the lab's release, repairs it in place and
returns plain-language notes for the teacher:

* a grading cell pasted twice (the same ``grade_id``) makes nbgrader crash with a
  misleading message (nbgrader#1083). The copy that matches the release is kept
  as the graded cell (for locked cells), or the last one (for answer cells, the
  one the student probably edited last); the others become plain cells that
  still run but are not graded;
* a deleted grading cell, a grading cell whose type was changed, and an edited
  test cell are reported (nbgrader itself restores them from the gradebook,
  with ``OverwriteCells.add_missing_cells = True``);
* source text that looks like an attempt to rig the tests (replacing
  ``math.isclose``, ``numpy.testing``, ``builtins``, ``__eq__`` that returns
  ``True``, ...) is reported for the teacher to look at;
* :func:`add_guards` inserts the guard cells (:mod:`pageturn.grading.guard`): one at
  the top and one before each test cell.

Both work on the notebook nbgrader is grading, never on the student's file.
"""

from __future__ import annotations

import ast
import copy
import re

import nbformat

GUARD_MARK = "# pageturn-grader: guard cell (added for grading, not part of the submission)"

SUSPICIOUS = [
    (
        re.compile(r"\b(math|np|numpy|operator|builtins|pd|pandas|statistics)(\.\w+)*\.\w+\s*=[^=]"),
        "assigns to an attribute of a library module",
    ),
    (
        re.compile(r"\bsetattr\s*\(\s*(math|np|numpy|operator|builtins|pd|pandas)\b"),
        "calls setattr on a library module",
    ),
    (re.compile(r"def\s+__eq__\s*\([^)]*\)\s*:\s*(\n\s*)?return\s+True\b"), "defines __eq__ that always returns True"),
    (re.compile(r"__eq__\s*=\s*lambda[^:]*:\s*True"), "defines __eq__ that always returns True"),
    (
        re.compile(r"pageturn\.grading|_pageturn_guard|_pageturn_eq|ast_transformers|sys\.modules"),
        "touches the grader or the module table",
    ),
    (re.compile(r"\bos\._exit\b|\bsys\.exit\b"), "exits the kernel"),
]


def grading_meta(cell) -> dict:
    """The cell's nbgrader metadata ({} for a plain cell)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_grading(cell) -> bool:
    meta = grading_meta(cell)
    return bool(meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task"))


def is_test_cell(cell) -> bool:
    """Whether ``cell`` is an autograded test cell (graded code that is not an answer)."""
    meta = grading_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _imports(cells) -> list[str]:
    names = []
    for cell in cells:
        source = "\n".join(line for line in cell.source.splitlines() if not line.strip().startswith("###"))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                # `from pageturn import data` imports the module pageturn.data (when it is one)
                names.extend(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return sorted(set(names))


def test_imports(notebook) -> list[str]:
    """Module names imported by the test cells of ``notebook`` (the instructor version): each
    ``import x``, each ``from x import y`` as ``x`` and ``x.y`` (``x.y`` may name no module)."""
    return _imports(c for c in notebook.cells if is_test_cell(c))


def code_imports(notebook) -> list[str]:
    """Module names imported by any code cell of ``notebook`` (the instructor version: given
    code, solutions and tests), named as :func:`test_imports` names them."""
    return _imports(c for c in notebook.cells if c.get("cell_type") == "code")


def _guard_cell(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f"{GUARD_MARK}\n{source}")
    cell.metadata["pageturn_guard"] = True
    return cell


def is_guard_cell(cell) -> bool:
    """Whether ``cell`` is one of the guard cells :func:`sanitize` inserted."""
    return cell.get("cell_type") == "code" and cell.get("source", "").startswith(GUARD_MARK)


def strip_guard_cells(notebook) -> nbformat.NotebookNode:
    """``notebook`` without the guard cells (changed in place, and returned)."""
    notebook.cells = [c for c in notebook.cells if not is_guard_cell(c)]
    return notebook


_FINDINGS = {
    "pasted": "cells pasted twice (one copy graded, the others ran as plain cells)",
    "deleted": "cells deleted or stripped of their grading metadata (the grader put them back)",
    "edited": "locked cells edited (the grader restored the originals)",
    "unknown": "cells that are not part of this lab (not graded)",
}


def _finding(kind: str, ids) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    what = _FINDINGS.get(kind, f"cells {kind} (the grader changed them back)")
    return f"{what}: {shown}"


def _restore(nb, release, grade_id) -> None:
    """Put the released cell ``grade_id`` back after the graded cell that precedes it in the release."""
    order = [grading_meta(c).get("grade_id") for c in release.cells if _is_grading(c)]
    cell = copy.deepcopy(
        next(c for c in release.cells if _is_grading(c) and grading_meta(c).get("grade_id") == grade_id)
    )
    cell["id"] = f"restored-{grade_id}"[:64]
    where = 0
    for previous in reversed(order[: order.index(grade_id)]):
        hits = [i for i, c in enumerate(nb.cells) if _is_grading(c) and grading_meta(c).get("grade_id") == previous]
        if hits:
            where = hits[0] + 1
            break
    nb.cells.insert(where, cell)


def _unique_ids(nb) -> None:
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
        for cell in nb.cells:
            cell.pop("id", None)
        return
    used = set()
    for n, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not isinstance(cid, str) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cid) or cid in used:
            cid = f"pageturn-{n}"
            cell["id"] = cid
        used.add(cid)


def repair(nb, release) -> list[str]:
    """Repair ``nb`` (changed in place) against ``release``; return the findings as notes.

    A grading cell pasted twice keeps one graded copy (for locked cells the one that
    matches the release, for answer cells the last); plain cells lose stray nbgrader
    metadata; deleted grading cells are put back where the release has them; changed
    types and edited locked cells are reported (``OverwriteCells`` restores them);
    suspicious code is flagged for review.
    """
    notes = []
    released = {}
    for cell in release.cells:
        if _is_grading(cell):
            released[grading_meta(cell)["grade_id"]] = cell

    # 1. Duplicated grade ids: choose the one cell that stays a grading cell.
    found = {}  # kind of finding -> grade ids
    seen = {}
    for index, cell in enumerate(nb.cells):
        meta = grading_meta(cell)
        if _is_grading(cell) and meta.get("grade_id"):
            seen.setdefault(meta["grade_id"], []).append(index)
        elif meta and not _is_grading(cell):
            # nbgrader metadata without a role: nbgrader would crash on it (KeyError 'grade_id').
            cell.metadata.pop("nbgrader", None)
    for grade_id, indexes in seen.items():
        if len(indexes) == 1:
            continue
        original = released.get(grade_id)
        keep = indexes[-1]
        if original is not None and grading_meta(original).get("locked"):
            matching = [i for i in indexes if nb.cells[i].source == original.source]
            keep = matching[0] if matching else indexes[0]
        for i in indexes:
            if i != keep:
                nb.cells[i].metadata.pop("nbgrader", None)
        found.setdefault("pasted", []).append(grade_id)

    # 2. Deleted cells, changed types, edited tests.
    present = {grading_meta(c)["grade_id"]: c for c in nb.cells if _is_grading(c) and grading_meta(c).get("grade_id")}
    for grade_id, original in released.items():
        cell = present.get(grade_id)
        if cell is None:
            found.setdefault("deleted", []).append(grade_id)
            _restore(nb, release, grade_id)
            continue
        if cell.cell_type != original.cell_type:
            found.setdefault(f"changed from {original.cell_type} to {cell.cell_type}", []).append(grade_id)
        if grading_meta(original).get("locked") and cell.source.strip() != original.source.strip():
            found.setdefault("edited", []).append(grade_id)
    found_extra = sorted(set(present) - set(released))
    if found_extra:
        found["unknown"] = found_extra
    for kind, ids in found.items():
        notes.append(_finding(kind, ids))

    # 3. Suspicious code in the student's own cells.
    suspicious = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or (_is_grading(cell) and grading_meta(cell).get("locked")):
            continue
        for pattern, what in SUSPICIOUS:
            if pattern.search(cell.source):
                suspicious.add(what)
    for what in sorted(suspicious):
        notes.append(f"review: student code {what}")
    _unique_ids(nb)
    return notes


def add_guards(nb, guard_modules=(), test_ids=()) -> None:
    """Insert the guard cells into ``nb`` (in place): one at the top, one before each test cell
    (a cell :func:`is_test_cell` says is one, or whose grade id is in ``test_ids``)."""
    cells = [
        _guard_cell(
            f"import pageturn.grading.guard as _pageturn_guard\n_pageturn_guard.capture({sorted(set(guard_modules))!r})"
        )
    ]
    test_ids = set(test_ids)
    for cell in nb.cells:
        if is_guard_cell(cell):
            continue
        gid = grading_meta(cell).get("grade_id") if _is_grading(cell) else None
        if is_test_cell(cell) or gid in test_ids:
            cells.append(_guard_cell("_pageturn_guard.before_test()"))
        cells.append(cell)
    nb.cells = cells
    _unique_ids(nb)
