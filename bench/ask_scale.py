"""`ask` latency at scale: median and p95 on a generated graph, embedded store and server backend.

    python bench/ask_scale.py [--triples 1000000] [--questions 50] [--graph FILE.nq]

Generates a graph (bench/generate.py; or reads --graph and its .questions.jsonl), bulk
loads it into an on-disk Oxigraph store, then asks the sampled questions (each with the
fact that answers it: subject, value) through ``qa.QA``: first on the embedded store
(pyoxigraph in-process), then on the same directory served by a child Oxigraph server
through ``kg.remote.SparqlServerStore`` (what `kgqa serve` uses). Prints the cold first
ask (index build), warm median and p95, and how many answers carry the expected fact.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def run(store: Any, questions: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    from qa import QA

    qa = QA(store, embedding_model="none")
    t = time.perf_counter()
    qa.ask(questions[0]["question"])
    cold = time.perf_counter() - t
    lat: list[float] = []
    right = 0
    for r in range(runs):
        for q in questions:
            t = time.perf_counter()
            a = qa.ask(q["question"])
            lat.append((time.perf_counter() - t) * 1000)
            if r == 0:
                right += a.status == "answered" and any(
                    f.subject == q["subject"] and f.value is not None and abs(f.value - q["value"]) < 1e-6 * max(1, abs(q["value"]))
                    for f in a.facts)
    return {"cold_s": cold, "median_ms": statistics.median(lat), "p95_ms": pct(lat, 0.95), "asks": len(lat),
            "right": right, "questions": len(questions)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--graph", type=Path, help="an N-Quads file from bench/generate.py (with .questions.jsonl)")
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--runs", type=int, default=1, help="passes over the questions (warm)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate_graph, questions_path

    from kg.oxserver import OxigraphServer
    from kg.remote import SparqlServerStore
    from kg.store import OxigraphStore

    with tempfile.TemporaryDirectory(prefix="kgqa-ask-scale-") as tmp:
        if args.graph:
            nq = args.graph
            questions = [json.loads(line) for line in questions_path(nq).read_text(encoding="utf-8").splitlines()]
        else:
            nq = Path(tmp) / "graph.nq"
            st = generate_graph(args.triples, nq, args.seed, samples=args.questions)
            questions = st.samples
        questions = questions[:args.questions]
        store_dir = Path(tmp) / "store"
        store = OxigraphStore(store_dir)
        t = time.perf_counter()
        with nq.open("rb") as f:
            store.load(f, "nquads")
        load_s = time.perf_counter() - t
        triples = store.count()
        print(f"{triples:,} triples bulk-loaded in {load_s:.1f} s; {len(questions)} questions", flush=True)
        results = {"embedded": run(store, questions, args.runs)}
        store.close()
        print(f"embedded: {results['embedded']}", flush=True)
        if not args.skip_server:
            with OxigraphServer(store_dir, timeout_s=30) as server:
                remote = SparqlServerStore.for_oxigraph(server.url)
                results["server"] = run(remote, questions, args.runs)
                remote.close()
            print(f"server: {results['server']}", flush=True)
    print(f"\nask at {triples:,} triples ({len(questions)} generated questions x {args.runs} run(s), warm after one cold ask)")
    print("| backend | cold first ask (s) | median (ms) | p95 (ms) | expected fact in answer |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['cold_s']:.2f} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['right']}/{r['questions']} |")
    if "server" in results:
        print(f"server/embedded median: {results['server']['median_ms'] / results['embedded']['median_ms']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"triples": triples, "load_s": load_s, **results}, indent=1))


if __name__ == "__main__":
    main()
