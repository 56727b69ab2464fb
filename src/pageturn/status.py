"""What counts as a failed request: the one 5xx rule every error count in the course uses.

It lives at the top of the package, beside :mod:`pageturn.checks`, because the
pure canary judge (:mod:`pageturn.model.canary`) and the live metrics
(:mod:`pageturn.live.appmetrics`) both need it and ``model`` imports nothing live.
"""

from __future__ import annotations


def is_server_error(status) -> bool:
    """True for an HTTP status in the 5xx range (the requests an error SLI counts as bad).

    ``status`` may be an int (``503``) or the string a metric label holds (``"503"``).

    >>> is_server_error(503), is_server_error("200"), is_server_error("500")
    (True, False, True)
    """
    try:
        return 500 <= int(status) <= 599
    except (TypeError, ValueError):
        return False


def server_errors(statuses):
    """A boolean mask (pandas Series) of the 5xx rows in a Series of statuses (ints or label strings)."""
    return statuses.map(is_server_error).astype(bool)
