"""The one summary table the teacher reads after :func:`pageturn.grading.pipeline.grade`."""

from __future__ import annotations

import textwrap


def _score(row) -> str:
    if row.score is None:
        return "-"
    return f"{row.score:g} / {row.max_score:g}" if row.max_score is not None else f"{row.score:g}"


def summary(run, width: int = 110) -> str:
    """The summary of a :class:`~pageturn.grading.pipeline.GradeRun` as text, one line per student
    (notes wrapped under it), then totals and where the export and the log are."""
    rows = run.results
    name_w = max([len("student")] + [len(r.student) for r in rows])
    lines = [
        f"{'student':<{name_w}}  {'score':>13}  {'manual?':<7}  notes",
        f"{'-' * name_w}  {'-' * 13}  {'-' * 7}  {'-' * 30}",
    ]
    indent = name_w + 2 + 13 + 2 + 7 + 2
    for r in rows:
        manual = "yes" if r.needs_manual_grading else ("-" if r.status != "graded" else "no")
        notes = "; ".join(r.notes) if r.notes else ""
        if r.status != "graded" and not any(n.startswith("not graded") for n in r.notes):
            notes = "not graded" + ("; " + notes if notes else "")
        wrapped = textwrap.wrap(notes, max(30, width - indent)) or [""]
        lines.append(f"{r.student:<{name_w}}  {_score(r):>13}  {manual:<7}  {wrapped[0]}")
        lines.extend(" " * indent + w for w in wrapped[1:])
    graded = sum(r.status == "graded" for r in rows)
    manual = sum(r.needs_manual_grading for r in rows)
    lines.append("")
    lines.append(
        f"{len(rows)} submissions: {graded} graded, {len(rows) - graded} not graded, "
        f"{manual} waiting for manual grading (make teacher → Formgrader). "
        f"{run.seconds:.0f} s."
    )
    for problem in run.problems:
        lines.append(f"problem: {problem}")
    lines.append(f"grades: {run.csv}")
    if run.log is not None:
        lines.append(f"nbgrader's log: {run.log}")
    return "\n".join(lines)
