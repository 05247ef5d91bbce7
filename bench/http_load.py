"""HTTP throughput and latency of `kgqa serve` under concurrent clients: /ask and /sparql, with locust.

    python bench/http_load.py [--url http://127.0.0.1:8000] [--triples 1000000] [--users 8] [--run-time 30s]

Without --url, generates a graph (bench/generate.py), loads it with `kgqa load` into a
temporary data directory and starts `kgqa serve` on a free loopback port. Then runs
locust headless (``--users 8 --spawn-rate 8 --run-time 30s``) twice: once POSTing the
generated questions to /ask, once GETting /sparql with a lookup of a sampled fact
(subject, metric -> value and source quote). Prints requests/s, median and p95 latency
and the error count for each; any error (non-200, or an /ask answer that is not
"answered") counts as a failure.

This file is also the locustfile (locust imports it with KGQA_BENCH_TARGET set).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

try:  # the locust side: only when locust loads this file
    from locust import HttpUser, between, task  # noqa: F401

    _TARGET = os.environ.get("KGQA_BENCH_TARGET")
    _QUESTIONS = [json.loads(line) for line in Path(os.environ["KGQA_BENCH_QUESTIONS"]).read_text(
        encoding="utf-8").splitlines()] if os.environ.get("KGQA_BENCH_QUESTIONS") else []

    class KgqaUser(HttpUser):
        wait_time = between(0, 0)

        @task
        def one(self) -> None:
            q = random.choice(_QUESTIONS)
            if _TARGET == "ask":
                with self.client.post("/ask", json={"question": q["question"], "session": None},
                                      name="/ask", catch_response=True) as r:
                    if r.status_code != 200 or r.json().get("status") != "answered":
                        r.failure(f"{r.status_code} {r.text[:200]}")
            else:
                query = ("PREFIX kgo: <https://w3id.org/kgqa/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
                         f"SELECT ?v ?quote WHERE {{ ?o kgo:subject <{q['subject']}> ; kgo:metric <{q['metric']}> ; "
                         "kgo:value ?v ; prov:wasDerivedFrom ?m . ?m kgo:quote ?quote } LIMIT 20")
                with self.client.get("/sparql", params={"query": query},
                                     headers={"Accept": "application/sparql-results+json"},
                                     name="/sparql", catch_response=True) as r:
                    if r.status_code != 200 or not r.json()["results"]["bindings"]:
                        r.failure(f"{r.status_code} {r.text[:200]}")
except ImportError:  # running as the driver without locust installed: main() says so
    HttpUser = None  # type: ignore[assignment,misc]


def _wait(url: str, proc: subprocess.Popen[bytes], limit: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kgqa serve exited: {(proc.stderr.read() if proc.stderr else b'').decode()[-2000:]}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {limit:.0f} s")


def _warm_up(url: str, questions: Path) -> None:
    """One question first: the steady state is measured, not the index build (timed in bench/ask_scale.py)."""
    import httpx

    first = json.loads(questions.read_text(encoding="utf-8").splitlines()[0])
    t0 = time.monotonic()
    httpx.post(url + "/ask", json={"question": first["question"]}, timeout=300).raise_for_status()
    print(f"warm-up question answered in {time.monotonic() - t0:.1f} s (index build)", flush=True)


def locust(url: str, target: str, questions: Path, args: argparse.Namespace, out: Path) -> dict[str, float]:
    prefix = out / target
    env = {**os.environ, "KGQA_BENCH_TARGET": target, "KGQA_BENCH_QUESTIONS": str(questions)}
    subprocess.run([str(BIN / "locust"), "-f", __file__, "--headless", "--users", str(args.users), "--spawn-rate",
                    str(args.users), "--run-time", args.run_time, "--host", url, "--csv", str(prefix),
                    "--only-summary", "--loglevel", "WARNING"], env=env, check=False, capture_output=True)
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        rows = {r["Name"]: r for r in csv.DictReader(f)}
    r = rows["/" + target]
    return {"requests": float(r["Request Count"]), "failures": float(r["Failure Count"]),
            "rps": float(r["Requests/s"]), "median_ms": float(r["Median Response Time"]),
            "p95_ms": float(r["95%"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running kgqa serve (default: start one on a generated graph)")
    ap.add_argument("--questions-file", type=Path, help="questions (.questions.jsonl from bench/generate.py)")
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--run-time", default="30s")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if HttpUser is None:
        sys.exit("locust is not installed in this environment")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate_graph, questions_path

    from kg.oxserver import free_port

    tmp = Path(tempfile.mkdtemp(prefix="kgqa-http-load-"))
    proc = None
    try:
        url = args.url
        qfile = args.questions_file
        if url is None:
            nq = tmp / "graph.nq"
            st = generate_graph(args.triples, nq, args.seed, samples=200)
            qfile = questions_path(nq)
            qfile.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in st.samples), encoding="utf-8")
            env = {**os.environ, "KGQA_DATA_DIR": str(tmp / "data"), "KGQA_EMBEDDING_MODEL": "none"}
            subprocess.run([str(BIN / "kgqa"), "load", str(nq)], env=env, check=True, capture_output=True)
            port = free_port()
            proc = subprocess.Popen([str(BIN / "kgqa"), "serve", "--port", str(port)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            url = f"http://127.0.0.1:{port}"
            _wait(url, proc)
            print(f"kgqa serve at {url} on {st.triples:,} generated triples", flush=True)
        if qfile is None:
            sys.exit("give --questions-file with --url")
        _warm_up(url, qfile)
        results = {t: locust(url, t, qfile, args, tmp) for t in ("ask", "sparql")}
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nlocust headless, {args.users} users, spawn rate {args.users}/s, {args.run_time} per endpoint")
    print("| endpoint | requests | req/s | median (ms) | p95 (ms) | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for t, r in results.items():
        print(f"| /{t} | {r['requests']:.0f} | {r['rps']:.1f} | {r['median_ms']:.0f} | {r['p95_ms']:.0f} | {r['failures']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
