"""Question-answering latency: warm median and p95 over the question sets, and cold start of `kgqa ask`.

    python bench/ask.py [--runs 5]

Ingests the shared corpus and the test fixtures into a temporary data directory, then
times QA.ask in-process (warm: the label index built once) over every question in
../shared/eval/dev_questions.jsonl and tests/data/questions/*.jsonl, and the whole
`kgqa ask` command from a fresh process (cold: interpreter, imports, store open, index).
The baseline, timed in the same run, is one SPARQL point lookup on the same store.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def questions() -> list[tuple[str, str]]:
    out = []
    files = [SHARED / "eval" / "dev_questions.jsonl", *sorted((ROOT / "tests" / "data" / "questions").glob("*.jsonl"))]
    for f in files:
        if not f.exists():
            continue
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                for t in item.get("turns") or [item["q"]]:
                    out.append((item["id"], t))
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from ingestion import Ingestor
    from kg.store import OxigraphStore
    from kgqa.settings import Settings
    from qa import QA

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=tmp, embedding_model="none")
        store = OxigraphStore(settings.store_path)
        ing = Ingestor(store)
        ing.ingest_path(next((SHARED / "corpus").glob("*.txt")))
        for p in sorted((ROOT / "tests" / "data" / "articles").iterdir()):
            ing.ingest_path(p)
        qa = QA(store, embedding_model="none")
        qs = questions()
        for sid, q in qs:  # warm-up: builds the label index
            qa.ask(q, sid)
        lat: list[float] = []
        for _ in range(args.runs):
            qa.sessions.clear()
            for sid, q in qs:
                t = time.perf_counter()
                qa.ask(q, sid)
                lat.append((time.perf_counter() - t) * 1000)
        base: list[float] = []
        for _ in range(200):
            t = time.perf_counter()
            store.select("SELECT ?o WHERE { ?o a kgo:Observation } LIMIT 1")
            base.append((time.perf_counter() - t) * 1000)
        store.close()
        cold: list[float] = []
        env = {**os.environ, "KGQA_DATA_DIR": tmp, "KGQA_EMBEDDING_MODEL": "none"}
        kgqa = str(Path(sys.executable).parent / "kgqa")
        for _ in range(max(3, args.runs)):
            t = time.perf_counter()
            subprocess.run([kgqa, "ask", "百度2025年Q1營收是多少?"], env=env, capture_output=True, check=True)
            cold.append(time.perf_counter() - t)
        med_b = statistics.median(base)
        print(f"questions: {len(qs)} x {args.runs} runs")
        print(f"{'measure':40s} {'median':>10s} {'p95':>10s}")
        print(f"{'ask, warm (ms)':40s} {statistics.median(lat):10.2f} {pct(lat, 0.95):10.2f}")
        print(f"{'baseline: SPARQL point lookup (ms)':40s} {med_b:10.3f} {pct(base, 0.95):10.3f}")
        print(f"{'kgqa ask, cold start (s)':40s} {statistics.median(cold):10.2f} {pct(cold, 0.95):10.2f}")
        print(f"ratio warm ask / point lookup: {statistics.median(lat) / med_b:.0f}x")


if __name__ == "__main__":
    main()
