"""Questions naming nothing known, on a 200k-triple graph: not_found within 2 s while other questions stay
fast and the fact index is being embedded in the background; SIGTERM stops `kgqa serve` mid-embedding.

The graph comes from bench/generate.py (the shape ingestion writes), loaded with `kgqa load`.
"""
from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from kg.store import OxigraphStore
from kgqa.service import make_qa
from kgqa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
KGQA = str(Path(sys.executable).with_name("kgqa"))
NOTHING_KNOWN = ["😀😀😀🚀", "🤔❓", "ما هي إيرادات الشركة في الربع الأول؟", "מה היו ההכנסות ברבעון הראשון?"]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    spec = importlib.util.spec_from_file_location("kgqa_bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, gen)  # dataclasses look their module up while it runs
    spec.loader.exec_module(gen)
    tmp = tmp_path_factory.mktemp("big")
    stats = gen.generate_graph(200_000, tmp / "g.nq", seed=3, samples=20)
    data = tmp / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    subprocess.run([KGQA, "load", str(tmp / "g.nq"), "--data-dir", str(data)], env=env, check=True,
                   capture_output=True, timeout=600)
    return data, [{"q": s["question"]} for s in stats.samples][:5]


def test_nothing_known_is_not_found_fast_while_others_stay_fast(big):
    data, samples = big
    settings = Settings(data_dir=data)  # the default model: the index has no vectors yet
    store = OxigraphStore(settings.store_path)
    qa = make_qa(settings, store)
    try:
        qa.refresh()
        qa.indexer.warm()  # embedding ~9,000 facts in the background, as `kgqa serve` does
        template_times: list[float] = []

        def others() -> None:
            for s in samples:
                t = time.perf_counter()
                assert qa.ask(str(s["q"])).status == "answered"
                template_times.append(time.perf_counter() - t)

        th = threading.Thread(target=others)
        th.start()
        for q in NOTHING_KNOWN:
            t = time.perf_counter()
            a = qa.ask(q)
            took = time.perf_counter() - t
            assert a.status == "not_found" and took < 2.0, (q, a.status, took)
        th.join(timeout=120)
        assert len(template_times) == len(samples) and max(template_times) < 2.0, template_times
        assert qa.indexer._worker is not None and qa.indexer._worker.is_alive()  # still embedding meanwhile
        # a retrieval question meanwhile: ranked by BM25 alone, without waiting for the vectors
        _, facts = qa.related_facts("廣告收入 同比增長", 5)
        assert facts and qa.fact_index().vectors is None
    finally:
        qa.close()
        if qa.indexer._worker is not None:
            qa.indexer._worker.join(timeout=30)
            assert not qa.indexer._worker.is_alive()  # close() stopped it at its next batch
        store.close()


def test_sigterm_stops_serve_while_it_embeds(big):
    data, _ = big
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    env.update(KGQA_DATA_DIR=str(data), NO_PROXY="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([KGQA, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            m = re.search(r"kgqa serving (http://\S+)", line)
            url = m.group(1) if m else None
        assert url, "the server did not start"
        with httpx.Client(base_url=url, timeout=30, trust_env=False) as c:
            t = time.perf_counter()
            r = c.post("/ask", json={"question": NOTHING_KNOWN[0]})
            assert r.status_code == 200 and r.json()["status"] == "not_found" and time.perf_counter() - t < 2.0
        time.sleep(3)  # the background embedding is under way
        t = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        assert time.perf_counter() - t < 20
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
