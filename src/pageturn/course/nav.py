"""Navigation lines and the start page's list, written from the course manifest.

``python -m pageturn.course.nav`` (``make nav``) rewrites, from ``course.toml``:

- the first and the last cell of every lesson and of every lab's single source
  (``grading/source/<lab>/<lab>.ipynb``): one line of links to the start page and to the
  items before and after it, and the time the item takes;
- the start page's first and last cells, its title (the ``# `` heading that opens the cell after
  the navigation line: the manifest's ``title``), and its list of the whole course in order (the
  markdown cell that starts with :data:`LIST_HEADING`).

``python -m pageturn.course.nav --check`` changes nothing and exits 1, naming each notebook that
disagrees with the manifest (the test suite runs the same check). After ``make nav``, run
``make release`` so that ``labs/`` gets the new lines too (``make nav`` does that for you).

Links are relative to where a learner opens the notebook: ``notebooks/`` for lessons and
``labs/<lab>/`` for labs.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import sys
from pathlib import Path

from pageturn.course import manifest

LIST_HEADING = "## The course, in order"
MARK = "⌂"
"""Every navigation line holds this mark; a first or last cell without it is not a navigation line."""


def _rel(target: str, start_file: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(start_file))


def nav_line(course: manifest.Course, item: manifest.Item) -> str:
    """The navigation line for ``item``: start page, previous, next, and its time in minutes."""
    index = course.items.index(item)
    parts = [f"[{MARK} Start]({_rel(course.start, item.path)})"]
    previous = course.items[index - 1].path if index > 0 else course.start
    parts.append(f"[← Previous]({_rel(previous, item.path)})")
    if index + 1 < len(course.items):
        parts.append(f"[Next →]({_rel(course.items[index + 1].path, item.path)})")
    else:
        parts.append(f"[Back to the start →]({_rel(course.start, item.path)})")
    return " · ".join(parts) + f" · *{item.title}, about {item.minutes} minutes*"


def nav_cell(course: manifest.Course, item: manifest.Item) -> str:
    """The first and last cell of ``item``: its :func:`nav_line`, and for a lab a note on where the lessons
    are when the lab was fetched through nbgrader's exchange (relative links cannot reach them there)."""
    line = nav_line(course, item)
    if item.kind != "lab":
        return line
    return (
        f"{line}\n\n*Fetched this lab from nbgrader's Assignments tab? It then sits in `~/{item.key}/` "
        f"(on a JupyterHub, `~/{course.id}/{item.key}/`), outside the course folder, and these links cannot "
        f"reach the lessons: open them from the course folder's `notebooks/` (start at `{course.start}`).*"
    )


def start_line(course: manifest.Course) -> str:
    """The start page's navigation line."""
    first = course.items[0]
    return f"**{MARK} Start** · [Next →]({_rel(first.path, course.start)})"


def course_list(course: manifest.Course) -> str:
    """The start page's list of every lesson and lab, in order, as markdown."""
    lines = [LIST_HEADING, ""]
    for n, item in enumerate(course.items, start=1):
        lines.append(f"{n}. **[{item.title}]({_rel(item.path, course.start)})**  ")
        lines.append(f"   {item.summary} About {item.minutes} minutes.")
    total = sum(i.minutes for i in course.items)
    lines += [
        "",
        f"In all, about {total // 60} hours {total % 60} minutes."
        if total % 60
        else f"In all, about {total // 60} hours.",
    ]
    return "\n".join(lines)


def _is_nav(cell) -> bool:
    first = cell.source.splitlines()[0] if cell.cell_type == "markdown" and cell.source else ""
    return MARK in first and first.lstrip("*[").startswith(MARK)


def _set_edges(nb, line: str) -> bool:
    """Make ``line`` the first and the last cell of ``nb``; return True if that changed anything."""
    import nbformat

    inner = [c for c in nb.cells[1:-1] if _is_nav(c)]  # stray navigation cells (older layouts): removed
    nb.cells = (
        [nb.cells[0], *[c for c in nb.cells[1:-1] if not _is_nav(c)], nb.cells[-1]] if len(nb.cells) > 1 else nb.cells
    )
    changed = bool(inner)
    for end in (0, -1):
        cell = nb.cells[end] if nb.cells else None
        if cell is not None and _is_nav(cell):
            if cell.source != line:
                cell.source = line
                changed = True
        else:
            new = nbformat.v4.new_markdown_cell(line)
            if end == 0:
                nb.cells.insert(0, new)
            else:
                nb.cells.append(new)
            changed = True
    return changed


def _set_list(nb, text: str, path: Path) -> bool:
    cells = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(LIST_HEADING)]
    if len(cells) != 1:
        raise ValueError(
            f"{path}: the start page must have exactly one markdown cell starting with "
            f"{LIST_HEADING!r}; found {len(cells)}"
        )
    if cells[0].source != text:
        cells[0].source = text
        return True
    return False


def _set_title(nb, title: str, path: Path) -> bool:
    cell = nb.cells[1] if len(nb.cells) > 2 else None
    if cell is None or cell.cell_type != "markdown" or not cell.source.startswith("# "):
        raise ValueError(f"{path}: the start page's second cell must be markdown that starts with the '# ' title")
    first = cell.source.split("\n", 1)[0]
    if first != f"# {title}":
        cell.source = f"# {title}" + cell.source[len(first) :]
        return True
    return False


def plan(course: manifest.Course, root: Path) -> list[tuple[Path, object]]:
    """Every notebook ``make nav`` manages, with its content as the manifest wants it.

    Returns a list of ``(path, notebook)`` pairs for the notebooks that differ from that.

    Raises:
        FileNotFoundError: for an item whose notebook does not exist.
        ValueError: for a start page without its course list cell, or without a ``# `` title
            opening the cell after its navigation line.
    """
    import nbformat

    targets = [(root / course.start, start_line(course))]
    for item in course.items:
        targets.append((root / (item.source or item.path), nav_cell(course, item)))
    out = []
    for path, line in targets:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: listed in course.toml but missing")
        nb = nbformat.read(path, as_version=4)
        changed = _set_edges(nb, line)
        if path == root / course.start:
            changed |= _set_title(nb, course.title, path)
            changed |= _set_list(nb, course_list(course), path)
        if changed:
            out.append((path, nb))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pageturn.course.nav", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook disagrees")
    args = parser.parse_args(argv)
    import nbformat

    root = manifest.root()
    course = manifest.load(root / manifest.FILENAME)
    stale = plan(course, root)
    for path, nb in stale:
        rel = os.path.relpath(path, root)
        if args.check:
            print(f"nav: {rel} disagrees with course.toml (run `make nav`)", file=sys.stderr)
        else:
            nbformat.write(nb, path)
            print(f"nav: wrote {rel}")
    if args.check:
        return 1 if stale else 0
    print(f"nav: {len(stale)} notebook(s) updated from course.toml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
