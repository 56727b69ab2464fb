"""nbgrader configuration for the course "Pageturn: Build vs Run".

This folder is the nbgrader course root: `source/<lab>/` holds each lab's
instructor notebook (solutions, visible and hidden tests) and is the only
place a lab is edited. `make release` turns it into the student copy in
`../labs/<lab>/`. See README.md in this folder for the teacher's guide.
"""

import os

from pageturn.course.manifest import course_id

c = get_config()  # noqa: F821  (provided by nbgrader/traitlets when it loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = course_id()  # from course.toml, the course manifest
c.CourseDirectory.root = HERE
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")

# What learners see where a solution was removed.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Graded labs run each cell for at most this many seconds when autograded.
c.Execute.timeout = 60

# A learner who deletes a test cell must not dodge it: put missing grading cells back.
c.OverwriteCells.add_missing_cells = True

# --- The course's defences, inside nbgrader's own chain (src/pageturn/grading/preprocessors.py). ---
# This file is the ONE place they are registered, so `make grade`, `nbgrader autograde LAB` typed here,
# the formgrader's Autograde button and a JupyterHub's grader account all grade the same way.
# See README.md in this folder, section 6.

# On the submitted notebook: repair pasted/deleted cells (instead of nbgrader's DeduplicateIds, which
# leaves a pasted cell that crashes grading, nbgrader#1083), then nbgrader's own restore, then the guard cells.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "pageturn.grading.preprocessors.RepairCells",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "pageturn.grading.preprocessors.GuardCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Executing it: a per-notebook time budget, an output cap and crash handling
# (pageturn.grading.execute.BudgetedExecute replaces nbgrader's Execute); FinishGrading removes the
# guard cells and keeps every finding in the graded notebook (metadata "pageturn"/"notes").
c.Autograde.autograde_preprocessors = [
    "pageturn.grading.execute.BudgetedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "pageturn.grading.preprocessors.FinishGrading",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.BudgetedExecute.timeout = 60  # seconds per cell (as Execute.timeout above)
c.BudgetedExecute.notebook_timeout = 300  # seconds for a whole notebook
c.BudgetedExecute.max_output_chars = 200_000  # characters of printed output kept per cell

# A folder with no <lab>.ipynb but exactly one other notebook ("Copy of lab2_histograms.ipynb") is
# graded as the lab, with a note; with two or more, none is guessed and the log names them.
c.Autograde.pre_convert_hook = "pageturn.grading.preprocessors.adopt_renamed_copy"
c.Autograde.post_convert_hook = "pageturn.grading.preprocessors.drop_adopted_copy"

# Feedback never shows hidden tests, nor traceback lines that quote them (nbgrader#917).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "pageturn.grading.feedback.ShortenTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Submissions downloaded from an LMS as zip files (`python -m pageturn.grading grade LAB --zip DIR`):
# each notebook inside (at any depth) must be named `<student id>_<lab>.ipynb`, for example
# `ada_lab1_four_keys.ipynb`. Student ids may hold letters, digits, dots and dashes, not underscores.
# Anything the LMS puts before two underscores is ignored: `Export-2026-03__ada_lab1_four_keys.ipynb` is `ada`.
# nbgrader matches the pattern against the file's full path, hence the leading `.*/`.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r"^.*/(?:[^/]*__)?(?P<student_id>[A-Za-z0-9.\-]+)_(?P<file_id>[A-Za-z0-9_\-]+)\.ipynb$"
)
