"""nbgrader settings for everyone on the course's JupyterHub: students, teachers and the formgrader service.

jupyterhub_config.py puts this folder on every hub server's JUPYTER_CONFIG_PATH, so nbgrader reads
this file there (on another hub, copying it to /etc/jupyter/nbgrader_config.py does the same).
It sets no course id: each course's own root (grading/nbgrader_config.py in the grader account's
copy) sets its id, and students may be in several courses.

* The exchange is the folder through which released labs, submissions and feedback move
  (PAGETURN_EXCHANGE, set by the hub to $PAGETURN_HUB_ROOT/exchange). Everyone must be able to write
  to it: ``python -m pageturn.grading.hub prepare`` makes it, or as root:
  ``mkdir -p /srv/pageturn/exchange && chmod 1777 /srv/pageturn/exchange``.
* ``path_includes_course``: each course has its own folder in the exchange, and students fetch into
  ``~/<course id>/<lab>/``, so two courses' labs of the same name cannot collide.
* JupyterHubAuthPlugin: a user takes part in a course when they are in the hub group
  ``nbgrader-<course id>`` (students) or ``formgrade-<course id>`` (teachers); their Assignments
  tab lists only those courses, and fetching or submitting to any other course is refused.
"""

import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821

c.Exchange.root = os.environ.get("PAGETURN_EXCHANGE", "/srv/pageturn/exchange")
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = JupyterHubAuthPlugin
