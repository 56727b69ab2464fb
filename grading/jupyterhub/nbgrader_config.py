"""nbgrader settings shared by everyone on the JupyterHub server (copy to /etc/jupyter/nbgrader_config.py).

The exchange is the folder through which released labs, submissions and feedback move:
teachers run `nbgrader release_assignment LAB`, students fetch and submit from the
Assignments tab, teachers run `nbgrader collect LAB` and then
`python -m pageturn.grading grade LAB`, and `nbgrader release_feedback LAB`.

Create it once, as root:
    mkdir -p /srv/nbgrader/exchange && chmod ugo+rw /srv/nbgrader/exchange
"""

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "pageturn-build-vs-run"
c.Exchange.root = "/srv/nbgrader/exchange"
c.Exchange.path_includes_course = True
