"""What question answering keeps in memory about the graph: labels, types, ownership, lexicon."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.lexicon import Lexicon
from kg.namespaces import KGM, KGO, SKOS
from kg.store import Store
from kg.text import canonical, to_script

__all__ = ["GraphIndex"]

_LANGS = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans", "en": "en"}  # Oxigraph lower-cases language tags


@dataclass
class GraphIndex:
    store: Store
    lexicon: Lexicon
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # iri -> lang -> prefLabel
    types: dict[str, str] = field(default_factory=dict)
    owners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # child -> owners
    children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    broader: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # metric -> itself and broader
    mentioned: set[str] = field(default_factory=set)
    stamp: tuple[object, ...] = ()

    @classmethod
    def build(cls, store: Store) -> "GraphIndex":
        lex = Lexicon.from_store(store)
        g = cls(store=store, lexicon=lex)
        for e, label, lang in store.select(f"SELECT ?e ?l (LANG(?l) AS ?lang) WHERE {{ ?e <{SKOS}prefLabel> ?l }}"):
            g.labels.setdefault(e, {}).setdefault(_LANGS.get((lang or "").lower(), lang or ""), label)
        for e, ref in lex.by_iri.items():
            g.types[e] = ref.type
        for parent, child in store.select(f"SELECT DISTINCT ?p ?c WHERE {{ ?p <{KGO}owns> ?c }}"):
            g.owners[child].add(parent)
            g.children[parent].add(child)
        for m, b in store.select(f"SELECT ?m ?b WHERE {{ ?m a <{KGO}Metric> ; <{SKOS}broader>* ?b }}"):
            g.broader[m].add(b)
        g.mentioned = {e for (e,) in store.select(f"SELECT DISTINCT ?e WHERE {{ ?e <{KGO}mentionedIn> ?d }}")}
        g.stamp = cls.stamp_of(store)
        return g

    @staticmethod
    def stamp_of(store: Store) -> tuple[object, ...]:
        return (store.count(), tuple(store.graphs()))

    def label(self, iri: str, lang: str) -> str:
        by = self.labels.get(iri, {})
        if lang in by:
            return by[lang]
        if lang in ("zh-Hant", "zh-Hans"):
            other = "zh-Hans" if lang == "zh-Hant" else "zh-Hant"
            if other in by:
                return to_script(by[other], lang)
        for pref in ("en", "zh-Hant", "zh-Hans", ""):
            if pref in by:
                return by[pref]
        return iri.rsplit("/", 1)[-1]

    def metric_label(self, iri: str, lang: str) -> str:
        return self.label(iri, lang) if iri in self.labels else iri[len(KGM):]

    def ancestors(self, iri: str) -> set[str]:
        seen: set[str] = set()
        todo = [iri]
        while todo:
            x = todo.pop()
            for p in self.owners.get(x, ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def descendants(self, iri: str) -> set[str]:
        seen: set[str] = set()
        todo = [iri]
        while todo:
            x = todo.pop()
            for c in self.children.get(x, ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        return seen

    def is_metric_match(self, observed: str, asked: str) -> int:
        """2 for the same metric, 1 when the observed one is narrower than the asked one, else 0."""
        if observed == asked:
            return 2
        return 1 if asked in self.broader.get(observed, ()) else 0

    def all_labels(self, iri: str) -> list[str]:
        return list(self.labels.get(iri, {}).values())

    def canon_labels(self, iri: str) -> set[str]:
        return {canonical(x) for x in self.all_labels(iri)}
