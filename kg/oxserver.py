"""A supervised child Oxigraph server, for ``kgqa serve``, ``kgqa sparql`` and for tests.

``oxigraph serve`` (the ``oxigraph`` package's binary) opens the on-disk store, answers the
SPARQL 1.1 Protocol and the Graph Store Protocol, and, unlike pyoxigraph in-process, stops a
query at ``--timeout-s``. Talk to it with :class:`kg.remote.SparqlServerStore`::

    with OxigraphServer(Path("data/store")).start() as server:
        store = SparqlServerStore.for_oxigraph(server.url)

The server runs under a small launcher (``kg/_launcher.py``) that ties it to this process
(it is killed when this process dies, even by ``kill -9``) and stops it past a memory limit.
``isolated=True`` puts it in a private network namespace: it listens on a loopback that only
it has, and this process reaches it through a Unix socket in a directory only the owner can
open, so other local users can neither query nor write the store, and a query it runs cannot
call out anywhere. A server that dies (a crash, the memory limit, a kill) is started again.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import logging
from pathlib import Path
from types import TracebackType

import httpx

from .errors import StoreError, StoreLockedError

__all__ = ["OxigraphServer", "free_port", "oxigraph_binary", "isolation_available", "EXIT_MEMORY"]

log = logging.getLogger("kg.oxserver")
_LAUNCHER = Path(__file__).with_name("_launcher.py")
_EXIT_NO_NAMESPACE = 71
EXIT_MEMORY = 75  # the launcher's status when it stopped the server at the memory limit


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


def isolation_available() -> bool:
    """Whether this machine lets an unprivileged process make a private user and network namespace."""
    code = ("import ctypes,sys; libc=ctypes.CDLL(None,use_errno=True); "
            "sys.exit(0 if libc.unshare(0x10000000|0x40000000)==0 else 1)")
    try:
        return subprocess.run([sys.executable, "-I", "-S", "-c", code], timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class OxigraphServer:
    """``oxigraph serve --location DIR --timeout-s N`` as a supervised child process.

    ``location=None`` serves an in-memory store. ``port=0`` picks a free port (not isolated).
    The default graph of every query is the union of all graphs (``--union-default-graph``),
    as in the embedded store. ``memory_limit_mb`` stops (and restarts) a server whose resident
    memory passes it; ``restart_on_exit`` starts a server that died again, with ``restarts``
    counting how often.
    """

    def __init__(self, location: Path | None, *, host: str = "127.0.0.1", port: int = 0,
                 timeout_s: float | None = 10.0, startup_timeout: float = 30.0, isolated: bool = False,
                 memory_limit_mb: float | None = None, restart_on_exit: bool = True) -> None:
        self.location = Path(location).expanduser() if location is not None else None
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self.startup_timeout = startup_timeout
        self.isolated = isolated
        self.memory_limit_mb = memory_limit_mb
        self.restart_on_exit = restart_on_exit
        self.restarts = 0
        self.last_exit: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None
        self._socket_dir: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._wanted = False       # the supervisor keeps a server running while this is set
        self._failure: BaseException | None = None
        self._generation = 0       # bumped each time a server answers

    @property
    def socket_path(self) -> str | None:
        return os.path.join(self._socket_dir, "store.sock") if self._socket_dir else None

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` of the server, or ``unix:PATH`` of its socket when isolated."""
        if not self._wanted:
            raise StoreError("the Oxigraph server is not started; call start() first")
        if self.isolated:
            return f"unix:{self.socket_path}"
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The launcher's process id (the server is its child)."""
        proc = self._proc
        return proc.pid if proc is not None else None

    def server_pid(self) -> int | None:
        """The ``oxigraph`` process itself (the launcher's child), or None."""
        pid = self.pid
        if pid is None:
            return None
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def command(self) -> list[str]:
        cmd = [oxigraph_binary(), "serve", "--union-default-graph"]
        if not self.isolated:
            cmd += ["--bind", f"{self.host}:{self.port}"]
        if self.location is not None:
            cmd += ["--location", str(self.location)]
        if self.timeout_s is not None:
            cmd += ["--timeout-s", str(max(1, round(self.timeout_s)))]
        return cmd

    def _launch_command(self) -> list[str]:
        cmd = [sys.executable, "-I", "-S", str(_LAUNCHER), "--parent", str(os.getpid())]
        if self.isolated:
            cmd += ["--socket", str(self.socket_path)]
        if self.memory_limit_mb:
            cmd += ["--memory-mb", str(self.memory_limit_mb)]
        return cmd + ["--", *self.command()]

    def start(self) -> OxigraphServer:
        """Spawn the server and wait (at most ``startup_timeout`` s) until it answers a query."""
        if self._wanted:
            return self
        if not self.isolated and self.port == 0:
            self.port = free_port(self.host)
        if self.isolated and self._socket_dir is None:
            self._socket_dir = tempfile.mkdtemp(prefix="kgqa-store-")  # mode 0700: the owner only
        if self.location is not None:
            self.location.mkdir(parents=True, exist_ok=True)
        self._wanted = True
        self._failure = None
        self._ready.clear()
        # every spawn happens on this one long-lived thread: PR_SET_PDEATHSIG fires when the
        # spawning *thread* ends, so a server spawned from a short-lived thread would die with it
        self._thread = threading.Thread(target=self._supervise, name="kgqa-oxigraph", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            self.stop()
            raise failure
        return self

    def _supervise(self) -> None:
        first = True
        pause = 0.1
        while self._wanted:
            try:
                self._spawn_and_wait_ready()
            except StoreError as exc:
                if first:
                    self._failure = exc
                    self._wanted = False
                    self._ready.set()
                    return
                log.warning("the store server did not start again (%s); retrying in %.1f s", exc, pause)
                time.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            first = False
            pause = 0.1
            self._generation += 1
            self._ready.set()
            proc = self._proc
            assert proc is not None
            code = proc.wait()
            self.last_exit = code
            if not self._wanted or not self.restart_on_exit:
                if self._wanted:
                    self._wanted = False
                break
            self._ready.clear()
            self.restarts += 1
            log.warning("the store server exited (status %s: %s); starting it again", code,
                        self._output()[-300:] or "no output")

    def _spawn_and_wait_ready(self) -> None:
        with self._lock:
            if self._log is not None:
                self._log.close()
            self._log = tempfile.NamedTemporaryFile(prefix="oxigraph-", suffix=".log")
            if self.socket_path is not None and os.path.exists(self.socket_path):
                os.unlink(self.socket_path)
            self._proc = subprocess.Popen(self._launch_command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                          stderr=subprocess.STDOUT)
        proc = self._proc
        deadline = time.monotonic() + self.startup_timeout
        transport = httpx.HTTPTransport(uds=self.socket_path) if self.isolated else None
        base = "http://kgqa-store" if self.isolated else f"http://{self.host}:{self.port}"
        with httpx.Client(timeout=2.0, trust_env=False, transport=transport) as client:
            while True:
                if proc.poll() is not None:
                    self._fail_start(proc, f"it exited with status {proc.returncode}")
                try:
                    r = client.post(base + "/query", data={"query": "ASK {}"},
                                    headers={"Accept": "application/sparql-results+json"})
                    if r.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self._fail_start(proc, f"it did not answer within {self.startup_timeout:.0f} s")
                time.sleep(0.05)

    def _fail_start(self, proc: subprocess.Popen[bytes], why: str) -> None:
        output = self._output()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        where = f"the store at {self.location}" if self.location else "an in-memory store"
        if proc.returncode == _EXIT_NO_NAMESPACE:
            raise StoreError(f"cannot serve {where} in a private network namespace: {output.strip()}; "
                             "this machine does not allow unprivileged user namespaces. Set "
                             "KGQA_STORE_ISOLATION=loopback to run it on loopback instead, where every "
                             "local user can reach it")
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
        proc = self._proc
        return self._wanted and proc is not None and proc.poll() is None

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until a server answers (after a restart under way); False if none did in ``timeout`` s."""
        return self._ready.wait(timeout) and self._wanted

    def _terminate(self, proc: subprocess.Popen[bytes] | None) -> None:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        self._wanted = False
        with self._lock:
            self._terminate(self._proc)
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None
        self._ready.clear()

    def restart(self) -> OxigraphServer:
        """Stop the server and wait until the supervisor has started it again on the same store.

        Oxigraph's ``--timeout-s`` answers the client but does not stop every query (an
        ORDER BY or a 4-way join over a cartesian product runs on); killing the process is
        the one way to get the CPU back. Clients of :class:`kg.remote.SparqlServerStore`
        ride over the gap with their retries.
        """
        if not self._wanted:
            return self.start()
        generation = self._generation
        with self._lock:
            self._ready.clear()
            self._terminate(self._proc)
        deadline = time.monotonic() + self.startup_timeout + 15
        while self._generation == generation and self._wanted and time.monotonic() < deadline:
            self._ready.wait(0.1)
        return self

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.socket_path if self.isolated else f"http://{self.host}:{self.port}"
        state = f"running at {where}" if self.running() else "stopped"
        return f"OxigraphServer({self.location!s}, {state})"
