"""``kgqa serve``: a child Oxigraph server on the data directory's store, and the app on uvicorn.

Oxigraph server stops queries at the time limit (pyoxigraph in-process cannot), so the
app talks to the store through the SPARQL-server backend; other ``kgqa`` commands on the
same data directory find the running server through ``server.json`` and go through it.
"""
from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..settings import Settings

if TYPE_CHECKING:
    from kg.oxserver import OxigraphServer

__all__ = ["serve"]


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it Nagle's algorithm holds each response's body for a delayed ACK (~40 ms per request)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from None
    sock.listen(128)
    return sock


def serve(settings: Settings, *, echo: Callable[[str], None] = print, log_level: str = "warning") -> None:
    """Run the service until Ctrl-C or SIGTERM; the child store server is stopped on the way out."""
    import uvicorn

    from kg import ensure_reference_graphs
    from kg.oxserver import OxigraphServer
    from kg.remote import SparqlServerStore

    from .. import service
    from .app import create_app

    sock = _bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    http_url = f"http://{shown}:{port}"
    # SIGTERM ends the run like Ctrl-C, so the finally blocks below stop the child server
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    oxigraph = OxigraphServer(settings.store_path, timeout_s=settings.query_timeout_s)
    try:
        oxigraph.start()
        # the client gives up a little after the server's own limit, for queries the server fails to stop
        store = SparqlServerStore.for_oxigraph(oxigraph.url, timeout=settings.query_timeout_s + 5)
        try:
            ensure_reference_graphs(store)
            app = create_app(settings, store)
            app.state.restart_store = _Restarter(oxigraph).restart
            config = uvicorn.Config(app, log_level=log_level, access_log=False, timeout_graceful_shutdown=5)
            with service.register_server(settings, oxigraph.url, http_url):
                echo(f"kgqa serving {http_url} (SPARQL at /sparql, web page at /)")
                uvicorn.Server(config).run(sockets=[sock])
        finally:
            store.close()
    finally:
        oxigraph.stop()
        sock.close()
        signal.signal(signal.SIGTERM, previous)


class _Restarter:
    """Restarts the child store server after a query outlived the time limit, once at a time."""

    def __init__(self, server: "OxigraphServer") -> None:
        self.server = server
        self._lock = threading.Lock()
        self.restarts = 0

    def restart(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # a restart is under way already
        try:
            self.server.restart()
            self.restarts += 1
        finally:
            self._lock.release()


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)
