"""A text index over verbalised facts: char n-gram BM25, plus sentence embeddings when a model is set.

Each observation is verbalised in Chinese and English ("騰訊 營收 2025年第一季度 319億元 /
Tencent revenue Q1 2025 CNY 31.9 billion"), so an English-only embedding model still
matches English questions, and BM25 over character bigrams matches Chinese ones.

Embeddings are computed once, not per question: :class:`FactIndexer` keeps the index in the
data directory (``index/facts-<model>.npz``: fact IRIs, texts, vectors, the model's name and
version, and a fingerprint of the graphs it was built from). When documents are added or
deleted, the facts are verbalised again (about 2 s at 200k triples) and only facts whose text
is new are embedded. Questions never embed the graph: until every fact has a vector they are
ranked by BM25 alone, and :meth:`FactIndexer.update` (at ingest, or in the background of a
long-lived process) fills the vectors in. Scores are absolute (0..1): a query sharing no word
with any fact scores 0 lexically.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .deadline import Deadline
from .errors import WorkCancelled
from .namespaces import KGM, KGO, KGP, SKOS
from .periods import parse_period_key
from .store import Store
from .text import canonical

if TYPE_CHECKING:
    from .encoder import Encoder

__all__ = ["FactIndex", "FactIndexer", "tokens", "graphs_fingerprint"]

FORMAT = 2  # of the persisted file; another format is rebuilt, never misread
_EN = re.compile(r"[a-z0-9][a-z0-9.\-]*")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
K1, B = 1.2, 0.75


def tokens(text: str) -> list[str]:
    """English words and Chinese character bigrams (and unigrams) of canonical text.

    >>> tokens("百度營收 Q1")
    ['q1', '百', '度', '营', '收', '百度', '度营', '营收']
    >>> tokens("😀 مرحبا")
    []
    """
    c = canonical(text)
    out = _EN.findall(c)
    for run in _HAN.findall(c):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def graphs_fingerprint(store: Store) -> str:
    """What the index depends on: every graph's content hash and its number of facts (one cheap query each)."""
    hashes = sorted((str(g), str(h)) for g, h in store.select(
        f"SELECT DISTINCT ?g ?h WHERE {{ GRAPH ?g {{ ?x <{KGO}contentHash> ?h }} }}"))
    counts = sorted((str(g), int(n)) for g, n in store.select(
        f"SELECT ?g (COUNT(?o) AS ?n) WHERE {{ GRAPH ?g {{ ?o <{KGO}subject> ?s }} }} GROUP BY ?g"))
    return hashlib.sha1(json.dumps([hashes, counts]).encode("utf-8")).hexdigest()


@dataclass
class FactIndex:
    """Fact IRIs and their verbalisations, a BM25 index over them and (when complete) their unit vectors."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    fingerprint: str = ""
    model: str = "none"  # the model key of ``vectors``
    vectors: np.ndarray | None = None  # one row per fact, or None: BM25 alone
    _postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    _norm: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)  # k1 * (1 - b + b * dl / avg)
    _position: dict[str, int] = field(default_factory=dict, repr=False)
    # vectors carried over from an older index: (that index, its row for each fact or None)
    carried: "tuple[FactIndex | None, list[int | None]] | None" = field(default=None, repr=False)

    @classmethod
    def build(cls, store: Store, check: Callable[[], None] | None = None) -> "FactIndex":
        """Verbalise every observation and relation of the store (no embeddings)."""
        labels: dict[str, dict[str, str]] = {}
        for e, l, lang in store.select(f"SELECT ?e ?l (LANG(?l) AS ?lang) WHERE {{ ?e <{SKOS}prefLabel> ?l }}"):
            labels.setdefault(e, {})[lang.lower()] = l
        ids: list[str] = []
        texts: list[str] = []
        seen: set[str] = set()

        def add(iri: str, text: str) -> None:
            if iri not in seen:
                seen.add(iri)
                ids.append(iri)
                texts.append(text)

        rows = store.select(f"""SELECT ?o ?s ?m ?p ?aw ?q WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> ?s ;
            <{KGO}metric> ?m . OPTIONAL {{ ?o <{KGO}period> ?p }} OPTIONAL {{ ?o <{KGO}asWritten> ?aw }}
            OPTIONAL {{ ?o <{KGO}qualifier> ?q }} }} ORDER BY ?o""")
        if check:
            check()
        for o, s, m, p, aw, q in rows:
            sl, ml = labels.get(s, {}), labels.get(m, {})
            per = parse_period_key(p[len(KGP):]) if p else None
            zh = " ".join(x for x in (sl.get("zh-hant") or sl.get("zh-hans"), q, ml.get("zh-hant"),
                                      per.label("zh-Hant") if per else None, aw) if x)
            en = " ".join(x for x in (sl.get("en"), ml.get("en") or m[len(KGM):], per.label("en") if per else None) if x)
            add(o, f"{zh} / {en}")
        for a, s, pred, o, lit in store.select(f"""SELECT ?a ?s ?p ?o ?lit WHERE {{ ?a a <{KGO}Assertion> ;
            <{KGO}subject> ?s ; <{KGO}predicate> ?p . OPTIONAL {{ ?a <{KGO}object> ?o }}
            OPTIONAL {{ ?a <{KGO}objectLiteral> ?lit }} }} ORDER BY ?a"""):
            sl, ol = labels.get(s, {}), labels.get(o or "", {})
            add(a, " ".join(x for x in (sl.get("zh-hant"), sl.get("en"), pred[len(KGO):], ol.get("zh-hant"),
                                        ol.get("en"), lit) if x))
        idx = cls(ids, texts)
        idx._finish()
        return idx

    @classmethod
    def from_texts(cls, items: Iterable[tuple[str, str]]) -> "FactIndex":
        """A BM25 index (no embeddings) over any ``(id, text)`` pairs, e.g. a corpus's sentences.

        >>> idx = FactIndex.from_texts([("s1", "百度營收增長3%"), ("s2", "Tencent revenue rose")])
        >>> [i for i, _ in idx.search("百度营收", 1)], [i for i, _ in idx.search("tencent", 1)]
        (['s1'], ['s2'])
        """
        pairs = list(items)
        idx = cls([k for k, _ in pairs], [t for _, t in pairs])
        idx._finish()
        return idx

    def __len__(self) -> int:
        return len(self.ids)

    def text_of(self, iri: str) -> str:
        return self.texts[self._position[iri]]

    def _finish(self) -> None:
        self._position = {iri: i for i, iri in enumerate(self.ids)}
        docs: dict[str, tuple[list[int], list[int]]] = {}
        lengths = np.zeros(len(self.texts), dtype=np.float32)
        for i, text in enumerate(self.texts):
            tf = Counter(tokens(text))
            lengths[i] = sum(tf.values())
            for t, f in tf.items():
                d = docs.setdefault(t, ([], []))
                d[0].append(i)
                d[1].append(f)
        self._postings = {t: (np.asarray(ix, dtype=np.int32), np.asarray(fs, dtype=np.float32))
                          for t, (ix, fs) in docs.items()}
        avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
        self._norm = K1 * (1 - B + B * lengths / avg)

    def bm25(self, query: str) -> np.ndarray:
        """BM25 of every fact for the query, divided by the most a fact could score (so 0..1, absolute).

        The most a fact could score is the sum of the weights (idf times k1+1) of the query's words
        that some fact holds: a fact scores near 1 when it holds all of them, 0 when it holds none;
        a query none of whose words is in the index scores 0 everywhere.
        """
        n = len(self.ids)
        scores = np.zeros(n, dtype=np.float32)
        best = 0.0
        for t in Counter(tokens(query)):
            post = self._postings.get(t)
            if post is None:
                continue
            ix, f = post
            idf = math.log(1 + (n - len(ix) + 0.5) / (len(ix) + 0.5))
            best += idf * (K1 + 1)
            scores[ix] += idf * f * (K1 + 1) / (f + self._norm[ix])
        return scores / best if best > 0 else scores

    def search(self, query: str, k: int = 5, *, query_vector: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The k best facts for a query, best first, each sharing at least one word with it: BM25 (0..1),
        averaged with cosine similarity when the index has vectors and a query vector is given."""
        if not self.ids or k <= 0:
            return []
        lex = self.bm25(query)
        scores = lex
        if self.vectors is not None and query_vector is not None:
            scores = 0.5 * lex + 0.5 * np.clip(self.vectors @ query_vector, 0.0, 1.0)
        scores = np.where(lex > 0, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(((self.ids[i], float(scores[i])) for i in top), key=lambda x: (-x[1], x[0]))
        return [(iri, s) for iri, s in ranked if s > 0]

    # -- persistence --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index to one file, atomically (a reader sees the old file or the new one)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "fingerprint": self.fingerprint, "model": self.model, "ids": self.ids,
                "texts": self.texts}
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with open(tmp, "wb") as f:
            arrays = {"meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)}
            if self.vectors is not None:
                arrays["vectors"] = self.vectors.astype(np.float32)
            np.savez(f, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "FactIndex | None":
        """The index saved at ``path``, or None when there is none or it cannot be read (it is rebuilt then)."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode("utf-8"))
                vectors = z["vectors"] if "vectors" in z.files else None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, io.UnsupportedOperation):
            return None
        if meta.get("format") != FORMAT or len(meta["ids"]) != len(meta["texts"]):
            return None
        if vectors is not None and vectors.shape[0] != len(meta["ids"]):
            return None
        idx = cls(list(meta["ids"]), list(meta["texts"]), str(meta["fingerprint"]), str(meta["model"]), vectors)
        idx._finish()
        return idx


class FactIndexer:
    """The fact index of one store, shared by every request of a process (thread-safe).

    :meth:`current` answers at once with what is ready (never embeds); :meth:`update` builds
    what is missing, embeds new facts and persists the result; :meth:`warm` runs it in a
    background thread. ``path`` None keeps the index in memory only.
    """

    def __init__(self, store: Store, model: str = "none", path: Path | None = None,
                 stop: threading.Event | None = None) -> None:
        from .encoder import model_key

        self.store = store
        self.model_name = model
        self.model = model_key(model) if model != "none" else "none"
        self.path = path / f"facts-{hashlib.sha1(self.model.encode()).hexdigest()[:12]}.npz" if path else None
        self.stop = stop or threading.Event()
        self._lock = threading.Lock()  # one build at a time; readers take the finished index
        self._index: FactIndex | None = None
        self._checked: tuple[object, ...] | None = None  # the store's change stamp at the last freshness check
        self._worker: threading.Thread | None = None
        self.error: BaseException | None = None  # what stopped the last background update
        self.background = False  # set by warm(): a long-lived process fills in missing vectors by itself

    @property
    def embeddings(self) -> bool:
        return self.model != "none"

    def _stamp(self) -> tuple[object, ...] | None:
        change_stamp = getattr(self.store, "change_stamp", None)
        return tuple(change_stamp()) if change_stamp is not None else None

    def current(self, check: Callable[[], None] | None = None) -> FactIndex:
        """The index for the store as it is now, vectors included only when every fact has one."""
        stamp = self._stamp()
        idx = self._index
        if idx is not None and stamp is not None and stamp == self._checked:
            return idx
        with self._lock:
            stamp = self._stamp()
            if self._index is not None and stamp is not None and stamp == self._checked:
                return self._index
            fp = graphs_fingerprint(self.store)
            if self._index is None or self._index.fingerprint != fp:
                self._index = self._fresh(fp, check)
            self._checked = stamp
            idx = self._index
        if self.background and self.embeddings and idx.vectors is None and not self.stop.is_set():
            self.warm()  # the graph changed (an upload, a delete): embed the new facts in the background
        return idx

    def _fresh(self, fp: str, check: Callable[[], None] | None) -> FactIndex:
        old = self._index
        if self.path is not None and (old is None or old.fingerprint != fp):
            saved = FactIndex.load(self.path)
            if saved is not None and saved.model == self.model:
                if saved.fingerprint == fp:
                    return saved
                old = saved if old is None or old.vectors is None else old
        idx = FactIndex.build(self.store, check)
        idx.fingerprint = fp
        idx.model = self.model
        if self.embeddings and old is not None and old.vectors is not None:  # carry vectors over by (IRI, text)
            rows = {(i, t): r for r, (i, t) in enumerate(zip(old.ids, old.texts))}
            take = [rows.get(it) for it in zip(idx.ids, idx.texts)]
            if all(r is not None for r in take):
                idx.vectors = old.vectors[np.asarray(take, dtype=np.int64)] if take else old.vectors[:0]
            else:
                idx.carried = (old, take)  # update() embeds only the rest
        elif not self.embeddings and self.path is not None:
            idx.save(self.path)
        return idx

    def update(self, check: Callable[[], None] | None = None) -> FactIndex:
        """Bring the index up to date and persist it: new facts are embedded, removed ones dropped."""
        check = check or Deadline(None, self.stop, what="the index update").check
        idx = self.current(check)
        if not self.embeddings or idx.vectors is not None:
            if self.path is not None and (FactIndex.load(self.path) or FactIndex()).fingerprint != idx.fingerprint:
                idx.save(self.path)
            return idx
        from .encoder import load_encoder

        encoder = load_encoder(self.model_name)
        old, take = idx.carried or (None, [None] * len(idx))
        missing = [i for i, r in enumerate(take) if r is None]
        fresh = encoder.encode([idx.texts[i] for i in missing], check=check)
        dim = fresh.shape[1] if len(missing) else (old.vectors.shape[1] if old is not None else 0)
        vectors = np.zeros((len(idx), dim), dtype=np.float32)
        if missing:
            vectors[missing] = fresh
        kept = [i for i, r in enumerate(take) if r is not None]
        if kept and old is not None and old.vectors is not None:
            vectors[kept] = old.vectors[np.asarray([take[i] for i in kept], dtype=np.int64)]
        with self._lock:
            if self._index is idx:  # the store did not change meanwhile
                done = FactIndex(idx.ids, idx.texts, idx.fingerprint, idx.model, vectors)
                done._postings, done._norm, done._position = idx._postings, idx._norm, idx._position
                self._index = done
                idx = done
        if self.path is not None and idx.vectors is not None:
            idx.save(self.path)
        return idx

    def warm(self) -> threading.Thread:
        """Run :meth:`update` (and load the model) in a daemon thread; a running one is reused.

        From then on, a change of the graph seen by :meth:`current` starts another update.
        """
        self.background = True
        with self._lock:
            if self._worker is not None and self._worker.is_alive():
                return self._worker

            def run() -> None:
                try:
                    self.update()
                    if self.embeddings:
                        self.encoder()
                except WorkCancelled:
                    pass
                except BaseException as exc:  # noqa: BLE001 - kept for callers; questions fall back to BM25
                    self.error = exc

            self._worker = threading.Thread(target=run, name="kgqa-fact-index", daemon=True)
            self._worker.start()
            return self._worker

    def encoder(self) -> "Encoder | None":
        if not self.embeddings:
            return None
        from .encoder import load_encoder

        return load_encoder(self.model_name)

    def query_vector(self, idx: FactIndex, text: str) -> np.ndarray | None:
        """The query's vector when the index has vectors (loading the model, without torch, if needed)."""
        if idx.vectors is None or not self.embeddings:
            return None
        enc = self.encoder()
        return enc.encode([text])[0] if enc is not None else None

    def close(self) -> None:
        """Stop background work (it ends at its next step)."""
        self.stop.set()
