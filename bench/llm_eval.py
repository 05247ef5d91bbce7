"""The LLM path against the offline path on the question sets: accuracy, verifier interventions, latency.

    scripts/build-llama-cpp.sh && scripts/fetch-llm-weights.sh   # once: llama-cpp-python and a 0.5B GGUF
    nice -n 10 .venv/bin/python bench/llm_eval.py [--limit N] [--llm SPEC | --model PATH.gguf]

Ingests the shared corpus and the test fixture articles into temporary stores, then asks
every question of tests/data/questions/*.jsonl and ../shared/eval/dev_questions.jsonl twice:
offline (``QA(store)``) and with the chat model (``QA(store, llm=...)``). Answers are
judged by ../shared/eval/score.py's ``judge`` (imported, not copied), one session per item
as score.py does. From ``Answer.llm`` it counts how often the model was used, at which
stage (SPARQL writing or phrasing), and how often a check rejected what it wrote. Prints
one table per run; ``--json FILE`` also writes every answer. Not part of CI: it needs the
model (see the scripts above) and takes minutes to hours on two CPU cores.

``--extract`` also ingests the fixture articles with ``ingest --llm``'s extractor and
prints how many LLM facts were proposed, added and dropped (by reason).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
QUESTIONS = ROOT / "tests" / "data" / "questions"
ARTICLES = ROOT / "tests" / "data" / "articles"
SCORE_PY = SHARED / "eval" / "score.py"
DEFAULT_MODEL = "models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def load_scorer() -> Any:
    """../shared/eval/score.py as a module: the same judge as the shared evaluation."""
    if not SCORE_PY.is_file():
        sys.exit(f"the shared scorer is missing at {SCORE_PY}")
    spec = importlib.util.spec_from_file_location("kgqa_shared_score", SCORE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Run:
    """One question set asked one way."""

    name: str
    mode: str
    passed: int = 0
    items: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds per ask call
    answer_modes: Counter[str] = field(default_factory=Counter)
    llm_used: int = 0
    llm_rejected: int = 0
    llm_stages: Counter[str] = field(default_factory=Counter)
    llm_rejected_stages: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    records: list[dict[str, Any]] = field(default_factory=list)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] if xs else float("nan")


def _reason_kind(reason: object) -> str:
    """A rejection reason without its counts and figures, so that like reasons add up."""
    first = str(reason or "?").split(";")[0]
    return re.sub(r"\d+(?:\.\d+)?", "N", first)[:80]


def ask_set(qa: Any, name: str, mode: str, items: list[dict[str, Any]], judge: Any, progress: bool) -> Run:
    run = Run(name, mode)
    for k, item in enumerate(items, 1):
        reply: dict[str, Any] = {}
        llm_info: list[dict[str, Any]] = []
        for turn in item.get("turns") or [item["q"]]:
            t0 = time.perf_counter()
            reply = qa.ask(turn, f"{mode}-{item['id']}").to_dict()
            run.latencies.append(time.perf_counter() - t0)
            if reply.get("llm"):
                llm_info.append(reply["llm"])
        ok, why = judge(item, reply)
        run.items += 1
        run.passed += ok
        run.answer_modes[str(reply.get("mode"))] += 1
        for info in llm_info:  # every turn the model took part in
            if info.get("used"):
                run.llm_used += 1
                run.llm_stages[str(info.get("stage"))] += 1
                if info.get("rejected"):
                    run.llm_rejected += 1
                    run.llm_rejected_stages[str(info.get("stage"))] += 1
                    run.reasons[_reason_kind(info.get("reason"))] += 1
        run.records.append({"set": name, "mode": mode, "id": item["id"], "passed": ok, "why": why,
                            "answer": reply.get("answer"), "status": reply.get("status"),
                            "answer_mode": reply.get("mode"), "llm": llm_info, "sparql": reply.get("sparql")})
        if progress:
            print(f"  {name} {mode} {k}/{len(items)} {item['id']}: {'ok' if ok else why}"
                  f" ({run.latencies[-1]:.1f} s)", file=sys.stderr, flush=True)
    return run


def build_stores(tmp: Path) -> dict[str, Any]:
    from ingestion import Ingestor
    from kg.store import OxigraphStore

    corpus = OxigraphStore(tmp / "corpus")
    Ingestor(corpus).ingest_path(next((SHARED / "corpus").glob("*.txt")))
    fixtures = OxigraphStore(tmp / "fixtures")
    ing = Ingestor(fixtures)
    for f in sorted(ARTICLES.iterdir()):
        ing.ingest_path(f)
    return {"corpus": corpus, "fixtures": fixtures}


def question_sets(limit: int | None, only: list[str] | None) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(set name, store name, items): the corpus and dev sets ask about the shared corpus article."""
    sets = [("corpus", "corpus", QUESTIONS / "corpus.jsonl"), ("fixtures", "fixtures", QUESTIONS / "fixtures.jsonl"),
            ("dev", "corpus", SHARED / "eval" / "dev_questions.jsonl")]
    out = []
    for name, store, path in sets:
        if only and name not in only:
            continue
        if not path.is_file():
            sys.exit(f"question set missing: {path}")
        items = load_items(path)
        out.append((name, store, items[:limit] if limit else items))
    return out


def table(runs: list[Run]) -> str:
    by_set: dict[str, dict[str, Run]] = {}
    for r in runs:
        by_set.setdefault(r.name, {})[r.mode] = r
    head = (f"{'set':<9}{'items':>6}{'offline':>10}{'with LLM':>10}{'LLM used':>10}{'rejected':>10}"
            f"{'mode=llm':>10}{'offline p50/p95 ms':>20}{'LLM p50/p95 s':>16}")
    lines = [head, "-" * len(head)]

    def row(name: str, off: Run, llm: Run) -> str:
        rej = f"{llm.llm_rejected}/{llm.llm_used}" if llm.llm_used else "0/0"
        return (f"{name:<9}{off.items:>6}{off.passed / off.items:>10.1%}{llm.passed / llm.items:>10.1%}"
                f"{llm.llm_used:>10}{rej:>10}{llm.answer_modes['llm']:>10}"
                f"{pct(off.latencies, .5) * 1000:>11.0f}/{pct(off.latencies, .95) * 1000:<8.0f}"
                f"{pct(llm.latencies, .5):>9.1f}/{pct(llm.latencies, .95):<6.1f}")

    total = {m: Run("all", m) for m in ("offline", "llm")}
    for name, modes in by_set.items():
        off, llm = modes["offline"], modes["llm"]
        lines.append(row(name, off, llm))
        for m, r in modes.items():
            t = total[m]
            t.items += r.items
            t.passed += r.passed
            t.latencies += r.latencies
            t.answer_modes.update(r.answer_modes)
            t.llm_used += r.llm_used
            t.llm_rejected += r.llm_rejected
            t.llm_stages.update(r.llm_stages)
            t.llm_rejected_stages.update(r.llm_rejected_stages)
            t.reasons.update(r.reasons)
    lines.append("-" * len(head))
    lines.append(row("all", total["offline"], total["llm"]))
    t = total["llm"]
    lines.append("")
    lines.append("LLM calls by stage (used / rejected by a check): " + (", ".join(
        f"{s} {n}/{t.llm_rejected_stages[s]}" for s, n in t.llm_stages.most_common()) or "none"))
    if t.llm_used:
        lines.append(f"share of LLM outputs the verifier rejected: {t.llm_rejected / t.llm_used:.1%}")
    if t.reasons:
        lines.append("rejection reasons: " + "; ".join(f"{why} ({n})" for why, n in t.reasons.most_common(6)))
    lines.append("answer modes with LLM: " + ", ".join(f"{m} {n}" for m, n in t.answer_modes.most_common()))
    return "\n".join(lines)


def extraction(stores_tmp: Path, model: Any, timeout_s: float, limit: int | None) -> str:
    """LLM-assisted ingestion of the fixture articles: facts proposed, added, dropped."""
    from ingestion import Ingestor, LLMExtractor
    from kg.store import OxigraphStore

    store = OxigraphStore(stores_tmp / "extract")
    extractor = LLMExtractor(model, timeout_s=timeout_s, max_passages=limit)
    ing = Ingestor(store, llm_extractor=extractor)
    lines = ["", "LLM-assisted extraction (fixture articles" + (f", first {limit} passages each" if limit else "")
             + "):"]
    total: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    for f in sorted(ARTICLES.iterdir()):
        t0 = time.perf_counter()
        r = ing.ingest_path(f)
        lines.append(f"  {f.name}: {r.observations} observations, {r.relations} relations in "
                     f"{time.perf_counter() - t0:.0f} s")
        lines.extend(f"    {m}" for m in r.messages)
        rep = extractor.last_report
        if rep is not None:
            total.update(passages=rep.passages, answered=rep.answered, proposed=rep.proposed, added=rep.added,
                         duplicates=rep.duplicates, dropped=sum(rep.dropped.values()))
            total["seconds"] += round(rep.seconds)
            dropped.update(rep.dropped)
    store.close()
    lines.append(f"  total: {total['passages']} passages sent, {total['answered']} answered as JSON, "
                 f"{total['proposed']} facts proposed: {total['added']} added, {total['duplicates']} already found "
                 f"by the rules, {total['dropped']} dropped by the checks"
                 + (f" ({total['dropped'] / total['proposed']:.0%})" if total["proposed"] else "")
                 + f"; {total['seconds'] / max(1, total['passages']):.0f} s per passage")
    lines.append("  dropped because: " + (", ".join(f"{why} {n}" for why, n in dropped.most_common()) or "-"))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llm", help="chat model spec (openai:MODEL@URL, ollama:MODEL, llamacpp:PATH)")
    ap.add_argument("--model", type=Path, help=f"GGUF file (default: $KGQA_DATA_DIR/{DEFAULT_MODEL})")
    ap.add_argument("--limit", type=int, help="first N items of each question set")
    ap.add_argument("--sets", help="comma-separated subset of corpus,fixtures,dev")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per LLM call before the offline answer")
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: its own choice)")
    ap.add_argument("--extract", action="store_true", help="also time LLM-assisted ingestion of the fixtures "
                    "(--limit then caps the passages sent per article)")
    ap.add_argument("--extract-only", action="store_true", help="only the LLM-assisted ingestion, no questions")
    ap.add_argument("--json", type=Path, help="write every answer record to this JSON lines file")
    ap.add_argument("--quiet", action="store_true", help="no per-question progress on stderr")
    args = ap.parse_args()

    from kgqa.settings import Settings
    from qa import QA
    from qa.llm import load_chat_model

    spec = args.llm
    if spec is None:
        path = args.model or Settings().data_dir / DEFAULT_MODEL
        if not path.is_file():
            sys.exit(f"no model at {path}: run scripts/fetch-llm-weights.sh, or give --model or --llm")
        spec = f"llamacpp:{path}"
    kw: dict[str, Any] = {"n_threads": args.threads} if args.threads and spec.startswith("llamacpp:") else {}
    t0 = time.perf_counter()
    model = load_chat_model(spec, timeout=args.timeout, **kw)
    judge = load_scorer().judge
    sets = [] if args.extract_only else question_sets(args.limit, args.sets.split(",") if args.sets else None)
    with tempfile.TemporaryDirectory(prefix="kgqa-llm-eval-") as tmp:
        stores = build_stores(Path(tmp))
        print(f"model: {spec}; stores ready in {time.perf_counter() - t0:.1f} s; "
              f"{sum(len(i) for _, _, i in sets)} items", file=sys.stderr)
        runs: list[Run] = []
        for name, store_name, items in sets:
            store = stores[store_name]
            runs.append(ask_set(QA(store, embedding_model="none"), name, "offline", items, judge, not args.quiet))
            qa = QA(store, embedding_model="none", llm=model, llm_timeout_s=args.timeout)
            runs.append(ask_set(qa, name, "llm", items, judge, not args.quiet))
        if runs:
            print(f"\nkgqa LLM evaluation: {spec}" + (f", first {args.limit} items per set" if args.limit else ""))
            print(f"machine: {os.cpu_count()} CPUs; offline and LLM answers judged by {SCORE_PY.name}\n")
            print(table(runs))
        if args.extract or args.extract_only:
            print(extraction(Path(tmp), model, args.timeout, args.limit))
        for s in stores.values():
            s.close()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            for r in runs:
                for rec in r.records:
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
