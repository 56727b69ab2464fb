"""nbgrader configuration for the course "Pageturn: Build vs Run".

This folder is the nbgrader course root: `source/<lab>/` holds each lab's
instructor notebook (solutions, visible and hidden tests) and is the only
place a lab is edited. `make release` turns it into the student copy in
`../labs/<lab>/`. See README.md in this folder for the teacher's guide.
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader/traitlets when it loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "pageturn-build-vs-run"
c.CourseDirectory.root = HERE
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")

# What learners see where a solution was removed.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Graded labs run each cell for at most this many seconds when autograded.
c.Execute.timeout = 60

# A learner who deletes a test cell must not dodge it: put missing grading cells back.
c.OverwriteCells.add_missing_cells = True
