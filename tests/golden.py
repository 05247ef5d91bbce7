"""Compare a document's facts in the store with a golden file (tests/data/golden/*.json)."""
from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from ingestion.normalize import normalize
from kg.namespaces import KGM, KGO, KGP, KGU, SKOS, document_graph
from kg.store import Store
from kg.text import canonical

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
SCORE_PY = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def load_shared_scorer() -> ModuleType:
    """../shared/eval/score.py as a module, so the tests judge answers exactly as it does."""
    if not SCORE_PY.is_file():
        pytest.fail(f"the shared scorer is missing at {SCORE_PY}", pytrace=False)
    spec = importlib.util.spec_from_file_location("kgqa_shared_score", SCORE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

_FIELDS = ("metric", "period", "value", "unit", "bound", "change", "change_unit", "basis", "change_bound", "qualitative")


@dataclass
class Score:
    expected: int
    found: int
    matched: int
    missing: list[dict]
    extra: list[dict]

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0


def load_golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def _labels(store: Store, iri: str) -> set[str]:
    rows = store.select(f"SELECT ?l WHERE {{ <{iri}> <{SKOS}prefLabel>|<{SKOS}altLabel> ?l }}")
    return {_key(r[0]) for r in rows} | {_key(iri.rsplit("/", 1)[-1])}


def _broader(store: Store, metric: str) -> set[str]:
    rows = store.select(f"SELECT ?b WHERE {{ <{KGM}{metric}> <{SKOS}broader>* ?b }}")
    return {r[0][len(KGM):] for r in rows if r[0].startswith(KGM)} | {metric}


def _close(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    return canonical(str(a)) == canonical(str(b))


def observations(store: Store, doc_iri: str) -> list[dict]:
    g = document_graph(doc_iri)
    rows = store.select(f"""
      SELECT ?o ?s ?m ?p ?v ?u ?b ?c ?cu ?cb ?cbd ?q ?grown WHERE {{ GRAPH <{g}> {{
        ?o a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}metric> ?m .
        OPTIONAL {{ ?o <{KGO}period> ?p }} OPTIONAL {{ ?o <{KGO}value> ?v }} OPTIONAL {{ ?o <{KGO}unit> ?u }}
        OPTIONAL {{ ?o <{KGO}bound> ?b }} OPTIONAL {{ ?o <{KGO}change> ?c }} OPTIONAL {{ ?o <{KGO}changeUnit> ?cu }}
        OPTIONAL {{ ?o <{KGO}changeBasis> ?cb }} OPTIONAL {{ ?o <{KGO}changeBound> ?cbd }}
        OPTIONAL {{ ?o <{KGO}qualitative> ?q }} }} OPTIONAL {{ ?m <{KGO}growthOf> ?grown }} }}""")
    out = []
    for o, s, m, p, v, u, b, c, cu, cb, cbd, q, grown in rows:
        if grown is not None:  # a growth rate stated alone (kg/growth.py): golden files give it as the change
            m, v, b = grown, None, None
        out.append({"iri": o, "subject": s, "metric": m[len(KGM):], "period": p[len(KGP):] if p else None,
                    "value": v, "unit": u[len(KGU):] if u and v is not None else None,
                    "bound": b[len(KGO):] if b else None, "change": c,
                    "change_unit": cu[len(KGU):] if cu and c is not None else None,
                    "basis": cb[len(KGO):] if cb else None, "change_bound": cbd[len(KGO):] if cbd else None,
                    "qualitative": q})
    return out


def _obs_matches(store: Store, got: dict, want: dict, labels: dict[str, set[str]]) -> bool:
    if got["subject"] not in labels:
        labels[got["subject"]] = _labels(store, got["subject"])
    if _key(want["subject"]) not in labels[got["subject"]]:
        return False
    if want["metric"] not in _broader(store, got["metric"]):
        return False
    for f in _FIELDS[1:]:
        w = want.get(f)
        g = got.get(f)
        if f == "unit" and want.get("value") is None:
            continue
        if f == "qualitative" and w is not None and g is not None:
            if canonical(normalize(w).text) != canonical(g):
                return False
            continue
        if not _close(g, w):
            return False
    return True


def score_observations(store: Store, doc_iri: str, golden: dict) -> Score:
    got = observations(store, doc_iri)
    want = golden["observations"]
    labels: dict[str, set[str]] = {}
    # set semantics: the same fact stated twice is one fact
    want_unique: list[dict] = []
    for w in want:
        if not any(all(_close(w.get(k), u.get(k)) for k in ("subject",) + _FIELDS) for u in want_unique):
            want_unique.append(w)
    matched_got: set[int] = set()
    missing = []
    for w in want_unique:
        hit = next((i for i, g in enumerate(got) if _obs_matches(store, g, w, labels)), None)
        if hit is None:
            missing.append(w)
        else:
            matched_got.add(hit)
    # extra = extracted facts that match no golden fact
    extra = [g for i, g in enumerate(got) if i not in matched_got
             and not any(_obs_matches(store, g, w, labels) for w in want_unique)]
    found = len(got) - sum(1 for i, g in enumerate(got) if i not in matched_got and g not in extra)
    return Score(len(want_unique), found, len(want_unique) - len(missing), missing, extra)


def relations(store: Store, doc_iri: str) -> list[dict]:
    g = document_graph(doc_iri)
    rows = store.select(f"""
      SELECT ?s ?p ?o ?lit ?y WHERE {{ GRAPH <{g}> {{
        ?a a <{KGO}Assertion> ; <{KGO}subject> ?s ; <{KGO}predicate> ?p .
        OPTIONAL {{ ?a <{KGO}object> ?o }} OPTIONAL {{ ?a <{KGO}objectLiteral> ?lit }}
        OPTIONAL {{ ?a <{KGO}year> ?y }} }} }}""")
    return [{"subject": s, "predicate": p[len(KGO):], "object": o, "literal": lit, "year": y}
            for s, p, o, lit, y in rows]


def score_relations(store: Store, doc_iri: str, golden: dict) -> Score:
    got = relations(store, doc_iri)
    want = golden.get("relations", [])
    labels: dict[str, set[str]] = {}

    def lab(iri: str) -> set[str]:
        if iri not in labels:
            labels[iri] = _labels(store, iri)
        return labels[iri]

    def match(g: dict, w: dict) -> bool:
        if g["predicate"] != w["predicate"] or _key(w["subject"]) not in lab(g["subject"]):
            return False
        if w.get("year") is not None and g.get("year") != w["year"]:
            return False
        if g["object"]:
            return _key(w["object"]) in lab(g["object"])
        want_text = canonical(normalize(w["object"]).text)
        return want_text in canonical(g["literal"] or "") or canonical(g["literal"] or "") in want_text

    matched = set()
    missing = []
    for w in want:
        hit = next((i for i, g in enumerate(got) if i not in matched and match(g, w)), None)
        if hit is None:
            missing.append(w)
        else:
            matched.add(hit)
    extra = [g for i, g in enumerate(got) if i not in matched]
    return Score(len(want), len(got), len(matched), missing, extra)


def _key(label: str) -> str:
    """Labels compare without spaces, hyphens or dots: 'Nimbus Robotics Inc.' = 'nimbusroboticsinc'."""
    return "".join(ch for ch in canonical(label) if ch not in " .-")
