"""A child Oxigraph server process on loopback, for ``kgqa serve`` and for tests.

``oxigraph serve`` (the ``oxigraph`` package's binary) opens the on-disk store, answers the
SPARQL 1.1 Protocol and the Graph Store Protocol, and, unlike pyoxigraph in-process, stops a
query at ``--timeout-s``. Talk to it with :class:`kg.remote.SparqlServerStore`::

    with OxigraphServer(Path("data/store")).start() as server:
        store = SparqlServerStore.for_oxigraph(server.url)
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

from .errors import StoreError, StoreLockedError

__all__ = ["OxigraphServer", "free_port", "oxigraph_binary"]


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable: next to the running Python first, then on PATH."""
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError("the `oxigraph` server binary is not installed; `pip install oxigraph` "
                         "(it is a dependency of kgqa) in the environment that runs kgqa")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve --location DIR --bind HOST:PORT --timeout-s N`` as a child process.

    ``location=None`` serves an in-memory store. ``port=0`` picks a free port. The default
    graph of every query is the union of all graphs (``--union-default-graph``), as in the
    embedded store.
    """

    def __init__(self, location: Path | None, *, host: str = "127.0.0.1", port: int = 0,
                 timeout_s: float | None = 10.0, startup_timeout: float = 30.0) -> None:
        self.location = Path(location).expanduser() if location is not None else None
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` of the running server (queries at ``/query``)."""
        if self._proc is None:
            raise StoreError("the Oxigraph server is not started; call start() first")
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def command(self) -> list[str]:
        cmd = [oxigraph_binary(), "serve", "--bind", f"{self.host}:{self.port}", "--union-default-graph"]
        if self.location is not None:
            cmd += ["--location", str(self.location)]
        if self.timeout_s is not None:
            cmd += ["--timeout-s", str(max(1, round(self.timeout_s)))]
        return cmd

    def start(self) -> OxigraphServer:
        """Spawn the server and wait (at most ``startup_timeout`` s) until it answers a query."""
        if self._proc is not None:
            return self
        if self.port == 0:
            self.port = free_port(self.host)
        if self.location is not None:
            self.location.mkdir(parents=True, exist_ok=True)
        self._log = tempfile.NamedTemporaryFile(prefix="oxigraph-", suffix=".log")
        self._proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                      stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        probe = f"http://{self.host}:{self.port}/query"
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                if self._proc.poll() is not None:
                    self._fail_start(f"it exited with status {self._proc.returncode}")
                try:
                    r = client.post(probe, data={"query": "ASK {}"},
                                    headers={"Accept": "application/sparql-results+json"})
                    if r.status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self._fail_start(f"it did not answer on {probe} within {self.startup_timeout:.0f} s")
                time.sleep(0.05)

    def _fail_start(self, why: str) -> None:
        output = self._output()
        self.stop()
        where = f"the store at {self.location}" if self.location else "an in-memory store"
        if "lock" in output.lower():
            raise StoreLockedError(f"cannot serve {where}: another process holds it (a running "
                                   f"`kgqa serve` or another kgqa command?); server output: {output.strip()}")
        raise StoreError(f"the Oxigraph server for {where} did not start: {why}; "
                         f"server output: {output.strip() or '(none)'}")

    def _output(self) -> str:
        if self._log is None:
            return ""
        try:
            text = Path(self._log.name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text.split("Stack backtrace:")[0].strip()[-1000:]  # the error, not Rust's backtrace

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> OxigraphServer:
        """Stop the server and start it again on the same port and store.

        Oxigraph's ``--timeout-s`` answers the client but does not stop every query (an
        ORDER BY or a 4-way join over a cartesian product runs on); killing the process is
        the one way to get the CPU back. Clients of :class:`kg.remote.SparqlServerStore`
        ride over the gap with their retries.
        """
        self.stop()
        return self.start()

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running at http://{self.host}:{self.port}" if self.running() else "stopped"
        return f"OxigraphServer({self.location!s}, {state})"
