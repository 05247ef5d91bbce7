"""kgqa against a NaiveRAG baseline on the same documents and questions, in one process.

    python bench/baseline.py [--docs DIR] [--questions FILE ...] [--data-dir DIR] [--runs N] [-v]

The baseline has no graph: it splits the same documents into sentences (the project's
splitter, on the same normalised text), ranks them for each question with BM25 over words
and Chinese character bigrams (``kg.factindex``), and answers with the top k sentences
(k=1 and k=3). It abstains (``not_found``) when the best sentence covers less than a share of
the question's IDF weight; that share is picked from a grid for each k as the one scoring
best on these very questions, so kgqa is compared with the baseline at its strongest.
Both are judged by ``../shared/eval/score.py``'s own ``judge`` (imported, not copied). A chat
item sends its turns in one kgqa session; the baseline searches with the turns so far.

Prints accuracy by kind for kgqa and for each baseline, the warm latency medians (kgqa:
``QA.ask`` with the index built; baseline: one ranking), the ratios kgqa/baseline, and how
many answers kgqa's verifier turned into ``not_found``. Without ``--data-dir`` the documents
are ingested into a temporary directory; with it they are ingested there (unchanged ones are
skipped).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
GRID = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]


def load_scorer(path: Path) -> ModuleType:
    if not path.is_file():
        raise SystemExit(f"no scorer at {path}: pass --scorer")
    spec = importlib.util.spec_from_file_location("kgqa_shared_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Sentences:
    """Every sentence of the documents, in a BM25 index, with document frequencies for coverage."""

    texts: dict[str, str]
    index: Any
    df: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, paths: list[Path]) -> "Sentences":
        from ingestion import read_document
        from ingestion.normalize import normalize
        from ingestion.sentences import split_sentences
        from kg.factindex import FactIndex, tokens

        texts: dict[str, str] = {}
        for p in paths:
            doc = read_document(p)
            norm = normalize(doc.text, doc.body_start, html_input=doc.is_html or None)
            for s in split_sentences(norm.text):
                if s.text.strip():
                    texts[f"{p.name}#{s.index}"] = s.text.strip()
        df: Counter[str] = Counter()
        for t in texts.values():
            df.update(set(tokens(t)))
        return cls(texts, FactIndex.from_texts(texts.items()), df)

    def rank(self, query: str, k: int) -> tuple[list[str], float]:
        """The k best sentences and the share of the query's IDF weight the best one contains."""
        import math

        from kg.factindex import tokens

        scores = self.index.bm25(query)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        ids = [self.index.ids[i] for i in order if scores[i] > 0]
        n = len(self.texts)
        q = set(tokens(query))
        idf = {t: math.log(1 + (n - self.df[t] + 0.5) / (self.df[t] + 0.5)) for t in q}
        total = sum(idf.values()) or 1.0
        best = set(tokens(self.texts[ids[0]])) if ids else set()
        return [self.texts[i] for i in ids], sum(w for t, w in idf.items() if t in best) / total


def question_items(files: list[Path]) -> list[dict]:
    items = []
    for f in files:
        items += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def accuracy(score: ModuleType, items: list[dict], replies: dict[str, dict]) -> dict[str, list[int]]:
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        ok, _ = score.judge(item, replies[item["id"]])
        by_kind[item.get("kind", "?")][0] += ok
        by_kind[item.get("kind", "?")][1] += 1
    return by_kind


def run_kgqa(qa: Any, score: ModuleType, items: list[dict], runs: int) -> tuple[dict[str, dict], list[float], int]:
    """kgqa's replies (first pass), its latencies (every pass) and its verifier's rejections in the first pass."""
    pairs = score.requests_of(items)
    if pairs:
        qa.ask(pairs[0][1]["question"])  # builds the label index: what follows is warm
    replies: dict[str, dict] = {}
    lat: list[float] = []
    before = qa.verifier_rejections
    rejected = 0
    for run in range(runs):
        if run == 1:
            rejected = qa.verifier_rejections - before
        qa.sessions.clear()
        for item_id, req in pairs:
            t = time.perf_counter()
            a = qa.ask(req["question"], req["session"])
            lat.append((time.perf_counter() - t) * 1000)
            if run == 0:
                replies[item_id] = a.to_dict()  # a chat item is judged on its last turn
    return replies, lat, rejected if runs > 1 else qa.verifier_rejections - before


def run_baseline(sents: Sentences, items: list[dict], k: int, runs: int
                 ) -> tuple[list[tuple[dict, list[str], float]], list[float]]:
    """Each item's top k sentences and the best one's coverage (first pass), and the latencies of every pass."""
    out, lat = [], []
    if items:
        sents.rank(items[0].get("q") or items[0]["turns"][0], k)  # warm-up, as for kgqa
    for run in range(runs):
        for item in items:
            turns = item.get("turns") or [item["q"]]
            t = time.perf_counter()
            top, cover = sents.rank(" ".join(turns), k)
            lat.append((time.perf_counter() - t) * 1000)
            if run == 0:
                out.append((item, top, cover))
    return out, lat


def baseline_replies(ranked: list[tuple[dict, list[str], float]], threshold: float) -> dict[str, dict]:
    return {item["id"]: ({"status": "answered", "answer": " ".join(top)} if top and cover >= threshold
                         else {"status": "not_found", "answer": ""}) for item, top, cover in ranked}


def total(by_kind: dict[str, list[int]]) -> tuple[int, int]:
    return sum(g for g, _ in by_kind.values()), sum(n for _, n in by_kind.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=Path, default=SHARED / "realworld" / "docs")
    ap.add_argument("--questions", type=Path, nargs="+",
                    default=sorted((SHARED / "realworld").glob("questions*.jsonl")))
    ap.add_argument("--data-dir", type=Path, help="kgqa data directory (default: a temporary one)")
    ap.add_argument("--scorer", type=Path, default=SHARED / "eval" / "score.py")
    ap.add_argument("--runs", type=int, default=1, help="timed passes of kgqa over the questions")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each question's verdicts")
    args = ap.parse_args(argv)
    score = load_scorer(args.scorer)
    missing = [str(p) for p in [args.docs, *args.questions] if not p.exists()]
    if missing or not args.questions:
        raise SystemExit(f"not found: {', '.join(missing) or 'no question files'}")
    items = question_items(args.questions)

    from ingestion import iter_document_paths
    from kgqa import service
    from kgqa.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=args.data_dir or Path(tmp), embedding_model="none", llm=None)
        store = service.open_store(settings)
        try:
            paths = list(iter_document_paths([args.docs]))
            report = service.ingest_paths(store, settings, paths)
            if report.errors:
                raise SystemExit(f"ingest failed: {report.errors[0]}")
            qa = service.make_qa(settings, store)
            replies, lat_kgqa, rejected = run_kgqa(qa, score, items, max(1, args.runs))
            sents = Sentences.of(paths)
            columns = {"kgqa": accuracy(score, items, replies)}
            lat = {"kgqa": lat_kgqa}
            chosen: dict[str, float] = {}
            for k in (1, 3):
                ranked, lat[f"bm25 k={k}"] = run_baseline(sents, items, k, max(1, args.runs))
                best = max(GRID, key=lambda th: (total(accuracy(score, items, baseline_replies(ranked, th)))[0], -th))
                chosen[f"bm25 k={k}"] = best
                columns[f"bm25 k={k}"] = accuracy(score, items, baseline_replies(ranked, best))
                if args.verbose:
                    for item_id, r in baseline_replies(ranked, best).items():
                        print(f"bm25 k={k} {item_id} {r['status']} :: {r['answer'][:120]}")
            if args.verbose:
                for item in items:
                    ok, why = score.judge(item, replies[item["id"]])
                    print(f"kgqa {'PASS' if ok else 'FAIL'} {item['id']} [{item.get('kind')}] {why} :: "
                          f"{str(replies[item['id']].get('answer', ''))[:120]}")
        finally:
            store.close()

    names = list(columns)
    print(f"documents: {len(paths)}, sentences: {len(sents.texts)}, questions: {len(items)} "
          f"({', '.join(p.name for p in args.questions)}), kgqa requests: {len(lat_kgqa) // max(1, args.runs)} "
          f"x {max(1, args.runs)} timed passes")
    print(f"{'kind':14s}" + "".join(f"{n:>14s}" for n in names))
    for kind in sorted({k for c in columns.values() for k in c}):
        print(f"{kind:14s}" + "".join(f"{'%d/%d' % tuple(columns[n].get(kind, [0, 0])):>14s}" for n in names))
    cells = []
    for n in names:
        good, count = total(columns[n])
        cells.append(f"{good}/{count} {100 * good / max(count, 1):.1f}%")
    print(f"{'overall':14s}" + "".join(f"{c:>14s}" for c in cells))
    print("baseline abstains below a coverage of: " + ", ".join(f"{n} {t:.1f}" for n, t in chosen.items()))
    print(f"{'latency median (ms)':20s}" + "".join(f"  {n} {statistics.median(lat[n]):.2f}" for n in names))
    kg_good = total(columns["kgqa"])[0]
    for n in names[1:]:
        b_good = total(columns[n])[0]
        acc = f"{kg_good / b_good:.2f}x" if b_good else "inf"
        print(f"ratio kgqa/{n}: accuracy {acc}, latency {statistics.median(lat_kgqa) / statistics.median(lat[n]):.1f}x")
    print(f"verifier rejections: {rejected} of {len(lat_kgqa) // max(1, args.runs)} kgqa answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
