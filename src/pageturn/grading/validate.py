"""``nbgrader validate`` with an exit status that tells the truth, and the teacher's words.

nbgrader 0.9.6's ``validate`` exits 0 even when validation fails, and even for a
missing file. :func:`validate` runs it on the notebook as grading repairs it, and decides
from its output. It also says what
the teacher's grading will do with the file, in the words of the teacher's report
(:func:`findings`): a grading cell pasted twice ("cells pasted twice (one copy graded,
...)", where nbgrader's validator only says "Duplicate grade id"), and a notebook whose
name is not ``<lab>.ipynb`` (graded as the lab only when it is the only notebook in
its folder).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pageturn.grading.release import run_nbgrader

SUCCESS = "Success! Your notebook passes all the tests."
HEADING = "When your teacher grades this file:"


@dataclass
class Validation:
    """The outcome: ``ok`` is True only when every test passed; ``output`` is nbgrader's text,
    after the :func:`findings` (the teacher's words), which are also in ``notes``."""

    path: Path
    ok: bool
    output: str
    notes: list = field(default_factory=list)


def release_notebooks(course="grading", releases=None) -> dict[str, Path]:
    """Each lab's student version: ``{lab: path}``.

    ``releases`` is a folder of ``<lab>/<lab>.ipynb`` student copies (the course's ``labs/``,
    or an nbgrader exchange's ``<course_id>/outbound/``). Without it they are read from
    ``course/release/``, and for a lab not released there, from ``labs/`` beside ``course``
    or in the course root (where ``make release`` writes the student copies).
    """
    if releases is not None:
        folder = Path(releases)
        found = {p.parent.name: p for p in folder.glob("*/*.ipynb") if p.stem == p.parent.name}
        return dict(sorted(found.items()))
    from pageturn.grading.release import list_labs

    course = Path(course)
    found = {}
    folders = [course / "release", course.parent / "labs"]
    try:
        from pageturn.course import manifest

        folders.append(manifest.root() / "labs")
    except FileNotFoundError:
        pass
    for lab in list_labs(course):
        for folder in folders:
            if (folder / lab / f"{lab}.ipynb").is_file():
                found[lab] = folder / lab / f"{lab}.ipynb"
                break
    return found


def _ids(nb) -> set:
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}


def _lab_of(path: Path, released: dict, nb) -> str | None:
    """The lab ``nb`` (at ``path``) is a copy of: its folder's name, or the lab whose grading cells it has."""
    if path.parent.name in released:
        return path.parent.name
    ids = _ids(nb)
    for lab, release in released.items():
        if ids and ids <= _ids(_read(release)):
            return lab
    return None


def _read(path):
    import nbformat

    return nbformat.read(path, as_version=4)


def repaired(path, *, course="grading", releases=None):
    """``(notes, notebook)``: what the teacher's grading will note about the notebook at ``path``,
    in the same words (:func:`pageturn.grading.sanitize.repair` and
    :mod:`pageturn.grading.preprocessors`), and the notebook as grading repairs it before its
    cells run (None when it cannot be read or is not a copy of a known lab). Suspicious-code
    notes ("review: ...") are left out."""
    from pageturn.grading.preprocessors import ambiguous_note, candidates, renamed_note
    from pageturn.grading.sanitize import repair

    path = Path(path).resolve()
    try:
        nb = _read(path)
    except Exception:  # noqa: BLE001 - nbgrader's own output says why it cannot be read
        return [], None
    released = release_notebooks(course, releases)
    lab = _lab_of(path, released, nb)
    if lab is None:
        return [], None
    found = []
    if path.name != f"{lab}.ipynb" and path.parent.name == lab:  # in the lab's folder, as handed in
        others = candidates(path.parent, lab)
        if (path.parent / f"{lab}.ipynb").is_file():
            found.append(
                f"not graded: this file is not {lab}.ipynb, and {lab}.ipynb is beside it: "
                f"the teacher grades {lab}.ipynb"
            )
        elif len(others) > 1:
            found.append(ambiguous_note(lab, others))
        else:
            found.append(renamed_note(lab, path.name))
    found += [n for n in repair(nb, _read(released[lab])) if not n.startswith("review:")]
    return found, nb


def findings(path, *, course="grading", releases=None) -> list[str]:
    """The notes of :func:`repaired` alone; [] when nothing is found or the lab is unknown."""
    return repaired(path, course=course, releases=releases)[0]


def with_notes(notes, text: str) -> str:
    """``text`` under :data:`HEADING` and ``notes`` as a list (``text`` alone when there are none)."""
    if not notes:
        return text
    return HEADING + "\n" + "".join(f"  - {n}\n" for n in notes) + "\n" + text


@contextmanager
def beside(path, nb):
    """Write ``nb`` to a hidden file beside ``path`` (so the notebook's relative paths still work);
    yield its path; remove it afterwards."""
    import os
    import tempfile

    import nbformat

    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=".pageturn-validate-", suffix=".ipynb", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            nbformat.write(nb, fh)
        yield Path(name)
    finally:
        os.unlink(name)


def validate(path, *, course="grading") -> Validation:
    """Run ``nbgrader validate`` (from the course root, for its config) on the notebook at
    ``path`` as the teacher's grading will run it: repaired first (:func:`repaired`), so a
    cell pasted twice is validated as grading grades it, not as nbgrader's "Duplicate grade id".

    Returns a :class:`Validation` whose ``ok`` is False when nbgrader found failing or
    unimplemented cells, a file it could not read, or when grading will not grade this file.

    Raises:
        ValueError: when ``path`` is not an existing ``.ipynb`` file.
    """
    path = Path(path).resolve()
    course = Path(course).resolve()
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file; got {str(path)!r}")
    notes, nb = repaired(path, course=course)
    if nb is None:
        proc = run_nbgrader(["validate", str(path)], course, check=False, fast=True)
        output = proc.stdout + proc.stderr
    else:
        with beside(path, nb) as copy:
            proc = run_nbgrader(["validate", str(copy)], course, check=False, fast=True)
            output = (proc.stdout + proc.stderr).replace(str(copy), str(path))
    ok = (
        proc.returncode == 0
        and SUCCESS in output
        and "VALIDATION FAILED" not in output
        and "[ValidateApp | ERROR]" not in output
    )
    output = with_notes(notes, output)
    if any(n.startswith("not graded") for n in notes):
        ok = False
    return Validation(path=path, ok=ok, output=output, notes=notes)
