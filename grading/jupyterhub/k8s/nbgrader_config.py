"""nbgrader settings for the course's pods on Kubernetes (zero-to-jupyterhub): the exchange is ngshare.

values.yaml puts this folder on JUPYTER_CONFIG_PATH in every user's pod. ngshare_exchange replaces
nbgrader's folder exchange with calls to the ngshare service, which checks, through the hub, who
the user is and whether they are a student or an instructor of the course (ngshare keeps its own
course rosters: see README.md beside this file).
"""

from ngshare_exchange import configureExchange

c = get_config()  # noqa: F821

# The hub's proxy routes /services/ngshare to the ngshare pod (hub.services.ngshare in values.yaml).
configureExchange(c, "http://proxy-public/services/ngshare")
c.Exchange.path_includes_course = True
