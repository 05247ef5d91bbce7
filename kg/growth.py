"""Growth metrics: the growth rate of every amount or count metric, derived from the metric scheme.

News states a growth rate two ways. With its amount (「營收866億元，同比增長18.1%」) the rate is
the change of that revenue figure, and the observation of kgm:Revenue keeps both. Alone
(「營銷費用同比增長17.2%」, "a 47.4% annual jump in revenue") the rate is the only figure, and the
graph holds it as a value of the metric's growth (kgm:MarketingExpenseGrowth, 17.2%), whose
kgo:growthOf names the metric grown; its kgo:change keeps the same fraction (0.172) and basis,
so a reader of changes finds it like any other.

The growth metrics are not written out in metrics.ttl: each amount or count metric there gets
one when the scheme is loaded (``growth_quads``), named ``<metric>Growth`` and labelled from the
metric's own labels ("revenue growth", 營收增長, 营收增长). Ingestion never matches their labels
(the reader finds the metric and the change cue); questions about a metric's change read them
through kgo:growthOf.

>>> from pyoxigraph import Literal, NamedNode, Quad
>>> g = NamedNode("https://w3id.org/kgqa/graph/metrics")
>>> m = NamedNode(KGM + "Revenue")
>>> base = [Quad(m, NamedNode(RDF + "type"), NamedNode(KGO + "Metric"), g),
...         Quad(m, NamedNode(KGO + "kind"), Literal("amount"), g),
...         Quad(m, NamedNode(SKOS + "prefLabel"), Literal("revenue", language="en"), g),
...         Quad(m, NamedNode(SKOS + "prefLabel"), Literal("營收", language="zh-Hant"), g)]
>>> sorted(str(q.object) for q in growth_quads(base) if "Label" in q.predicate.value)
['"revenue growth"@en', '"營收增長"@zh-hant']
>>> growth_metric_iri(KGM + "Revenue")
'https://w3id.org/kgqa/metric/RevenueGrowth'
"""
from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Quad

from .namespaces import KGM, KGO, RDF, SKOS

__all__ = ["growth_quads", "growth_metric_iri", "GROWN_KINDS", "GROWTH_KIND"]

GROWN_KINDS = ("amount", "count")  # what a growth rate is stated of; a margin changes by points instead
GROWTH_KIND = "growth"
# the word each script puts after a metric's name for its growth
_SUFFIX = {"en": " growth", "zh-hant": "增長", "zh-hans": "增长", "zh": "增長"}


def growth_metric_iri(metric: str) -> str:
    return metric + "Growth"


def growth_quads(quads: list[Quad]) -> list[Quad]:
    """The growth metric of every amount or count metric among ``quads`` (in the same graph), with
    kgo:growthOf, kind "growth" and labels made from the metric's: every English label, and the
    preferred label of each Chinese script."""
    props: dict[NamedNode, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    graph = None
    for q in quads:
        if isinstance(q.subject, NamedNode) and q.subject.value.startswith(KGM):
            props[q.subject][q.predicate.value].append(q.object)
            graph = q.graph_name
    out: list[Quad] = []
    for m, p in props.items():
        if NamedNode(KGO + "Metric") not in p[RDF + "type"] or p[KGO + "growthOf"]:
            continue
        kind = str(p[KGO + "kind"][0].value) if p[KGO + "kind"] else "amount"
        g = NamedNode(growth_metric_iri(m.value))
        if kind not in GROWN_KINDS or g in props:
            continue

        def add(pred: str, obj: NamedNode | Literal) -> None:
            out.append(Quad(g, NamedNode(pred), obj, graph))

        add(RDF + "type", NamedNode(KGO + "Metric"))
        add(RDF + "type", NamedNode(SKOS + "Concept"))
        add(SKOS + "inScheme", NamedNode(KGM + "scheme"))
        add(KGO + "growthOf", m)
        add(KGO + "kind", Literal(GROWTH_KIND))
        english = ""
        for pred in (SKOS + "prefLabel", SKOS + "altLabel"):
            for label in p[pred]:
                if not isinstance(label, Literal):
                    continue
                lang = (label.language or "").lower()
                if lang not in _SUFFIX or label.value.endswith(("growth", "增長", "增长")):
                    continue
                if pred == SKOS + "altLabel" and lang != "en":
                    continue
                add(pred, Literal(label.value + _SUFFIX[lang], language=label.language))
                if pred == SKOS + "prefLabel" and lang == "en":
                    english = label.value
        add(SKOS + "definition", Literal(f"Growth rate of {english or m.value[len(KGM):]} over its stated basis, "
                                         "written as a percentage or a multiple.", language="en"))
    return out
