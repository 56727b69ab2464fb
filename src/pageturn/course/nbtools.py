"""Small notebook chores for course authors.

``python -m pageturn.course.nbtools strip FILE...`` removes outputs, execution counts
and stored widget state, so notebooks are kept in git without outputs.
"""

from __future__ import annotations

import sys


def strip(nb) -> bool:
    """Remove outputs, execution counts and widget state from ``nb`` in place; return True if it changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.get("outputs"):
                cell.outputs = []
                changed = True
            if cell.get("execution_count") is not None:
                cell.execution_count = None
                changed = True
        for key in ("execution", "collapsed", "scrolled"):
            if key in cell.get("metadata", {}):
                del cell.metadata[key]
                changed = True
    if "widgets" in nb.metadata:
        del nb.metadata["widgets"]
        changed = True
    return changed


def stored_clean(nb) -> list[str]:
    """Problems that stop ``nb`` being stored as the course requires (empty list: fine)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.get("outputs"):
            problems.append(f"cell {i} has outputs")
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            problems.append(f"cell {i} has an execution count")
    if "widgets" in nb.metadata:
        problems.append("notebook metadata holds widget state")
    return problems


def main(argv=None) -> int:
    import nbformat

    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] != "strip":
        print("usage: python -m pageturn.course.nbtools strip FILE...", file=sys.stderr)
        return 2
    for name in args[1:]:
        nb = nbformat.read(name, as_version=4)
        if strip(nb):
            nbformat.write(nb, name)
            print(f"stripped {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
