"""Driving the course's JupyterHub as its users do: log in, make a token, start a server, use it.

Everything goes through the hub's public URL on 127.0.0.1 (the proxy): the hub's REST API, each
user's own Jupyter server (contents, terminals, nbgrader's Assignments endpoints) and the course's
formgrader service.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid

import requests
import websocket

from gradingkit import hidden_test_lines
from thiscourse import COURSE as MANIFEST
from thiscourse import ROOT

REPO = ROOT  # the checkout whose course the hub serves
# The two classes of the hub tests (conftest.py builds them).
COURSE = MANIFEST.id
SECOND = "intro-stats"
TEACHER, STUDENTS = "tess", ["ada", "ben", "cy"]
NEWCOMER = "dee"  # a student of this course who meets the hub only in the browser journey (test_3_browser.py)
SECOND_TEACHER, SECOND_STUDENTS = "tom", ["ben", "eve"]


class HubError(AssertionError):
    pass


def _ok(r: requests.Response, what: str) -> requests.Response:
    if r.status_code >= 400:
        raise HubError(f"{what}: HTTP {r.status_code} {r.text[:500]}")
    return r


class User:
    """One hub user, logged in through the login form, holding an API token made on their behalf."""

    def __init__(self, hub_url: str, name: str, password: str):
        self.hub, self.name = hub_url, name
        self.session = requests.Session()
        self.session.get(f"{hub_url}/hub/login", timeout=30)
        r = self.session.post(
            f"{hub_url}/hub/login",
            allow_redirects=False,
            timeout=30,
            data={"username": name, "password": password, "_xsrf": self.session.cookies.get("_xsrf")},
        )
        if r.status_code != 302:
            raise HubError(f"login as {name!r} failed: HTTP {r.status_code}")
        r = self.session.post(
            f"{hub_url}/hub/api/users/{name}/tokens",
            timeout=30,
            headers={"X-XSRFToken": self.session.cookies.get("_xsrf")},
            json={"note": "pageturn hub test", "expires_in": 3600},
        )
        self.token = _ok(r, f"token for {name}").json()["token"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    # --- the hub's REST API -------------------------------------------------------------------
    def api(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, f"{self.hub}/hub/api{path}", headers=self.headers, timeout=60, **kw)

    def start_server(self) -> None:
        r = self.api("POST", f"/users/{self.name}/server")
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise HubError(f"start {self.name}'s server: HTTP {r.status_code} {r.text[:300]}")

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = _ok(self.api("GET", f"/users/{self.name}"), "user model").json()["servers"].get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise HubError(f"{self.name}'s server was not ready within {timeout} s")

    # --- the user's own server ----------------------------------------------------------------
    def server(self, method: str, path: str, owner: str | None = None, **kw) -> requests.Response:
        """A request to ``/user/<owner>/<path>`` (owner: this user unless given)."""
        return requests.request(
            method, f"{self.hub}/user/{owner or self.name}/{path.lstrip('/')}", headers=self.headers, timeout=300, **kw
        )

    def read(self, path: str) -> dict:
        return _ok(self.server("GET", f"api/contents/{path}"), f"{self.name} reads {path}").json()

    def write_notebook(self, path: str, nb) -> None:
        _ok(
            self.server("PUT", f"api/contents/{path}", json={"type": "notebook", "format": "json", "content": nb}),
            f"{self.name} saves {path}",
        )

    def assignments(self, action: str | None = None, course: str = "", lab: str = "") -> dict:
        """nbgrader's Assignments tab: list (no action), or fetch / submit / fetch_feedback."""
        if action is None:
            r = self.server("GET", "assignments", params={"course_id": course})
        else:
            r = self.server("POST", f"assignments/{action}", data={"course_id": course, "assignment_id": lab})
        return _ok(r, f"{self.name}: assignments {action or 'list'} {course} {lab}").json()

    def terminal(self, command: str, *, service: str | None = None, timeout: float = 600) -> tuple[int, str]:
        """Run ``command`` in a terminal of this user's server (or of ``service``); (exit status, output)."""
        base = f"/services/{service}" if service else f"/user/{self.name}"
        r = _ok(requests.post(f"{self.hub}{base}/api/terminals", headers=self.headers, timeout=60), "new terminal")
        name = r.json()["name"]
        ws = websocket.create_connection(
            f"ws://{self.hub.split('://', 1)[1]}{base}/terminals/websocket/{name}",
            header=[f"Authorization: token {self.token}"],
            timeout=timeout,
        )
        marker = uuid.uuid4().hex[:8]
        try:
            ws.send(json.dumps(["stdin", f'{command}; echo "@@{marker}@@$?@@"\r']))
            out = ""
            deadline = time.monotonic() + timeout
            found = None
            while found is None and time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg[0] == "stdout":
                    out += msg[1]
                    found = re.search(rf"@@{marker}@@(\d+)@@", out)
            if found is None:
                raise HubError(f"terminal command did not finish within {timeout} s: {command}\n{out[-2000:]}")
            return int(found.group(1)), out[: found.start()]
        finally:
            ws.close()
            requests.delete(f"{self.hub}{base}/api/terminals/{name}", headers=self.headers, timeout=60)

    # --- a course's formgrader service ----------------------------------------------------------
    def formgrader(self, method: str, course: str, path: str, **kw) -> requests.Response:
        return requests.request(
            method,
            f"{self.hub}/services/{course}/formgrader/api/{path.lstrip('/')}",
            headers=self.headers,
            timeout=600,
            **kw,
        )


def page_config(page_html: str) -> dict:
    """The JupyterLab page config a server sends with /lab (which plugins are disabled, etc.)."""
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page_html, re.S)
    if not found:
        raise HubError("no jupyter-config-data in the page")
    return json.loads(html.unescape(found.group(1)))


def hidden_lines(source_nb) -> list[str]:
    """Lines of the hidden tests in an instructor notebook (long enough to be recognisable)."""
    return hidden_test_lines(source_nb, 15)


def leaked(page: str, lines) -> list[str]:
    return [s for s in lines if s in page or html.escape(s) in page or html.escape(s, quote=False) in page]
