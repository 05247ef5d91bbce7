"""Two or more entities side by side: which is higher or grew faster, and their sum, difference or ratio."""
from __future__ import annotations

import dataclasses

import re

from kg.lexicon import EntityRef, MetricRef
from kg.namespaces import KGM

from .analyze import Analysis
from .answer import Answer
from .compose import figure_text, observation_sentence, zh
from .context import Context
from .graph import GraphIndex
from .lookup import not_found, ranked_observations
from .plan import Obs

__all__ = ["compare", "arithmetic", "default_metrics"]


def default_metrics(g: GraphIndex) -> list[MetricRef]:
    """"Which grew faster, A or B?" names no metric: revenue is what business news compares."""
    return [h.value for h in g.lexicon.metrics.find_all("revenue") if h.value.iri == KGM + "Revenue"][:1]


def compare(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer:
    """Which of the entities is highest (lowest, fastest, slowest) on the metric, with the others beside it."""
    lang = a.language
    best: list[Obs] = []
    sparql = ""
    for e in entities:
        sparql, ranked = ranked_observations(ctx, a, [e.iri], metrics)
        if ranked:
            best.append(ranked[0][1])
    if len(best) < 2:
        return not_found(ctx, a, entities, metrics, sparql)

    def key(o: Obs) -> float:
        if a.aspect == "change" and o.change is not None:
            return o.change
        return o.value if o.value is not None else float("-inf")

    pick = min(best, key=key) if a.minimum else max(best, key=key)
    others = [o for o in best if o is not pick]
    head = observation_sentence(pick, ctx.g, lang)
    change = a.aspect == "change" and pick.change is not None
    two = a.kind == "comparison" or len(best) == 2
    if lang == "en":
        word = {(False, False): "highest", (False, True): "lowest", (True, False): "fastest",
                (True, True): "slowest"}[(change, a.minimum)]
        if two:
            word = {"highest": "higher", "lowest": "lower", "fastest": "faster", "slowest": "slower"}[word]
        text = f"{ctx.g.label(pick.subject, lang)} ({word}): {head} Compared with: " + \
            " ".join(observation_sentence(o, ctx.g, lang) for o in others)
    else:
        word = ("增長" if change else "") + ("較" if two else "最") + (
            ("慢" if a.minimum else "快") if change else ("低" if a.minimum else "高"))
        text = f"{ctx.g.label(pick.subject, lang)}{zh(word, lang)}：{head}" + zh("對比：", lang) + "".join(
            observation_sentence(o, ctx.g, lang) for o in others)
    return Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql,
                  facts=[o.fact(ctx.g.label(o.subject, lang)) for o in [pick, *others]], confidence=0.8,
                  kind="superlative")


_ESTIMATE_Q = re.compile(r"预估|预期|市场预期|一致预期|consensus|estimate|expectation|forecast")


def _operands(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]
              ) -> tuple[str, list[Obs], tuple[str, str]]:
    """The two figures a question computes with: two entities' (A比B), one entity's two metrics
    (网络营销收入比非网络营销收入), two periods (2024年比2023年), or the reported figure and the
    analysts' estimate ("miss the consensus")."""
    lang = a.language
    g = ctx.g

    def best(a2: Analysis, subject: str, ms: list[MetricRef], estimate: bool | None = None) -> tuple[str, Obs | None]:
        sparql, ranked = ranked_observations(ctx, a2, [subject], ms)
        fits = [o for _, o in ranked if estimate is None or bool(o.estimate) == estimate]
        unit = picked[0].unit if picked else ("CNY" if lang != "en" else None)
        same = [o for o in fits if o.unit == unit] if unit else []
        return sparql, (same or fits or [None])[0]

    picked: list[Obs] = []
    sparql = ""
    if len(entities) >= 2:
        for e in entities[:2]:
            sparql, o = best(a, e.iri, metrics, False)
            if o is not None:
                picked.append(o)
        return sparql, picked, tuple(g.label(o.subject, lang) for o in picked[:2]) if len(picked) == 2 else ("", "")  # type: ignore[return-value]
    if not entities:
        return sparql, [], ("", "")
    e = entities[0]
    name = g.label(e.iri, lang)
    if len(metrics) >= 2:
        for m in metrics[:2]:
            sparql, o = best(a, e.iri, [m], False)
            if o is not None:
                picked.append(o)
        labels = tuple(f"{name}{' ' if lang == 'en' else ''}{g.metric_label(o.metric, lang)}" for o in picked)
    elif len(a.periods) >= 2:
        for p in a.periods[:2]:
            sparql, o = best(dataclasses.replace(a, period=p, aspect="value"), e.iri, metrics, False)
            if o is not None and o.period == p.key:
                picked.append(o)
        sep = " " if lang == "en" else ""
        labels = tuple(f"{name}{sep}{o.period_obj.label(lang) if o.period_obj else ''}".strip() for o in picked)
    elif _ESTIMATE_Q.search(a.canon):
        for est in (False, True):
            sparql, o = best(a, e.iri, metrics, est)
            if o is not None:
                picked.append(o)
        labels = (name, ("consensus" if lang == "en" else zh("市場預期", lang)))
    else:
        return sparql, [], ("", "")
    return sparql, picked, labels if len(labels) == 2 else ("", "")  # type: ignore[return-value]


def arithmetic(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer | None:
    """The sum, difference or ratio of two entities' figures; the computed numbers are recorded for verification."""
    lang = a.language
    sparql, picked, labels = _operands(ctx, a, entities, metrics)
    if len(picked) < 2:
        return None
    x, y = picked
    # 「2024年比2023年減少了多少?」: two periods' levels are compared, not their changes
    by_change = a.aspect == "change" and not (len(a.periods) >= 2 and x.value is not None and y.value is not None)
    a = dataclasses.replace(a, aspect="change" if by_change else "value")

    def val(o: Obs) -> float | None:
        return o.change * 100 if by_change and o.change is not None else o.value

    vx, vy = val(x), val(y)
    if vx is None or vy is None or (a.aspect != "change" and x.unit != y.unit):
        return None
    ratio_q = re.search(r"几倍|多少倍|how many times|ratio", a.canon)
    sum_q = not ratio_q and re.search(r"合计|总共|加起来|一共|总和|combined|in total|sum of|together|altogether", a.canon)
    result = vx / vy if ratio_q and vy else vx + vy if sum_q else vx - vy
    lx, ly = labels
    if sum_q:
        total = figure_text(Obs(**{**x.__dict__, "value": result, "change": None, "bound": None,
                                   "qualitative": None}), lang) if a.aspect != "change" else \
            (f"{result:.2f} percentage points" if lang == "en" else f"{result:.2f}" + zh("個百分點", lang))
        body = f"{lx} + {ly} = {total}" if lang == "en" else zh(f"{lx}與{ly}合計{total}", lang)
    elif ratio_q:
        body = f"{lx} / {ly} = {result:.2f}" + ("x" if lang == "en" else "倍")
    else:
        unit = "percentage points" if a.aspect == "change" or x.unit == "Percent" else (x.unit or "")
        diff = figure_text(Obs(**{**x.__dict__, "value": abs(result), "change": None, "bound": None,
                                  "qualitative": None}), lang) if x.unit not in ("Percent",) and a.aspect != "change" \
            else (f"{abs(result):.2f} {unit}" if lang == "en" else f"{abs(result):.2f}" + zh("個百分點", lang))
        body = (f"{lx} − {ly} = {'-' if result < 0 else ''}{diff}" if lang == "en"
                else zh(f"{lx}與{ly}相差{diff}", lang))
    text = body + (". " if lang == "en" else "。") + " ".join(observation_sentence(o, ctx.g, lang) for o in picked)
    ans = Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql,
                 facts=[o.fact(ctx.g.label(o.subject, lang)) for o in picked], confidence=0.7, kind="arithmetic")
    ans.computed = [result, round(result, 2), abs(round(result, 2))]
    return ans
