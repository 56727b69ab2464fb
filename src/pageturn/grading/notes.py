"""Notes that grading steps leave for the teacher, kept inside the graded notebook.

Every step runs inside nbgrader's own chain (:mod:`pageturn.grading.preprocessors`),
whichever way grading was started (``make grade``, ``nbgrader autograde``, the
formgrader's Autograde button, a JupyterHub). So the findings travel with the
notebook: a list of plain-language strings under ``metadata["pageturn"]["notes"]`` of
``autograded/<student>/<lab>/<lab>.ipynb``. The pipeline reads them back from there
with :func:`read`; nbgrader's log shows each one as a warning too.
"""

from __future__ import annotations

KEY = "pageturn"
"""The notebook-metadata key holding the notes."""

PROGRESS_ENV = "PAGETURN_GRADING_PROGRESS"
"""When set (by the pipeline), a file that nbgrader's ``post_convert_hook`` adds one line
``<student>`` to for each student graded (:func:`pageturn.grading.preprocessors.drop_adopted_copy`)."""

GUARD_PREFIX = "pageturn-grader note: "
"""How a line the guard cell prints (:mod:`pageturn.grading.guard`) starts."""


def add(nb, text: str) -> None:
    """Append ``text`` to the notes of ``nb`` (a notebook), once."""
    found = nb.setdefault("metadata", {}).setdefault(KEY, {}).setdefault("notes", [])
    if text not in found:
        found.append(text)


def get(nb) -> list[str]:
    """The notes of ``nb`` ([] when there are none)."""
    return list((nb.get("metadata", {}).get(KEY) or {}).get("notes", []) or [])


def read(path) -> list[str]:
    """The notes of the notebook file at ``path`` ([] when it is missing or unreadable)."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            return get(json.load(fh))
    except (OSError, ValueError, AttributeError):
        return []
