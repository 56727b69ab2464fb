"""The one HTTP client the course uses to talk to a Pageturn on this machine.

Everything that calls a running Pageturn (the sanity check, the load generator, the fleet's
metrics scraper, the tests) goes through :func:`request`. It speaks plain HTTP/1.1 to
``127.0.0.1`` only, one connection per request, so nothing here can reach another machine.

>>> port_of("http://127.0.0.1:8080")
8080
>>> port_of("https://example.org")
Traceback (most recent call last):
...
ValueError: url must look like 'http://127.0.0.1:PORT' (Pageturn's handle.url), got 'https://example.org'
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from dataclasses import dataclass

HOST = "127.0.0.1"


def port_of(url, *, name: str = "url") -> int:
    """The port of a Pageturn URL on this machine (``http://127.0.0.1:PORT`` or ``http://localhost:PORT``).

    Raises:
        ValueError: naming ``name`` and the value, for anything else.
    """
    parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "http" or parts.hostname not in (HOST, "localhost") or not parts.port:
        raise ValueError(f"{name} must look like 'http://127.0.0.1:PORT' (Pageturn's handle.url), got {url!r}")
    return parts.port


@dataclass(frozen=True)
class Response:
    """One HTTP answer: ``status`` (e.g. 200), ``headers`` (a dict) and the raw ``body`` (bytes)."""

    status: int
    headers: dict
    body: bytes

    def data(self):
        """The body decoded as JSON, or as text when it is not JSON."""
        text = self.body.decode("utf-8")
        try:
            return json.loads(text)
        except ValueError:
            return text


def request(port: int, method: str = "GET", path: str = "/", body=None, headers=None, timeout_s: float = 5.0):
    """Send one request to ``127.0.0.1:port`` and return its :class:`Response`.

    ``body``, when given, is sent as JSON. ``timeout_s`` is in seconds.

    Raises:
        OSError: when nothing answers (for example ``ConnectionRefusedError``) or it times out.
        http.client.HTTPException: for an answer that is not valid HTTP.
    """
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
    try:
        payload = None if body is None else json.dumps(body).encode("utf-8")
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return Response(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def request_json(url: str, method: str = "GET", path: str = "/", body=None, headers=None, timeout_s: float = 5.0):
    """Send one HTTP request to the app at ``url`` and return ``(status, headers, data)``.

    ``data`` is the decoded JSON answer (or the text when it is not JSON).

    Raises:
        ValueError: if ``url`` is not an http URL on 127.0.0.1 / localhost.
        OSError: if the app cannot be reached (e.g. ``ConnectionRefusedError``).
    """
    answer = request(port_of(url), method, path, body=body, headers=headers, timeout_s=timeout_s)
    return answer.status, answer.headers, answer.data()
