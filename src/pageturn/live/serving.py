"""One small HTTP server in a background thread, on 127.0.0.1, that knows its requests in flight.

The balancer and the debug pages both use :class:`Background`. Stopping it closes the
port, ends the serving thread and waits (up to ``drain_s`` seconds) for the requests
still being answered: the same connection draining the balancer offers the instances.
Thread names carry the port, so a test can check that nothing of one server is left.
"""

from __future__ import annotations

import http.server
import threading
import time

HOST = "127.0.0.1"


class TrackedServer(http.server.ThreadingHTTPServer):
    """A ThreadingHTTPServer on 127.0.0.1 that keeps the set of its request threads in ``active``.

    ``port`` 0 (the default) picks a free port. Keyword arguments become attributes (handlers read
    them as ``self.server.X``). Pageturn's own app, the balancer and the debug pages all use it.

    Raises:
        OSError: when ``port`` is taken.
    """

    daemon_threads = True

    def __init__(self, handler, name: str, *, port: int = 0, **attributes):
        self.name = name
        self.active: set = set()
        self.active_lock = threading.Lock()
        for key, value in attributes.items():
            setattr(self, key, value)
        super().__init__((HOST, port), handler)

    def process_request_thread(self, request, client_address):
        me = threading.current_thread()
        me.name = f"{self.name}-request-{self.server_address[1]}"
        with self.active_lock:
            self.active.add(me)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.active_lock:
                self.active.discard(me)


class Background:
    """Serve ``handler`` on a free 127.0.0.1 port in a daemon thread named ``name-PORT``.

    Attributes: ``server`` (the :class:`TrackedServer`), ``port``, ``url``, ``running``.
    """

    def __init__(self, handler, name: str, **attributes):
        self.server = TrackedServer(handler, name, **attributes)
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}"
        self._stopped = False
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"{name}-{self.port}", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return not self._stopped

    def stop(self, drain_s: float = 5.0) -> None:
        """Close the port, end the serving thread, and wait up to ``drain_s`` s for requests in
        flight to finish. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5.0)
        deadline = time.monotonic() + drain_s
        while time.monotonic() < deadline:
            with self.server.active_lock:
                active = list(self.server.active)
            if not active:
                break
            active[0].join(max(0.0, deadline - time.monotonic()))
