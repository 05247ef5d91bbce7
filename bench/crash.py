"""Crash test: kill -9 `kgqa ingest` and `kgqa serve` at random moments, then check the data directory.

    python bench/crash.py [--rounds 12] [--docs 40] [--seed 0] [--max-wait 6]

Generates ``--docs`` articles (``bench/generate.py``) in a temporary folder, then for each round
picks at random:

* ``ingest``: ``kgqa ingest FOLDER`` is killed (SIGKILL, whole process group) after a random
  0.3 .. ``--max-wait`` s; every document it printed as written must be in the store;
* ``serve``: ``kgqa serve`` starts, two clients upload documents (``POST /documents``) until it
  is killed after a random moment; every upload answered 200 must be in the store.

Right after each kill, with no manual step, ``kgqa stats --json`` must work (the stale
``server.json`` and the dying child store may not get in the way), ``kgqa validate`` must pass,
no ``oxigraph`` process may be left on the data directory after 10 s, and no document may be
half-written (a document graph without its document node, text or content hash). Printed at
the end: documents lost, half-documents, validate failures, runs needing a manual step (all
should be 0), and the kills of each kind.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_articles  # noqa: E402

KGQA = str(Path(sys.executable).with_name("kgqa"))
TOKEN = "crash-test-token"


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    env.update(KGQA_DATA_DIR=str(data_dir), KGQA_API_TOKEN=TOKEN, KGQA_EMBEDDING_MODEL="none",
               NO_PROXY="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    return env


def kgqa(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KGQA, *args], env=env, capture_output=True, text=True, timeout=timeout)


def stored_documents(env: dict[str, str]) -> tuple[set[str], int] | None:
    """(names of stored documents, half-documents), or None when the store could not be read."""
    query = """SELECT ?g ?d ?name ?t ?h WHERE { GRAPH ?g { ?d a kgo:Document .
                 OPTIONAL { ?d kgo:text ?t0 } OPTIONAL { ?d kgo:contentHash ?h }
                 OPTIONAL { ?d dcterms:title ?name } BIND(BOUND(?t0) AS ?t) } }"""
    r = kgqa(env, "sparql", "--format", "json", query)
    graphs = kgqa(env, "sparql", "--format", "json",
                  "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), CONCAT(STR(kgg:), 'doc/'))) }")
    if r.returncode != 0 or graphs.returncode != 0:
        return None
    rows = json.loads(r.stdout)["results"]["bindings"]
    complete = {b["g"]["value"] for b in rows if b.get("t", {}).get("value") == "true" and "h" in b}
    doc_graphs = {b["g"]["value"] for b in json.loads(graphs.stdout)["results"]["bindings"]}
    hashes = {b["h"]["value"] for b in rows if "h" in b}
    return hashes, len(doc_graphs - complete)


def orphans(data_dir: Path) -> list[int]:
    target = str(data_dir / "store").encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if argv and argv[0].endswith(b"oxigraph") and target in argv and state != "Z":
                found.append(int(proc.name))
    return found


def content_hashes(files: list[Path]) -> dict[str, str]:
    """File name -> the content hash the store records for it (ingested once in memory)."""
    from ingestion.document import read_document

    return {f.name: read_document(f).content_hash for f in files}


def round_ingest(env: dict[str, str], folder: Path, wait: float) -> set[str]:
    proc = subprocess.Popen([KGQA, "ingest", str(folder)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    written: set[str] = set()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            head = line.split(":", 1)[0]
            if ": added" in line or ": replaced" in line or ": unchanged" in line or ": skipped" in line:
                written.add(Path(head).name)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(wait)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(5)
    return written


def round_serve(env: dict[str, str], files: list[Path], wait: float, rng: random.Random) -> set[str]:
    proc = subprocess.Popen([KGQA, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "kgqa serving" not in line:
        proc.kill()
        raise RuntimeError(f"kgqa serve did not start: {line!r}")
    url = line.split()[2]
    acknowledged: set[str] = set()
    stop = threading.Event()

    def upload(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=60, trust_env=False) as c:
            k = offset
            while not stop.is_set():
                f = files[k % len(files)]
                k += 2
                try:
                    r = c.post("/documents", params={"name": f.name}, content=f.read_bytes(),
                               headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"})
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    acknowledged.add(f.name)

    clients = [threading.Thread(target=upload, args=(i + rng.randrange(len(files)),), daemon=True) for i in range(2)]
    for t in clients:
        t.start()
    time.sleep(wait)
    os.killpg(proc.pid, signal.SIGKILL)  # kgqa serve only: its child store must die with it
    stop.set()
    for t in clients:
        t.join(10)
    proc.wait()
    return acknowledged


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-wait", type=float, default=6.0)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    totals = {"documents lost": 0, "half-documents": 0, "validate failures": 0, "runs needing a manual step": 0}
    kinds = {"ingest": 0, "serve": 0}
    with tempfile.TemporaryDirectory(prefix="kgqa-crash-") as tmp:
        folder = Path(tmp) / "articles"
        files = write_articles(args.docs, folder, seed=args.seed)
        hashes = content_hashes(files)
        data_dir = Path(tmp) / "data"
        env = env_for(data_dir)
        for n in range(args.rounds):
            kind = rng.choice(["ingest", "serve"])
            kinds[kind] += 1
            wait = rng.uniform(0.3, args.max_wait) + (3.0 if kind == "serve" else 0.0)
            t0 = time.monotonic()
            expected = round_ingest(env, folder, wait) if kind == "ingest" else round_serve(env, files, wait, rng)
            manual = False
            stats = kgqa(env, "stats", "--json")
            if stats.returncode != 0:
                manual = True
                print(f"  round {n}: kgqa stats failed after the kill: {stats.stderr.strip()[:300]}")
            seen = stored_documents(env)
            lost = half = 0
            if seen is None:
                manual = True
            else:
                stored, half = seen
                lost = sum(1 for name in expected if hashes[name] not in stored)
            validate = kgqa(env, "validate")
            deadline = time.monotonic() + 10
            while orphans(data_dir) and time.monotonic() < deadline:
                time.sleep(0.2)
            left = orphans(data_dir)
            if left:
                manual = True
                print(f"  round {n}: oxigraph processes left on the data directory: {left}")
                for pid in left:
                    os.kill(pid, signal.SIGKILL)
            totals["documents lost"] += lost
            totals["half-documents"] += half
            totals["validate failures"] += validate.returncode != 0
            totals["runs needing a manual step"] += manual
            print(f"round {n:2d}: kill -9 {kind:6s} after {wait:4.1f} s; {len(expected):3d} documents acknowledged, "
                  f"{lost} lost, {half} half, validate {'ok' if validate.returncode == 0 else 'FAILED'}"
                  f"{', manual step needed' if manual else ''} ({time.monotonic() - t0:.1f} s)")
    print(f"\n{args.rounds} kills ({kinds['ingest']} of kgqa ingest, {kinds['serve']} of kgqa serve), "
          f"{args.docs} generated documents")
    for k, v in totals.items():
        print(f"{k:28s} {v}")
    return 0 if not any(totals.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
