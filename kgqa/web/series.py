"""A metric of one entity over periods, for the web page's chart: ``/api/series``.

The observations of (entity, metric) that have a numeric value and a period are grouped
into series of comparable points: one granularity of period (quarters, halves, years,
months, …, calendar or fiscal, read from the period's ``kgo:quarter``/``kgo:half``/…
properties in the graph), one unit, one qualifier and one kind of figure: a
 are in calendar order; a
forecast, guidance or estimate (``kgo:estimate``) is never mixed with reported figures. A
point stands for every fact giving the same value for the same period, and cites the
first of them (``source``) and the others (``more_sources``).

>>> from kg.store import OxigraphStore, ensure_reference_graphs
>>> from kg.namespaces import KGR
>>> s = OxigraphStore.in_memory(); _ = ensure_reference_graphs(s)
>>> series_view(s, KGR + "tencent")["series"]
[]
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from kg.namespaces import KGM, KGO, KGP
from kg.store import Store

from .views import _facts, _iri, _Names, local_id

__all__ = ["series_view", "UnknownMetricError", "MAX_SERIES_FACTS", "GRANULARITIES"]

MAX_SERIES_FACTS = 400
# the order series of the same size are listed in (the first is what the chart shows)
GRANULARITIES = ("quarter", "fiscal-quarter", "half", "fiscal-half", "year", "fiscal-year", "month",
                 "year-to-date", "cumulative", "day", "span", "other")
_PERIOD_PROPS = {KGO + p: p for p in ("year", "quarter", "half", "month", "day", "months", "endYear", "fiscal",
                                      "yearToDate")}


class UnknownMetricError(LookupError):
    """The metric named is not a ``kgo:Metric`` of the ontology."""


def _granularity(props: dict[str, Any]) -> str:
    if "year" not in props:
        return "other"
    fiscal = "fiscal-" if props.get("fiscal") in (True, "true", 1) else ""
    if props.get("endYear"):
        return "span"
    if props.get("day"):
        return "day"
    if props.get("yearToDate") in (True, "true", 1):
        return "year-to-date"
    if props.get("months"):
        return "cumulative"
    if props.get("quarter"):
        return fiscal + "quarter"
    if props.get("half"):
        return fiscal + "half"
    if props.get("month"):
        return "month"
    return fiscal + "year"


def _order(props: dict[str, Any], key: str) -> tuple[int, int, int, str]:
    """Calendar order within a granularity: year, then the month the period starts in, then the day."""
    year = int(props.get("year") or 0)
    month = (int(props["quarter"]) - 1) * 3 + 1 if props.get("quarter") else \
        (int(props["half"]) - 1) * 6 + 1 if props.get("half") else int(props.get("month") or 0)
    return year, month, int(props.get("day") or 0), key


def _period_props(store: Store, keys: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {k: {} for k in keys}
    todo = sorted(keys)
    for k in range(0, len(todo), 200):
        vals = " ".join(_iri(KGP + key) for key in todo[k:k + 200])
        preds = " ".join(f"<{p}>" for p in _PERIOD_PROPS)
        for p, prop, v in store.select(f"""SELECT ?p ?prop ?v WHERE {{ VALUES ?p {{ {vals} }} VALUES ?prop {{ {preds} }}
                ?p ?prop ?v }} ORDER BY ?p ?prop ?v"""):
            out[p[len(KGP):]].setdefault(_PERIOD_PROPS[prop], v)
    return out


def _estimates(store: Store, facts: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k in range(0, len(facts), 100):
        vals = " ".join(_iri(f) for f in facts[k:k + 100])
        for f, e in store.select(f"SELECT ?f ?e WHERE {{ VALUES ?f {{ {vals} }} ?f <{KGO}estimate> ?e }} ORDER BY ?f ?e"):
            out.setdefault(f, str(e))
    return out


def _metrics_of(store: Store, me: str, names: _Names) -> list[dict[str, Any]]:
    rows = store.select(f"""SELECT ?m (COUNT(DISTINCT ?f) AS ?n) WHERE {{ VALUES ?s {{ {me} }}
        ?f a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}metric> ?m ; <{KGO}value> ?v ; <{KGO}period> ?p }}
        GROUP BY ?m ORDER BY DESC(?n) ?m LIMIT 200""")
    names.load({m for m, _ in rows})
    return [{"metric": m[len(KGM):] if m.startswith(KGM) else m, "labels": names.per_script(m), "facts": int(n)}
            for m, n in rows]


def series_view(store: Store, entity: str, metric: str | None = None, *, lang: str = "en") -> dict[str, Any]:
    """The series of ``metric`` (a local name such as ``Revenue``, or the metric's IRI) for the
    entity IRI ``entity``; without ``metric``, the entity's most observed metric.

    ``metrics`` lists every metric the entity has dated figures for (most first), ``series``
    the groups of comparable points (largest first). ``UnknownMetricError`` when ``metric``
    is not in the ontology.
    """
    me = _iri(entity)
    names = _Names(store)
    metrics = _metrics_of(store, me, names)
    if metric is None:
        metric = metrics[0]["metric"] if metrics else None
    out: dict[str, Any] = {"entity": entity, "id": local_id(entity), "label": names.load({entity}).label(entity, lang),
                           "metric": None, "metric_labels": None, "metrics": metrics, "series": [],
                           "truncated": False}
    if metric is None:
        return out
    metric_iri = metric if "://" in metric else KGM + metric
    m = _iri(metric_iri)
    if not store.ask(f"ASK {{ {m} a <{KGO}Metric> }}"):
        raise UnknownMetricError(metric)
    out["metric"] = metric_iri[len(KGM):] if metric_iri.startswith(KGM) else metric_iri
    out["metric_labels"] = names.load({metric_iri}).per_script(metric_iri)
    facts, out["truncated"] = _facts(store, f"""VALUES ?s {{ {me} }} VALUES ?m {{ {m} }}
        ?f <{KGO}subject> ?s ; <{KGO}metric> ?m ; <{KGO}value> ?v ; <{KGO}period> ?p .""", names, lang,
                                     classes=("Observation",), limit=MAX_SERIES_FACTS)
    facts = [f for f in facts if isinstance(f["value"], (int, float)) and f["period"]]
    props = _period_props(store, {f["period"] for f in facts})
    estimates = _estimates(store, [f["iri"] for f in facts])
    Key = tuple[str, str | None, str | None, str | None]
    groups: dict[Key, dict[tuple[str, float], dict[str, Any]]] = defaultdict(dict)
    order: dict[str, tuple[int, int, int, str]] = {}
    for f in facts:
        p = props.get(f["period"], {})
        key = (_granularity(p), f["unit"], f["qualifier"], estimates.get(f["iri"]))
        point = groups[key].get((f["period"], f["value"]))
        if point is None:
            groups[key][(f["period"], f["value"])] = {
                "period": f["period"], "period_label": names.label(KGP + f["period"], lang),
                "period_labels": names.per_script(KGP + f["period"]), "value": f["value"],
                "as_written": f["as_written"], "bound": f["bound"], "change": f["change"],
                "change_unit": f["change_unit"], "change_basis": f["change_basis"], "fact": f["iri"],
                "source": f["source"], "more_sources": []}
            order[f["period"]] = _order(p, f["period"])
        elif f["source"] is not None:
            point["more_sources"].append(f["source"])
    series = []
    for (granularity, unit, qualifier, estimate), points in groups.items():
        ordered = sorted(points.values(), key=lambda pt: (order[pt["period"]], pt["value"]))
        series.append({"granularity": granularity, "unit": unit, "qualifier": qualifier, "estimate": estimate,
                       "points": ordered})
    counts = Counter(f["unit"] for f in facts)
    # reported figures before estimates, plain before qualified, then the longest
    series.sort(key=lambda s: (s["estimate"] is not None, s["qualifier"] is not None, -len(s["points"]),
                               GRANULARITIES.index(s["granularity"]), -counts[s["unit"]], s["unit"] or "",
                               s["qualifier"] or "", s["estimate"] or ""))
    out["series"] = series
    return out
