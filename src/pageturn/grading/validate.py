"""``nbgrader validate`` with an exit status that tells the truth, and the teacher's words.

nbgrader 0.9.6's ``validate`` exits 0 even when validation fails, and even for a
missing file. :func:`validate` runs it and decides from its output. It also says what
the teacher's grading will do with the file, in the words of the teacher's report
(:func:`findings`): a grading cell pasted twice ("cells pasted twice (one copy graded,
...)", where nbgrader's validator only says "Duplicate grade id"), and a notebook whose
name is not ``<lab>.ipynb`` (graded as the lab only when it is the only notebook in
its folder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pageturn.grading.release import run_nbgrader

SUCCESS = "Success! Your notebook passes all the tests."


@dataclass
class Validation:
    """The outcome: ``ok`` is True only when every test passed; ``output`` is nbgrader's text,
    after the :func:`findings` (the teacher's words), which are also in ``notes``."""

    path: Path
    ok: bool
    output: str
    notes: list = field(default_factory=list)


def _lab_of(path: Path, course: Path, nb) -> str | None:
    from pageturn.grading.release import list_labs

    labs = list_labs(course)
    if path.parent.name in labs:
        return path.parent.name
    ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}
    for lab in labs:
        source = course / "source" / lab / f"{lab}.ipynb"
        if (
            source.is_file()
            and ids
            and ids <= {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in _read(source).cells}
        ):
            return lab
    return None


def _read(path):
    import nbformat

    return nbformat.read(path, as_version=4)


def findings(path, *, course="grading") -> list[str]:
    """What the teacher's grading will note about the notebook at ``path``, in the same words
    (:func:`pageturn.grading.sanitize.repair` and :mod:`pageturn.grading.preprocessors`).
    Suspicious-code notes ("review: ...") are left out; [] when nothing is found or the lab is unknown."""
    import copy

    from pageturn.grading.preprocessors import ambiguous_note, candidates, renamed_note
    from pageturn.grading.sanitize import repair

    path, course = Path(path).resolve(), Path(course).resolve()
    try:
        nb = _read(path)
    except Exception:  # noqa: BLE001 - nbgrader's own output says why it cannot be read
        return []
    lab = _lab_of(path, course, nb)
    if lab is None:
        return []
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
    release = course / "release" / lab / f"{lab}.ipynb"
    if release.is_file():
        found += [n for n in repair(copy.deepcopy(nb), _read(release)) if not n.startswith("review:")]
    return found


def validate(path, *, course="grading") -> Validation:
    """Run ``nbgrader validate PATH`` (from the course root, for its config).

    Returns a :class:`Validation` whose ``ok`` is False when nbgrader found failing or
    unimplemented cells, duplicate grade ids, a file it could not read, or a missing file.

    Raises:
        ValueError: when ``path`` is not an existing ``.ipynb`` file.
    """
    path = Path(path).resolve()
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file; got {str(path)!r}")
    proc = run_nbgrader(["validate", str(path)], Path(course).resolve(), check=False, fast=True)
    output = proc.stdout + proc.stderr
    ok = (
        proc.returncode == 0
        and SUCCESS in output
        and "VALIDATION FAILED" not in output
        and "[ValidateApp | ERROR]" not in output
    )
    notes = findings(path, course=course)
    if notes:
        output = "When your teacher grades this file:\n" + "".join(f"  - {n}\n" for n in notes) + "\n" + output
    if any(n.startswith("not graded") for n in notes):
        ok = False
    return Validation(path=path, ok=ok, output=output, notes=notes)
