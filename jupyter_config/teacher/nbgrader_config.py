# The teacher view (`make teacher`) on one machine: nbgrader's exchange is the folder `exchange/`
# beside this file, made here if missing, so the formgrader's Release and Collect work without a
# JupyterHub and without root, and it shows no "exchange directory does not exist" warning.
# On a JupyterHub, /etc/jupyter/nbgrader_config.py sets the shared exchange instead (see
# grading/README.md, section 7); this file is read only by the teacher view.
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file
exchange = Path(__file__).resolve().parent / "exchange"
exchange.mkdir(exist_ok=True)
c.Exchange.root = str(exchange)
