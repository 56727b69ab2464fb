"""The **Validate** button, telling what the course's grading will do with the notebook.

A Jupyter server extension that serves nbgrader's own ``/assignments/validate`` and
``/nbgrader_version`` (the URLs nbgrader's labextension calls), in place of
``nbgrader.server_extensions.validate_assignment``. The course's views enable it
instead of nbgrader's (``jupyter_config/*/jupyter_server_config.json``, ``postBuild``,
``grading/jupyterhub/*_config/``)::

    "jpserver_extensions": {
        "nbgrader.server_extensions.validate_assignment": false,
        "pageturn.grading.validate_server": true
    }

For a notebook that is not a copy of one of the course's labs, the answer is nbgrader's,
unchanged. For a lab, the notebook is first checked and repaired as the teacher's grading
does (:func:`pageturn.grading.validate.repaired`: a grading cell pasted twice, a deleted
or retyped cell, a renamed copy), and nbgrader's validator runs on the repaired copy. When
grading has something to say, the dialog starts with it, in the teacher's report's words::

    When your teacher grades this file:
      - cells pasted twice (one copy graded, the others ran as plain cells): ...

    Success! Your notebook passes all the tests.

nbgrader's labextension (0.9.6) shows free text only in its error dialog, under its own
line "There was an error running the validate command:", so that is where such an answer
goes; the JSON also carries the notes as ``notes`` (a list) for other clients.

Where the student copies are is decided by :func:`where_labs_are` (on a JupyterHub, the
exchange's ``<course_id>/outbound/``; locally, the course's ``labs/``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from nbgrader.server_extensions.validate_assignment.handlers import (
    NbGraderVersionHandler,
    ValidateAssignmentHandler,
)
from tornado import web
from traitlets import Unicode
from traitlets.config import Configurable

from pageturn.grading.validate import SUCCESS, beside, repaired, with_notes

ANSI = re.compile(r"\x1b\[[0-9;]*m")  # the colours in a kernel's traceback


class CourseValidate(Configurable):
    """Settings of the course's Validate button."""

    releases = Unicode(
        "",
        help="A folder of <lab>/<lab>.ipynb student copies; empty: the course's labs/ folder.",
    ).tag(config=True)


def where_labs_are(config, root_dir, target=None) -> dict | None:
    """The keyword arguments of :func:`pageturn.grading.validate.repaired` that find the
    student copies for the notebook ``target``, in this order:

    1. the trait ``CourseValidate.releases``;
    2. on an nbgrader exchange (``Exchange.root``), where students fetch into
       ``<course_id>/<lab>/``: that course's ``outbound/`` folder in the exchange;
    3. when the server serves an nbgrader course (the teacher's ``grading/``): that course;
    4. the served folder's ``labs/`` (``make lab``, Binder);
    5. the course's ``labs/`` (:func:`pageturn.course.manifest.root`).

    None when there are none.
    """
    folder = CourseValidate(config=config).releases
    root = Path(root_dir)
    if folder:
        return {"releases": Path(folder).expanduser()}
    exchange = config.get("Exchange", {}).get("root")
    if exchange and target is not None and len(Path(target).parents) >= 3:
        outbound = Path(exchange) / Path(target).parent.parent.name / "outbound"
        if outbound.is_dir():
            return {"releases": outbound}
    if (root / "nbgrader_config.py").is_file() and (root / "source").is_dir():
        return {"course": root}
    if (root / "labs").is_dir():
        return {"releases": root / "labs"}
    try:
        from pageturn.course import manifest

        return {"releases": manifest.root() / "labs"}
    except FileNotFoundError:
        return None


def summary(result: dict) -> str:
    """nbgrader's validation ``result`` (a dict from ``Validator.validate``) as plain text,
    in the words of nbgrader's own dialog."""
    lines = []
    for cell in result.get("type_changed", []):
        lines += [
            f"The following {cell['old_type']} cell has changed to a {cell['new_type']} cell, but it should not have!",
            cell["source"],
            "",
        ]
    for cell in result.get("changed", []):
        lines += ["The source of the following cell has changed, but it should not have!", cell["source"], ""]
    for cell in result.get("failed", []):
        error = ANSI.sub("", cell.get("raw_error") or cell.get("error", ""))
        lines += ["The following cell failed:", cell["source"], error, ""]
    if not lines:
        lines = [SUCCESS]
    return "\n".join(lines).rstrip()


class CourseValidateHandler(ValidateAssignmentHandler):
    """nbgrader's validate handler, run on the notebook as the course's grading will see it."""

    def validate_notebook(self, path):
        root = Path(self.root_dir).resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root):
            raise web.HTTPError(403, "Access denied: path outside allowed directory")
        where = where_labs_are(self.load_config(), root, target)
        try:
            notes, nb = repaired(target, **where) if where is not None else ([], None)
        except Exception:  # noqa: BLE001 - the course's check must never hide nbgrader's answer
            self.log.exception("pageturn: could not check %s as grading would", target)
            notes, nb = [], None
        if nb is None:
            return super().validate_notebook(path)
        answer = self._validate_copy(target, nb, root)
        if not notes:
            return answer
        if answer["success"]:
            result = answer["value"]
            body = summary(json.loads(result) if isinstance(result, str) else result)
        else:
            body = answer["value"]
        return {"success": False, "value": with_notes(notes, body), "notes": notes}

    def _validate_copy(self, target: Path, nb, root: Path) -> dict:
        """nbgrader's answer for ``nb``, written beside ``target`` for the time it takes."""
        with beside(target, nb) as copy:
            answer = super().validate_notebook(str(copy.relative_to(root)))
        if not answer["success"] and isinstance(answer.get("value"), str):
            answer["value"] = answer["value"].replace(str(copy), str(target))
        return answer


def _jupyter_server_extension_points():
    return [{"module": "pageturn.grading.validate_server"}]


def _load_jupyter_server_extension(serverapp):
    """Serve ``/assignments/validate`` (this module's handler) and ``/nbgrader_version`` (nbgrader's)."""
    from jupyter_server.utils import url_path_join

    webapp = serverapp.web_app
    webapp.settings["root_dir"] = serverapp.root_dir
    base = webapp.settings["base_url"]
    webapp.add_handlers(
        ".*$",
        [
            (url_path_join(base, "/assignments/validate"), CourseValidateHandler),
            (url_path_join(base, "/nbgrader_version"), NbGraderVersionHandler),
        ],
    )
    serverapp.log.info("pageturn: the Validate button checks notebooks as the course's grading does")
