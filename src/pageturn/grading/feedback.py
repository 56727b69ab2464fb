"""Feedback preprocessors: hidden tests stay hidden (nbgrader#917).

nbgrader's feedback shows hidden tests by design. Removing them with
``ClearHiddenTests`` is not enough, because an IPython traceback quotes the
failing lines, hidden ones included. :class:`ShortenTracebacks` replaces each
error's traceback in the test cells with one line, ``ErrorName: message``, and
drops the guard cells the grader added. ``grading/nbgrader_config.py`` runs it
between ``GetGrades`` and ``ClearHiddenTests``.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from pageturn.grading.sanitize import grading_meta, strip_guard_cells


def _short(output) -> list[str]:
    ename = output.get("ename", "Error")
    evalue = str(output.get("evalue", "")).strip()
    if not evalue:
        return [f"{ename} (a test failed; the test itself is not shown)"]
    return [f"{ename}: {evalue}"]


class ShortenTracebacks(Preprocessor):
    """Keep only ``ErrorName: message`` of each error in grading cells; drop guard cells."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        return super().preprocess(strip_guard_cells(nb), resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and grading_meta(cell).get("grade"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = _short(output)
        return cell, resources
