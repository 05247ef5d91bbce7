"""``kgqa serve``: a child Oxigraph server on the data directory's store, and the app on uvicorn.

Oxigraph server stops queries at the time limit (pyoxigraph in-process cannot), so the
app talks to the store through the SPARQL-server backend; other ``kgqa`` commands on the
same data directory find the running server through ``server.json`` and go through it.
"""
from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from ..settings import Settings

__all__ = ["serve", "exposure_warnings"]


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


def serve(settings: Settings, *, echo: Callable[[str], None] = print, log_level: str = "warning",
          warn: Callable[[str], None] | None = None) -> None:
    """Run the service until Ctrl-C or SIGTERM; the child store server is stopped on the way out.

    The child runs under ``service.served_store``: supervised (started again when it dies),
    killed with this process, stopped past ``KGQA_STORE_MEMORY_MB``, and by default out of
    other users' reach (``KGQA_STORE_ISOLATION``).
    """
    import sys

    import uvicorn

    from .. import service
    from .app import create_app

    warn = warn or (lambda line: print(line, file=sys.stderr))
    sock = _bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    http_url = f"http://{shown}:{port}"
    for line in exposure_warnings(settings, host):
        warn(line)
    # SIGTERM ends the run like Ctrl-C, so the finally blocks below stop the child server
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        with service.served_store(settings, register_as=http_url) as store:
            app = create_app(settings, store)
            app.state.restart_store = getattr(store, "on_timeout", None)
            config = uvicorn.Config(app, log_level=log_level, access_log=False, timeout_graceful_shutdown=5)
            echo(f"kgqa serving {http_url} (SPARQL at /sparql, web page at /)")
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        signal.signal(signal.SIGTERM, previous)


def exposure_warnings(settings: Settings, host: str) -> list[str]:
    """What to say when ``kgqa serve`` listens beyond loopback.

    >>> exposure_warnings(Settings(data_dir="/tmp/x"), "127.0.0.1")
    []
    >>> exposure_warnings(Settings(data_dir="/tmp/x", api_token="t"), "0.0.0.0")[0][:40]
    'warning: listening on 0.0.0.0 with KGQA_'
    """
    import ipaddress

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return []
    every = "every interface" if host in ("0.0.0.0", "::") else f"the interface of {host}"
    lines = [f"warning: listening on {host}: questions and SPARQL queries are open to anyone who can reach "
             f"{every} (no TLS; put a reverse proxy with TLS in front for other machines)"]
    if settings.api_token is not None and settings.api_token.get_secret_value():
        lines.insert(0, f"warning: listening on {host} with KGQA_API_TOKEN set: uploads, deletes and SPARQL "
                        f"updates are open on {every} to whoever has the token, sent in clear text without TLS")
    return lines


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)
