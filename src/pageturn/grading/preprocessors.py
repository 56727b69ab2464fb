"""The course's defences, as steps of nbgrader's own autograde chain.

``grading/nbgrader_config.py`` registers them, so every way of autograding runs
them: ``make grade`` (the pipeline), ``nbgrader autograde LAB`` typed in
``grading/``, the formgrader's Autograde button (nbgrader's ``NbGraderAPI``) and a
JupyterHub's grader account.

``Autograde.sanitize_preprocessors`` (run on the submitted notebook):

* :class:`RepairCells` (instead of nbgrader's ``DeduplicateIds``, before
  ``OverwriteCells``): a grading cell pasted twice keeps one graded copy instead
  of crashing nbgrader (nbgrader#1083); deleted grading cells go back where the
  release has them; plain cells lose stray nbgrader metadata; changed types,
  edited tests and suspicious code are noted (:func:`pageturn.grading.sanitize.repair`);
* :class:`GuardCells` (after ``OverwriteCells``): the guard cells of
  :mod:`pageturn.grading.guard`, one at the top and one before each test cell.

``Autograde.autograde_preprocessors`` (run on the repaired notebook):

* :class:`pageturn.grading.execute.BudgetedExecute` instead of ``Execute``: a time
  budget per notebook, an output cap, crash handling;
* :class:`FinishGrading` (after ``ClearMetadataPreprocessor``): turns what the guard
  cells printed into notes, removes the guard cells, and stores every note in the
  notebook (:mod:`pageturn.grading.notes`) before ``SaveAutoGrades`` scores it.

``Autograde.pre_convert_hook`` / ``post_convert_hook``: :func:`adopt_renamed_copy`
and :func:`drop_adopted_copy` grade a renamed copy (``Copy of lab2.ipynb``) as the
lab when it is the only candidate in the student's folder.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from pageturn.grading import notes
from pageturn.grading.sanitize import add_guards, is_guard_cell, is_test_cell, repair, test_imports


def _log(pp=None):
    return pp.log if pp is not None else logging.getLogger("pageturn.grading")


def _who(resources) -> str:
    info = (resources or {}).get("nbgrader", {})
    return f"{info.get('student', '?')}/{info.get('assignment', '?')}"


def _coursedir(pp):
    """nbgrader's CourseDirectory of the converter running ``pp`` (None when there is none)."""
    node = pp
    while node is not None:
        if getattr(node, "coursedir", None) is not None:
            return node.coursedir
        node = getattr(node, "parent", None)
    return None


def _released(pp, resources):
    """The released student version of the notebook being graded, or None."""
    import nbformat

    info = resources.get("nbgrader", {})
    assignment, notebook = info.get("assignment"), info.get("notebook")
    if not assignment or not notebook:
        return None
    coursedir = _coursedir(pp)
    folders = []
    if coursedir is not None:
        folders.append(coursedir.format_path(coursedir.release_directory, ".", assignment))
    folders.append(os.path.join(os.getcwd(), "release", assignment))  # nbgrader runs in the course root
    for folder in folders:
        path = os.path.join(folder, f"{notebook}.ipynb")
        if os.path.isfile(path):
            return nbformat.read(path, as_version=4)
    return None


class RepairCells(NbGraderPreprocessor):
    """Sanitize step: de-duplicate grading cells, put deleted ones back, note what was found."""

    def preprocess(self, nb, resources):
        release = _released(self, resources)
        if release is None:
            self.log.warning("pageturn: no released copy of %s found; cells were not compared with it", _who(resources))
            return nb, resources
        for text in repair(nb, release):
            notes.add(nb, text)
            self.log.warning("pageturn: %s: %s", _who(resources), text)
        return nb, resources


class GuardCells(NbGraderPreprocessor):
    """Sanitize step: insert the guard cells (after ``OverwriteCells`` restored the tests)."""

    def preprocess(self, nb, resources):
        add_guards(nb, test_imports(nb))
        return nb, resources


def guard_findings(lines) -> list[str]:
    """The guard's printed repairs (``lines``, prefix removed) as at most two notes."""
    lines = list(dict.fromkeys(lines))
    replaced = [x.removesuffix(" was replaced") for x in lines if x.endswith(" was replaced")]
    others = [x for x in lines if not x.endswith(" was replaced")]
    found = []
    if replaced:
        shown = ", ".join(replaced[:8]) + (f" and {len(replaced) - 8} more" if len(replaced) > 8 else "")
        found.append(f"student code replaced {shown}; the grader put them back before each test")
    if others:
        found.append("student code: " + "; ".join(others[:4]) + " (undone before each test)")
    return found


class FinishGrading(NbGraderPreprocessor):
    """Autograde step: guard output → notes, guard cells removed, all notes kept in the notebook."""

    def preprocess(self, nb, resources):
        printed = []
        for cell in nb.cells:
            if not is_guard_cell(cell):
                continue
            for output in cell.get("outputs", []):
                for line in str(output.get("text", "")).splitlines():
                    if line.startswith(notes.GUARD_PREFIX):
                        printed.append(line[len(notes.GUARD_PREFIX) :])
        nb.cells = [c for c in nb.cells if not is_guard_cell(c)]
        carried = list((resources.get("pageturn") or {}).get("notes", []))
        seconds = (resources.get("pageturn") or {}).get("cells_seconds")
        if seconds is not None:  # how long the cells themselves ran (for `make bench`'s limit)
            nb.setdefault("metadata", {}).setdefault(notes.KEY, {})["cells_seconds"] = round(seconds, 3)
        for text in carried + guard_findings(printed):
            notes.add(nb, text)
        for text in guard_findings(printed):
            self.log.warning("pageturn: %s: %s", _who(resources), text)
        return nb, resources


# --- Renamed copies ----------------------------------------------------------------------


def renamed_note(lab: str, name: str) -> str:
    """The note for a folder whose only notebook, ``name``, was graded as ``lab``."""
    return f"graded as {lab}.ipynb: the folder had no {lab}.ipynb, only '{name}'"


def ambiguous_note(lab: str, names) -> str:
    """The note for a folder with no ``<lab>.ipynb`` and several other notebooks ``names``."""
    shown = ", ".join(f"'{n}'" for n in names)
    return (
        f"not graded: no {lab}.ipynb, and {len(names)} other notebooks that could be it ({shown}); "
        f"rename the right one to {lab}.ipynb"
    )


def candidates(folder, lab: str) -> list[str]:
    """Notebook names in ``folder`` that could be a renamed ``<lab>.ipynb`` (sorted)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.glob("*.ipynb")
        if p.is_file() and p.name != f"{lab}.ipynb" and not p.name.startswith(".")
    )


_ADOPTED = set()  # copies made by adopt_renamed_copy in this process, removed after grading


def adopt_renamed_copy(assignment=None, student=None, notebooks=None, **_):
    """nbgrader ``pre_convert_hook``: grade the only notebook of a folder that lacks ``<lab>.ipynb``.

    ``notebooks`` is nbgrader's list of the student's notebook paths (changed in place). When
    the folder ``submitted/<student>/<lab>/`` has no ``<lab>.ipynb`` but exactly one other
    notebook, a copy of it named ``<lab>.ipynb`` is made beside it (the student's file is not
    changed; :func:`drop_adopted_copy` deletes the copy afterwards) and graded, with the note
    :func:`renamed_note`. With two or more candidates nothing is guessed: nbgrader finds no
    notebook, and the log says :func:`ambiguous_note`.
    """
    if not notebooks:
        return
    log = _app_log()
    for path in list(_ADOPTED):  # left over by a grading run that failed
        if os.path.isfile(path):
            os.remove(path)
        _ADOPTED.discard(path)
    folder = Path(notebooks[0]).parent
    lab = folder.name
    wanted = folder / f"{lab}.ipynb"
    if wanted.exists():
        return
    found = candidates(folder, lab)
    if len(found) > 1:
        log.error("pageturn: %s/%s: %s", folder.parent.name, lab, ambiguous_note(lab, found))
        return
    if not found:
        return
    name = found[0]
    try:
        with open(folder / name, encoding="utf-8") as fh:
            nb = json.load(fh)
        notes.add(nb, renamed_note(lab, name))
        text = json.dumps(nb, indent=1, ensure_ascii=False)
    except (OSError, ValueError, AttributeError):
        text = (folder / name).read_text(encoding="utf-8", errors="replace")  # nbgrader will say it is unreadable
    wanted.write_text(text, encoding="utf-8")
    _ADOPTED.add(str(wanted))
    log.warning("pageturn: %s/%s: %s", folder.parent.name, lab, renamed_note(lab, name))
    notebooks[:] = [str(wanted) if Path(n).name == name else n for n in notebooks]


def drop_adopted_copy(assignment=None, student=None, notebooks=None, **_):
    """nbgrader ``post_convert_hook``: delete the copies :func:`adopt_renamed_copy` made, and,
    when ``$PAGETURN_GRADING_PROGRESS`` names a file, add the student just graded to it."""
    for path in list(_ADOPTED):
        if os.path.isfile(path):
            os.remove(path)
        _ADOPTED.discard(path)
    progress = os.environ.get(notes.PROGRESS_ENV)
    if progress and notebooks:
        try:
            with open(progress, "a", encoding="utf-8") as fh:
                fh.write(Path(notebooks[0]).parents[1].name + "\n")
        except OSError:
            pass


def _app_log():
    from traitlets.config import Application

    return Application.instance().log if Application.initialized() else logging.getLogger("pageturn.grading")


__all__ = [
    "RepairCells",
    "GuardCells",
    "FinishGrading",
    "adopt_renamed_copy",
    "drop_adopted_copy",
    "renamed_note",
    "ambiguous_note",
    "candidates",
    "guard_findings",
    "is_test_cell",
]
