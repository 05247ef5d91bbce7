"""One entity described: what owns it, its figures and its relations, each cited."""
from __future__ import annotations

from kg.lexicon import EntityRef

from .analyze import Analysis
from .answer import Answer, Fact
from .compose import ZH_LIST_SEP, observation_sentence, tr, zh
from .context import Context
from .match import same_figure
from .plan import Obs, observations_of, relations_of
from .relations import catalog_fact, rel_fact, relation_sentence

__all__ = ["describe"]


def describe(ctx: Context, a: Analysis, e: EntityRef) -> Answer:
    """What the graph says about one entity: its owners, up to six figures and four relations."""
    lang = a.language
    g = ctx.g
    sparql, obs = observations_of(ctx.store, [e.iri])
    _, rels = relations_of(ctx.store, subjects=[e.iri])
    _, rels_in = relations_of(ctx.store, objects=[e.iri])
    facts: list[Fact] = []
    parts = []
    name = g.label(e.iri, lang)
    alt = g.label(e.iri, "zh-Hant" if lang == "en" else "en")
    owners = sorted(g.owners.get(e.iri, ()))
    if lang == "en":
        head = f"{name}" + (f" ({alt})" if alt != name else "")
        if owners:
            head += " belongs to " + ", ".join(g.label(o, lang) for o in owners)
            facts.append(catalog_fact(g, e.iri, "owns", owners[0], lang))
        parts.append(head + ".")
    else:
        head = f"{name}" + (f"（{alt}）" if alt != name else "")
        if owners:
            head += zh("隸屬於", lang) + ZH_LIST_SEP.join(g.label(o, lang) for o in owners)
            facts.append(catalog_fact(g, e.iri, "owns", owners[0], lang))
        parts.append(head + "。")
    kept: list[Obs] = []
    for o in obs:
        if not any(same_figure(o, x) for x in kept):
            kept.append(o)
    for o in kept[:6]:
        parts.append(observation_sentence(o, g, lang))
        facts.append(o.fact(g.label(o.subject, lang)))
    for f in (rels + rels_in)[:4]:
        f = rel_fact(g, f, lang)
        parts.append(relation_sentence(g, f, lang))
        facts.append(f)
    if len(facts) == 0:
        return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="describe",
                      answer=tr(lang, "not_found", what=name))
    return Answer(question=a.text, status="answered", answer=" ".join(parts), language=lang, facts=facts,
                  sparql=sparql, confidence=0.6, kind="describe", mode="template")
