"""Pageturn's HTTP endpoints as plain data: the name of every route, and the method and path it answers.

The one owner of the route names. The app's dispatch table (:data:`pageturn.live.routes.ROUTES`),
the load generator, the versions' service times, the admin panel and the alerts' SLIs take them
from here; the metrics label every request with its route's name.

>>> ENDPOINTS["my_books"]
('GET', '/books')
>>> READER_ROUTES
('log_book', 'my_books', 'search')
"""

LOG_BOOK, MY_BOOKS, SEARCH = "log_book", "my_books", "search"
HEALTH, METRICS, ADMIN = "health", "metrics", "admin"

READER_ROUTES = (LOG_BOOK, MY_BOOKS, SEARCH)
"""What readers do: log a book, list their books, search. The traffic that the load generator
sends by default and that the SLIs, the canary and the admin panel count."""

QUIET_ROUTES = (METRICS, ADMIN)
"""Scrapes and admin calls: answered and counted in the metrics like any request, but left out of
the app's request log and the admin panel's request rate (they would drown the readers' traffic)."""

ENDPOINTS = {
    LOG_BOOK: ("POST", "/books"),
    MY_BOOKS: ("GET", "/books"),
    SEARCH: ("GET", "/search"),
    HEALTH: ("GET", "/health"),
    METRICS: ("GET", "/metrics"),
}
"""Route name -> (HTTP method, path), for every route but ``admin``, whose several paths all
start with :data:`ADMIN_PREFIX` (:data:`pageturn.live.routes.ROUTES` lists them)."""

ADMIN_PREFIX = "/admin/"
