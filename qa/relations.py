"""Relations between entities: who founded, launched, owns or works for what, who said what,
what each owner has, and how two entities are connected."""
from __future__ import annotations

import re

from pyoxigraph import NamedNode

from kg.lexicon import EntityRef, MetricRef
from kg.namespaces import KGO, REFERENCE_GRAPHS
from kg.text import canonical

from .analyze import Analysis
from .answer import Answer, Fact, Source
from .compose import ZH_LIST_SEP, observation_sentence, tr, zh
from .context import Context
from .graph import GraphIndex
from .link import dedupe
from .match import overlap
from .plan import observations_of, products_of, relations_of

__all__ = ["relation", "who_said", "list_owned", "connection", "rel_fact", "catalog_fact", "relation_sentence"]

_VERBS_EN = {"founded": "founded", "launched": "launched", "develops": "develops", "owns": "owns",
             "integrates": "integrates", "runsOn": "runs on", "worksFor": "works for", "said": "said"}
_VERBS_ZH = {"founded": "成立了", "launched": "推出了", "develops": "研發了", "owns": "擁有", "integrates": "接入了",
             "runsOn": "依託", "worksFor": "任職於", "said": "表示"}


def rel_fact(g: GraphIndex, f: Fact, lang: str) -> Fact:
    """The relation fact with its subject and object labelled in the reader's language."""
    f.subject_label = g.label(f.subject, lang)
    if f.object:
        f.object_label = g.label(f.object, lang)
    return f


def catalog_fact(g: GraphIndex, child: str, pred: str, parent: str | None, lang: str) -> Fact:
    """An ownership the catalog (reference data) states, cited to the catalog."""
    parent = parent or sorted(g.owners.get(child, {""}))[0]
    quote = f"{g.label(parent, 'en')} owns {g.label(child, 'en')}"
    return Fact(iri=REFERENCE_GRAPHS["catalog"], subject=parent, subject_label=g.label(parent, lang),
                source=Source(REFERENCE_GRAPHS["catalog"], 0, 0, quote, "kgqa catalog (reference data)"),
                predicate=pred, object=child, object_label=g.label(child, lang))


def relation_sentence(g: GraphIndex, f: Fact, lang: str) -> str:
    """One relation fact as a sentence in the reader's language."""
    s, o = f.subject_label, f.object_label or ""
    year = f.period
    p = f.predicate or ""
    if lang == "en":
        extra = f" in {year}" if year else ""
        role = f" ({f.qualifier})" if f.qualifier and p == "worksFor" else ""
        alt = g.label(f.subject, "zh-Hant")
        who = f"{s} ({alt})" if alt != s and p in ("worksFor", "said") else s
        return f"{who}{role} {_VERBS_EN.get(p, p)} {o}{extra}".rstrip(".") + "."
    extra = f"（{year}年）" if year else ""
    role = f"（{f.qualifier}）" if f.qualifier and p == "worksFor" else ""
    return zh(f"{s}{role}{_VERBS_ZH.get(p, p)}{o}{extra}。", lang)


def relation(ctx: Context, a: Analysis, entities: list[EntityRef], reverse: bool = False) -> Answer | None:
    """Who founded, launched, develops, owns, integrates or works for what; ``None`` when the question names no relation."""
    lang = a.language
    c = a.canon
    e = entities[0]
    preds = []
    if re.search(r"founded|成立|创立|创办|establish|set up", c):
        preds = ["founded"]
    elif re.search(r"launched|推出|发布|release", c):
        preds = ["launched", "owns"]
    elif re.search(r"develop|研发|开发|built", c):
        preds = ["develops", "launched", "owns"]
    elif re.search(r"runs on|基于|依托|运行在|使用|power|based on", c):
        preds = ["runsOn", "integrates"]
    elif re.search(r"integrat|接入", c):
        preds = ["integrates"]
    elif re.search(r"ceo|总裁|president|chief|首席|创始人|founder|谁是|who (?:is|was) the|任职|担任|职位|职务|头衔|"
                   r"负责人|works? (?:for|at)|employ|position|role|title|job", c):
        preds = ["worksFor"]
    elif re.search(r"own|母公司|parent|属于|旗下|which company|哪家公司|哪个公司", c):
        preds = ["owns", "launched", "develops"]
    if not preds:
        return None
    who_did = re.search(r"which|who|哪家|哪个|谁|什么公司", c) and (not e.is_org or preds[0] in ("worksFor", "founded") or
                                                               e.type in ("Lab", "BusinessUnit"))
    if preds[0] in ("runsOn", "integrates") and not e.is_org and not re.search(r"compan|firm|公司|企业|谁|who", c):
        who_did = False  # "全站推广依托哪个大模型?": the product is the subject
    if reverse:
        who_did = True
    if preds == ["worksFor"] and e.type == "Person":  # "林嘉文在哪家公司任職?": the person is the subject
        sparql, facts = relations_of(ctx.store, subjects=[e.iri], predicates=preds)
    elif preds == ["worksFor"]:
        sparql, facts = relations_of(ctx.store, objects=[e.iri], predicates=preds)
    elif who_did:
        objects = [e.iri, *sorted(ctx.g.descendants(e.iri))] if reverse else [e.iri]
        sparql, facts = relations_of(ctx.store, objects=objects, predicates=preds)
    else:
        sparql, facts = relations_of(ctx.store, subjects=[e.iri], predicates=preds)
    if not facts and preds == ["founded"] and e.is_org and who_did:
        # "Who founded Xiaomi?": a person who works for it as its founder ("company founder Lei Jun said")
        sparql, staff = relations_of(ctx.store, objects=[e.iri], predicates=["worksFor"])
        facts = [f for f in staff if _role_asked("founder", f.qualifier)]
    facts = [rel_fact(ctx.g, f, lang) for f in facts]
    if preds == ["worksFor"]:
        facts.sort(key=lambda f: not _role_asked(c, f.qualifier))  # the CFO first when the CFO is asked
    if not facts and "owns" in preds and who_did and ctx.g.owners.get(e.iri):
        facts = [catalog_fact(ctx.g, e.iri, "owns", p, lang) for p in sorted(ctx.g.owners[e.iri])]
    if not facts:
        return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="relation",
                      answer=tr(lang, "not_found", what=a.text))
    lines = [relation_sentence(ctx.g, f, lang) for f in facts[:5]]
    return Answer(question=a.text, status="answered", answer=" ".join(lines), language=lang, facts=facts[:5],
                  sparql=sparql, confidence=0.8, kind="relation")


_ROLES = (("ceo", "chief executive", "首席执行官", "执行官"), ("cfo", "chief financial", "首席财务官", "财务"),
          ("cto", "chief technology", "首席技术官", "技术官"), ("founder", "创始人", "创办人", "创办"),
          ("chairman", "董事长", "主席"), ("president", "总裁"))


def _role_asked(question: str, role: str | None) -> bool:
    """Whether a worksFor role (「首席財務官」, "CFO") is the title the question asks about."""
    r = canonical(role or "")
    return any(any(w in question for w in group) and any(w in r for w in group) for group in _ROLES)


def who_said(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer:
    """The quote that best fits the question, and who said it."""
    lang = a.language
    sparql, said = relations_of(ctx.store, predicates=["said"])
    iris = {e.iri for e in entities}
    works = {}
    for f in relations_of(ctx.store, predicates=["worksFor"])[1]:
        works.setdefault(f.subject, set()).add(f.object)
    phrases: set[str] = set()
    for m in metrics:
        phrases |= {canonical(x) for x in ctx.g.all_labels(m.iri)}
        rows = ctx.store.select("SELECT ?l WHERE { ?m <http://www.w3.org/2004/02/skos/core#altLabel> ?l }",
                                 {"m": NamedNode(m.iri)})
        phrases |= {canonical(r[0]) for r in rows}
    # what the quote is about: the question without its "who said" words and punctuation
    body = re.sub(r"who (?:said|says|stated|noted)( that)?|谁(?:说|表示|称|提到|认为)(?:过|了)?|[?？!！,，。.\s]", "",
                  a.canon)
    scored = []
    for f in said:
        quote = canonical(f.object_label or "")
        s = 0.0
        if f.subject in iris or works.get(f.subject, set()) & iris:
            s += 2
        if any(p and p in quote for p in phrases):
            s += 3
        s += max(overlap(quote, a.canon), 3 * overlap(body, quote) if len(body) >= 4 else 0.0)
        if s >= 2:
            scored.append((s, f))
    if not scored:
        return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="quote",
                      answer=tr(lang, "not_found", what=a.text))
    scored.sort(key=lambda sf: -sf[0])
    f = rel_fact(ctx.g, scored[0][1], lang)
    names = dict.fromkeys(ctx.g.label(f.subject, x) for x in ("zh-Hant", "zh-Hans", "en"))  # in this order, each once
    who = " / ".join(sorted(names, key=lambda n: n != f.subject_label))
    text = (f"{who} said: “{f.object_label}”" if lang == "en" else f"{who}{zh('表示', lang)}：「{f.object_label}」")
    return Answer(question=a.text, status="answered", answer=text, language=lang, facts=[f], sparql=sparql,
                  confidence=min(1.0, scored[0][0] / 6), kind="quote")


def list_owned(ctx: Context, a: Analysis, entities: list[EntityRef]) -> Answer:
    """What each named owner has: products (default), models, platforms or labs ("A和B分別有哪些實驗室?")."""
    lang = a.language
    owners = dedupe(e for e in entities if e.is_org or e.type in ("Lab", "BusinessUnit"))[:4] or entities[:1]
    types: tuple[str, ...] = ("Product", "Platform", "AIModel")
    if re.search(r"model|模型", a.canon):
        types = ("AIModel",)
    elif re.search(r"platform|平台", a.canon):
        types = ("Platform",)
    elif re.search(r"\blabs?\b|laborator|academ|实验室|研究院|研究所|达摩院", a.canon):
        types = ("Lab",)
    sparql, rows = products_of(ctx.store, [o.iri for o in owners], types)
    items: dict[str, dict[str, str | None]] = {o.iri: {} for o in owners}
    for owner, x, _t, doc in sorted(rows):
        if x not in items and not any(x in v for v in items.values()):
            items[owner].setdefault(x, doc)
    if not any(items.values()):
        return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="list",
                      answer=tr(lang, "not_found", what=a.text))
    facts = []
    parts = []
    for owner_iri, things in items.items():
        if not things:
            continue
        for x in things:
            parent = sorted(ctx.g.owners.get(x, {owner_iri}))[0]
            facts.append(catalog_fact(ctx.g, x, "owns", parent, lang))
            men = ctx.store.select(f"""SELECT ?d ?a ?z ?q WHERE {{ ?x <{KGO}mentionedAt> ?m .
                ?m <{KGO}document> ?d ; <{KGO}start> ?a ; <{KGO}end> ?z ; <{KGO}quote> ?q }} LIMIT 1""", {"x": NamedNode(x)})
            if men:
                d, st, en, q = men[0]
                facts[-1] = Fact(iri=facts[-1].iri, subject=x, subject_label=ctx.g.label(x, lang),
                                 source=Source(d, st, en, q), predicate="mentionedIn", object=parent,
                                 object_label=ctx.g.label(parent, lang))
        names = [ctx.g.label(x, lang) for x in things]
        if lang == "en":
            parts.append(f"{ctx.g.label(owner_iri, lang)}: " + ", ".join(names) + ".")
        else:
            parts.append(f"{ctx.g.label(owner_iri, lang)}：" + ZH_LIST_SEP.join(names) + "。")
    return Answer(question=a.text, status="answered", answer=" ".join(parts), language=lang, facts=facts,
                  sparql=sparql, confidence=0.7, kind="list")


def connection(ctx: Context, a: Analysis, entities: list[EntityRef]) -> Answer:
    """How two entities are connected: the facts along the shortest path between them in the entity graph."""
    import networkx as nx

    from kg.graphview import entity_graph

    lang = a.language
    graph = entity_graph(ctx.store).to_undirected(as_view=False)
    x, y = entities[0].iri, entities[1].iri
    if x not in graph or y not in graph or not nx.has_path(graph, x, y):
        return Answer(question=a.text, status="not_found", language=lang, kind="connection",
                      answer=tr(lang, "not_found", what=a.text))
    path = nx.shortest_path(graph, x, y)
    facts: list[Fact] = []
    lines = []
    for u, v in zip(path, path[1:]):
        data = next(iter(graph.get_edge_data(u, v).values()))
        fact_iri = data.get("fact")
        if fact_iri and "/obs-" in fact_iri:  # a comparison inside an observation ("1/4 of R1's cost")
            _, found = observations_of(ctx.store, [], iris=[fact_iri])
            if found:
                facts.append(found[0].fact(ctx.g.label(found[0].subject, lang)))
                lines.append(observation_sentence(found[0], ctx.g, lang))
            continue
        if fact_iri:
            rows = [f for f in relations_of(ctx.store, subjects=[u, v])[1] if f.iri == fact_iri]
            f = rel_fact(ctx.g, rows[0], lang) if rows else None
        else:
            parent, child = (u, v) if v in ctx.g.children.get(u, ()) else (v, u)
            f = catalog_fact(ctx.g, child, "owns", parent, lang)
        if f is not None:
            facts.append(f)
            lines.append(relation_sentence(ctx.g, f, lang))
    return Answer(question=a.text, status="answered" if facts else "not_found", answer=" ".join(lines),
                  language=lang, facts=facts, confidence=0.6, kind="connection")
