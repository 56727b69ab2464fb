"""Stopping the hub leaves nothing behind: no user server, service, proxy or open port."""

from __future__ import annotations

import os
import socket

import pytest

from pageturn.grading import hub as hubmod

pytestmark = [pytest.mark.xdist_group("hub"), pytest.mark.slow]  # one worker, one hub, file order


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_stopping_the_hub_leaves_no_process_server_or_port(term):
    h = term.hub
    ports = [h.port, h.api_port, h.proxy_api_port, *[k.port for k in term.courses]]
    assert all(_listening(p) for p in ports[:3])
    running = [c for _, _, c in hubmod.processes_of(term.accounts) if "jupyterhub-singleuser" in c]
    assert len(running) >= 4  # users' servers and both formgrader services
    pidfile = term.root / "jupyterhub-proxy.pid"
    proxy_pid = int(pidfile.read_text())
    assert h.stop() == 0
    assert hubmod.processes_of(term.accounts) == []
    assert not os.path.exists(f"/proc/{proxy_pid}")
    assert [p for p in ports if _listening(p)] == []
