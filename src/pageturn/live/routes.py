"""Pageturn's routes: what each URL does, given the app, and how a bad request is answered.

Each route is a function ``(app, *, query, body, reader, version) -> (status, payload)``
that talks to the app only through its public methods (``add_book``, ``books_of``,
``check_invariant``, ``event``, ``state``, ...). A request the route cannot serve raises
:class:`HttpError`, which the server turns into a 4xx answer ``{"error": "..."}``.
"""

from __future__ import annotations

import logging

from pageturn.live import versions
from pageturn.model import endpoints

MAX_BODY_BYTES = 10_000
"""The largest JSON body a POST may carry (bytes)."""


class HttpError(Exception):
    """A request Pageturn will not serve: answered with ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def check_reader(reader) -> str:
    if not isinstance(reader, str) or not 1 <= len(reader) <= 64 or not all(c.isalnum() or c in "-_." for c in reader):
        raise HttpError(400, f"reader must be 1 to 64 letters, digits, '-', '_' or '.', got {reader!r}")
    return reader


def _text_field(body, name, required, limit=200):
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise HttpError(400, f"{name} must be a non-empty string, got {value!r}")
    value = value.strip()
    if len(value) > limit:
        raise HttpError(400, f"{name} must be at most {limit} characters, got {len(value)}")
    return value


def _need_reader(reader):
    if reader is None:
        raise HttpError(400, 'reader is missing: add ?reader=ID (or "reader" in the JSON body)')
    return reader


def _log_book(app, *, body, reader, version, **_):
    reader = _need_reader(reader)
    title = _text_field(body, "title", True)
    author = _text_field(body, "author", False)
    book, count = app.add_book(reader, title, author, version)
    app.event(logging.DEBUG, "book_logged", reader=reader, book_id=book["id"], version=version)
    return 201, {"book": book, "count": count}


def _my_books(app, *, reader, version, **_):
    reader = _need_reader(reader)
    books = app.books_of(reader)
    shown = versions.shown_books(books, version)
    app.check_invariant(
        len(shown) == len(books),
        "every_book_listed",
        f"reader {reader} logged {len(books)} book{'' if len(books) == 1 else 's'} but the list shows {len(shown)}",
    )
    return 200, {"reader": reader, "count": len(shown), "books": shown}


def _search(app, *, query, reader, version, **_):
    reader = _need_reader(reader)
    words = query.get("q", "")
    if not words.strip() or len(words) > 100:
        raise HttpError(400, f"q must be 1 to 100 characters to search for, got {words!r}")
    books = app.books_of(reader)
    needle = words.strip().lower()
    hits = [
        b for b in versions.shown_books(books, version) if needle in b["title"].lower() or needle in b["author"].lower()
    ]
    return 200, {"reader": reader, "q": words, "count": len(hits), "books": hits}


def _health(app, **_):
    state = app.state()
    return 200, {
        "status": "ok",
        "version": state["version"],
        "canary_version": state["canary_version"],
        "canary_percent": state["canary_percent"],
    }


def _metrics(app, **_):
    return 200, app.metrics.text()


def _admin_state(app, **_):
    return 200, app.state()


def _admin_logs(app, *, query, **_):
    last = query.get("last", "50")
    if not last.isdigit() or not 1 <= int(last) <= 10_000:
        raise HttpError(400, f"last must be a whole number from 1 to 10000, got {last!r}")
    return 200, {"events": app.log_events(last=int(last))}


def _admin_call(method, *names):
    def route(app, *, body, **_):
        try:
            args = [body[name] if name in body else _missing(name) for name in names]
            return 200, {"result": getattr(app, method)(*args), "state": app.state()}
        except ValueError as error:
            raise HttpError(400, str(error)) from None

    return route


def _missing(name):
    raise HttpError(400, f"{name} is missing from the JSON body")


_HANDLERS = {
    endpoints.LOG_BOOK: _log_book,
    endpoints.MY_BOOKS: _my_books,
    endpoints.SEARCH: _search,
    endpoints.HEALTH: _health,
    endpoints.METRICS: _metrics,
}
_ADMIN = {
    "state": ("GET", _admin_state),
    "logs": ("GET", _admin_logs),
    "version": ("POST", _admin_call("set_version", "version")),
    "canary": ("POST", _admin_call("set_canary", "version", "percent")),
    "loglevel": ("POST", _admin_call("set_log_level", "level")),
    "rollback": ("POST", _admin_call("rollback")),
}


def _table() -> dict:
    table: dict = {}
    for name, (method, path) in endpoints.ENDPOINTS.items():
        table.setdefault(path, {})[method] = (name, _HANDLERS[name])
    for what, (method, handler) in _ADMIN.items():
        table.setdefault(endpoints.ADMIN_PREFIX + what, {})[method] = (endpoints.ADMIN, handler)
    return table


#: path -> method -> (route name for metrics, function(app, *, query, body, reader, version)); the route
#: names, methods and paths come from :mod:`pageturn.model.endpoints`, their one owner.
ROUTES = _table()
