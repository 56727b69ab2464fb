"""Example JupyterHub configuration for grading "Pageturn: Build vs Run" with nbgrader's exchange.

Copy to the hub server (for example /etc/jupyterhub/jupyterhub_config.py) and adapt the
user names. It follows nbgrader's own demo "one class, multiple graders" for JupyterHub 4/5:

* the teachers share one notebook server, run as a JupyterHub *service* named after the
  course id (it MUST equal c.CourseDirectory.course_id: "pageturn-build-vs-run"), owned by
  the Unix account `grader-pageturn-build-vs-run`, which holds the private course repository
  (with grading/source/) at /home/grader-pageturn-build-vs-run/pageturn;
* teachers reach it through the hub because they are in the group
  `formgrade-pageturn-build-vs-run` (the prefix `formgrade-` is how nbgrader finds it);
* students spawn their own servers; the student view (no formgrader, no Create Assignment)
  comes from grading/jupyterhub/student_config, copied to /srv/pageturn/student_config;
* released labs, submissions and feedback move through the exchange folder
  /srv/nbgrader/exchange, set in grading/jupyterhub/nbgrader_config.py (copy it to
  /etc/jupyter/nbgrader_config.py).

Tested in the course repository (tests/test_grading_exchange.py) without JupyterHub itself:
this file is loaded and checked, and the exchange flow release_assignment → fetch_assignment
→ submit → collect → grade → release_feedback → fetch_feedback runs with the real nbgrader on
a temporary exchange folder. JupyterHub, its proxy, authentication and spawning were NOT run.
"""

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

COURSE = "pageturn-build-vs-run"            # = c.CourseDirectory.course_id in grading/nbgrader_config.py
GRADER = f"grader-{COURSE}"                 # the Unix account that owns the course files
TEACHERS = ["teacher1", "teacher2"]         # change: your teachers' hub user names
STUDENTS = ["student1", "student2"]         # change: your students (or use your authenticator's allow rules)

c.JupyterHub.bind_url = "http://127.0.0.1:8000"     # put a TLS-terminating proxy in front for real use
c.Authenticator.allowed_users = set(TEACHERS + STUDENTS)
c.Authenticator.admin_users = set(TEACHERS[:1])

c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": TEACHERS},   # may use the formgrader service
    f"nbgrader-{COURSE}": {"users": STUDENTS},    # see the course in the Assignments list
}

c.JupyterHub.load_roles = [
    {
        "name": f"formgrade-{COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [f"access:services!service={COURSE}", "list:services", f"read:services!service={COURSE}"],
    },
    {
        "name": f"nbgrader-{COURSE}",
        "groups": [f"nbgrader-{COURSE}"],
        "scopes": ["list:services", f"read:services!service={COURSE}"],
    },
    # nbgrader's course list asks the hub about services with the server's own token.
    {"name": "server", "scopes": ["inherit"]},
]

# The teachers' shared server: JupyterLab with the formgrader, started in the course root.
c.JupyterHub.services = [
    {
        "name": COURSE,
        "url": "http://127.0.0.1:9999",
        "command": ["jupyterhub-singleuser", "--debug"],
        "user": GRADER,
        "cwd": f"/home/{GRADER}/pageturn/grading",
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            # the teacher view of the course: formgrader on (see jupyter_config/teacher in the repo)
            "JUPYTER_CONFIG_DIR": f"/home/{GRADER}/pageturn/jupyter_config/teacher",
        },
    }
]

# Students: the student view, with the Assignments list (fetch and submit) but without the
# teacher's tools. JUPYTER_CONFIG_DIR replaces ~/.jupyter for their servers.
c.Spawner.environment = {"JUPYTER_CONFIG_DIR": "/srv/pageturn/student_config"}
c.Spawner.default_url = "/lab"
