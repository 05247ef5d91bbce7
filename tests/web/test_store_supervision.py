"""The child store server of `kgqa serve`: started again when it dies, gone when its parent is
killed, out of other users' reach, and the data directory usable at once after a kill -9."""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from web.conftest import KGQA, _read_url, _server_env  # type: ignore[import-not-found]

NESTED_300 = "?s ?p ?o"
for _ in range(300):
    NESTED_300 = "SELECT ?s WHERE { { " + NESTED_300 + " } }"


@pytest.fixture
def unchanged(live, graph_fingerprint):  # type: ignore[no-untyped-def]
    """Yields a client; afterwards the graph must be exactly as before."""
    with live.client() as c:
        before = graph_fingerprint(c)
        yield c
        _healthy_within(c, 30)
        assert graph_fingerprint(c) == before


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in (Path("/proc") / str(pid) / "task").iterdir():
        try:
            out += [int(t) for t in (task / "children").read_text().split()]
        except FileNotFoundError:  # the thread ended between the listing and the read
            continue
    return out


def _store_server_pid(serve_pid: int) -> int:
    """The `oxigraph serve` process: the child of the launcher, the child of `kgqa serve`."""
    for launcher in _children(serve_pid):
        for pid in _children(launcher):
            if b"oxigraph" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
    raise AssertionError(f"no oxigraph process under {serve_pid}")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _healthy_within(client: httpx.Client, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if client.get("/health").status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"/health did not answer 200 within {seconds} s")


def test_the_nested_query_is_refused_up_front(live, unchanged) -> None:
    child = _store_server_pid(live.process.pid)
    r = unchanged.get("/sparql", params={"query": NESTED_300})
    assert r.status_code == 403 and "nested too deeply" in r.json()["error"]["message"], r.text
    assert _alive(child) and _store_server_pid(live.process.pid) == child


def test_a_store_server_that_crashes_is_started_again(live, unchanged) -> None:
    """The nested query sent straight to the child (past the guard) aborts it, as a kill does;
    the service answers again within 30 s without a manual restart."""
    record = json.loads((live.data_dir / "server.json").read_text())
    child = _store_server_pid(live.process.pid)
    transport = httpx.HTTPTransport(uds=record["oxigraph_url"][len("unix:"):])
    with httpx.Client(transport=transport, timeout=30) as direct:
        with pytest.raises(httpx.TransportError):
            direct.post("http://x/query", data={"query": NESTED_300})
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the nested query did not abort the store server"
    assert _healthy_within(unchanged, 30) < 30
    again = _store_server_pid(live.process.pid)
    os.kill(again, signal.SIGKILL)
    assert _healthy_within(unchanged, 30) < 30
    assert _store_server_pid(live.process.pid) not in (child, again)


def _as_nobody(code: str) -> subprocess.CompletedProcess[str]:
    import shutil

    def drop() -> None:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)

    python = shutil.which("python3", path="/usr/bin:/bin") or "python3"  # one that user `nobody` may run
    return subprocess.run([python, "-I", "-S", "-c", code], capture_output=True, text=True, timeout=30,
                          preexec_fn=drop if os.getuid() == 0 else None)


def test_other_users_cannot_reach_the_store(live, unchanged) -> None:
    """No TCP port for the store on this machine's loopback; its socket and the record are the owner's."""
    path = live.data_dir / "server.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = json.loads(path.read_text())
    sock_path = record["oxigraph_url"][len("unix:"):]
    assert stat.S_IMODE(os.stat(os.path.dirname(sock_path)).st_mode) == 0o700
    launcher = _children(live.process.pid)[0]
    assert os.readlink(f"/proc/{launcher}/ns/net") != os.readlink("/proc/self/ns/net")
    # the store listens on a loopback of its own: nothing in this namespace answers for it
    listening = {int(line.split()[1].split(":")[1], 16) for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[3] == "0A"}
    assert 7878 not in listening
    if os.getuid() != 0:
        pytest.fail("run as root to check another user's access")  # CI runs as root
    write = ("import socket,sys\n"
             "s=socket.socket(socket.AF_UNIX)\n"
             f"try:\n s.connect({sock_path!r})\nexcept OSError as e:\n print('refused', e.errno); sys.exit(0)\n"
             "s.sendall(b'POST /update HTTP/1.0\\r\\nContent-Type: application/sparql-update\\r\\n'"
             " b'Content-Length: 9\\r\\n\\r\\nDROP ALL ')\n"
             "print('connected', s.recv(100))\n")
    out = _as_nobody(write)
    assert out.stdout.startswith("refused"), (out.stdout, out.stderr)
    tcp = _as_nobody("import socket\ntry:\n socket.create_connection(('127.0.0.1', 7878), 2); print('open')\n"
                     "except OSError: print('refused')\n")
    assert tcp.stdout.strip() == "refused"
    reads = _as_nobody(f"import os\ntry:\n open({str(path)!r}).read(); print('read')\nexcept OSError: print('denied')\n")
    assert reads.stdout.strip() == "denied"


def _start_serve(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    env = _server_env(data_dir, "t0ken")
    log = data_dir / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([KGQA, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=err,
                                text=True, start_new_session=True)
    return proc, _read_url(proc, log, timeout=120)


def test_kill_9_of_serve_leaves_the_data_directory_usable_at_once(tmp_path, corpus_file) -> None:
    data_dir = tmp_path / "data"
    env = _server_env(data_dir, "t0ken")
    assert subprocess.run([KGQA, "ingest", str(corpus_file), "-q"], env=env, capture_output=True,
                          timeout=600).returncode == 0
    for _ in range(2):
        proc, url = _start_serve(data_dir)
        child = _store_server_pid(proc.pid)
        assert (data_dir / "server.json").exists()
        os.kill(proc.pid, signal.SIGKILL)  # not reaped yet: a zombie whose pid still exists
        stats = subprocess.run([KGQA, "stats", "--json"], env=env, capture_output=True, text=True, timeout=120)
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["documents"] == 1
        assert not (data_dir / "server.json").exists()
        assert not _alive(child), "the store server outlived its kgqa serve"
        proc.wait(10)


def test_kgqa_sparql_on_the_embedded_store_stops_at_its_time_limit(tmp_path, corpus_file) -> None:
    data_dir = tmp_path / "data"
    env = _server_env(data_dir, "t0ken")
    assert subprocess.run([KGQA, "ingest", str(corpus_file), "-q"], env=env, capture_output=True,
                          timeout=600).returncode == 0
    env["KGQA_QUERY_TIMEOUT_S"] = "1"
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    start = time.monotonic()
    r = subprocess.run([KGQA, "sparql", runaway], env=env, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - start
    assert r.returncode == 1 and "time limit" in r.stderr, (r.returncode, r.stderr)
    assert took < 30, took
    ok = subprocess.run([KGQA, "sparql", "ASK { ?s ?p ?o }"], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.strip() == "true", ok.stderr
    env.update(KGQA_QUERY_TIMEOUT_S="60", KGQA_STORE_MEMORY_MB="300")
    hungry = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g ?c ?f ?i LIMIT 1"
    start = time.monotonic()
    r = subprocess.run([KGQA, "sparql", hungry], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "KGQA_STORE_MEMORY_MB" in r.stderr, (r.returncode, r.stderr)
    assert time.monotonic() - start < 30


def test_kgqa_sparql_refuses_the_comment_trick_with_no_connection(tmp_path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    env = _server_env(tmp_path / "data", "t0ken")
    trick = f'SELECT * WHERE {{\n# """\nSERVICE SILENT <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }}\n# """\n}}'
    r = subprocess.run([KGQA, "sparql", trick], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "SERVICE is not allowed" in r.stderr
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()
