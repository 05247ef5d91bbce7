"""Text to SPARQL: where no template fits, the LLM writes a query against a pruned view of the
ontology; the query is checked, repaired a bounded number of times, run, and grounded.

Checks, in order (each failure's message goes back to the model for the next attempt):

1. the reply holds a query (a fenced ```sparql block, or a bare query);
2. it is read-only, with no SERVICE/LOAD/updates (``kg.sparql.check_read_only``), and a SELECT;
3. every PREFIX it declares is a known prefix bound to its known namespace;
4. it parses (rdflib's SPARQL parser);
5. every IRI it names is a term of the graph (it occurs in the store) or a standard one;
6. it runs; no rows ends the stage with ``not_found`` (every term is known, so the graph
   simply does not hold it: asking again only invites a looser query);
7. the rows can be cited (see below) and agree with what the question pinned down: its
   entities, metric and period, a figure or a relation (``question_guard``).

**Grounding.** A row is only as good as its provenance. Rows are grounded through the
observation, assertion and mention nodes they contain (each has ``prov:wasDerivedFrom`` a
mention with document, offsets and quote), or, failing those, through entity nodes and the
mention where each entity was read. Literal-only rows (a bare number, a COUNT) carry no
provenance and cannot be cited: the model is told to select the ``?o``/``?r`` node, and a
query that never does means ``not_found``. The answer text is then composed by the
offline templates from the grounded facts, never from the raw rows, so every number in it
is a cited fact's.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyoxigraph import NamedNode

from kg.errors import GraphError
from kg.lexicon import ENTITY_TYPES, EntityRef, MetricRef
from kg.namespaces import KGM, KGO, PREFIXES, PROV, RDF, RDFS, SKOS, XSD, compact
from kg.sparql import check_read_only

from ..answer import Answer, Fact, Source
from ..compose import observation_sentence
from ..match import period_match
from ..plan import observations_of, relations_of
from ..relations import rel_fact, relation_sentence
from ..verify import unsupported_numbers
from .errors import LLMError, LLMTimeoutError, QueryRejectedError
from .models import invoke_text
from .schema_view import SchemaView, schema_view

if TYPE_CHECKING:
    from ..analyze import Analysis
    from ..engine import QA

__all__ = [
    "ROW_LIMIT",
    "SparqlAttempts",
    "answer_with_sparql",
    "check_query",
    "extract_query",
    "ground_rows",
    "question_guard",
    "sparql_messages",
]

ROW_LIMIT = 50
MAX_FACTS = 8
STANDARD_TERMS = {RDF + "type", RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "broader",
                  PROV + "wasDerivedFrom", "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/date"}
_FENCE = re.compile(r"```[ \t]*([A-Za-z]*)[ \t]*\r?\n(.*?)```", re.DOTALL)
_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([\w\-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
_BARE = re.compile(r"^\s*(?:PREFIX\b|SELECT\b|ASK\b|CONSTRUCT\b|DESCRIBE\b|BASE\b)", re.IGNORECASE)

SYSTEM = ("Write one SPARQL SELECT query for the graph below, using only the IRIs it lists. Always select "
          "?o (the observation) or ?r (the assertion). Reply with the query in a ```sparql block only.")


@dataclass
class SparqlAttempts:
    """What happened over the attempts: the accepted query, its facts, the errors fed back."""

    query: str | None = None
    facts: list[Fact] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    attempts: int = 0
    failure: str | None = None  # the model itself failed (timeout, error): no more attempts
    empty: bool = False  # the last query passed every check and found nothing


def extract_query(reply: str) -> str:
    """The query in a model's reply: the first fenced block holding one, else a bare query.

    No splitting on magic tokens: a Markdown code fence (``sparql``, ``rq`` or untagged) or
    a reply that is itself a query.

    >>> extract_query("Here it is:\\n```sparql\\nSELECT ?o WHERE { ?o ?p ?x }\\n```\\nDone.")
    'SELECT ?o WHERE { ?o ?p ?x }'
    >>> extract_query("I cannot help with that.")
    Traceback (most recent call last):
    ...
    qa.llm.errors.QueryRejectedError: no query found: reply with the query in a ```sparql code block
    """
    blocks = [body.strip() for lang, body in _FENCE.findall(reply) if lang.lower() in ("", "sparql", "rq")]
    for body in blocks:
        if re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE):
            return body
    if blocks and blocks[0]:
        return blocks[0]  # an update or a fragment: the checks say what is wrong with it
    if "```" not in reply and _BARE.match(reply):
        return reply.strip()
    raise QueryRejectedError("no query found: reply with the query in a ```sparql code block")


def check_query(query: str, store: Any, view: SchemaView | None = None) -> str:
    """The query ready to run (known prefixes declared, a LIMIT), or QueryRejectedError saying why not."""
    try:
        form = check_read_only(query)
    except GraphError as exc:
        raise QueryRejectedError(str(exc)) from exc
    if form != "SELECT":
        raise QueryRejectedError(f"{form} is not allowed here: write a SELECT query")
    if re.search(r"^\s*BASE\b", query, re.IGNORECASE | re.MULTILINE):
        raise QueryRejectedError("BASE is not allowed: use the listed prefixes")
    declared = {}
    for name, iri in _PREFIX_DECL.findall(query):
        if PREFIXES.get(name) != iri:
            known = f"{name}: is <{PREFIXES[name]}>" if name in PREFIXES else f"{name}: is not a known prefix"
            raise QueryRejectedError(f"unknown prefix declaration {name}: <{iri}>; {known}. Use only the "
                                     f"listed prefixes")
        declared[name] = iri
    parsed = _parse(query)  # the model's own text, so error positions point into it
    full = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared) + query
    unknown = _unknown_terms(_iris(parsed.algebra), store)
    if unknown:
        raise QueryRejectedError("; ".join(_explain(t, view) for t in unknown[:4]))
    if getattr(parsed.algebra.p, "name", "") != "Slice":
        try:
            _parse(query + f"\nLIMIT {ROW_LIMIT}")
            full += f"\nLIMIT {ROW_LIMIT}"
        except QueryRejectedError:
            pass  # a trailing VALUES block: rows are cut when read instead
    return full


def _parse(query: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(query, initNs=PREFIXES)
    except Exception as exc:  # pyparsing errors, unknown prefixes: all mean "does not parse"
        loc = getattr(exc, "loc", None)
        if isinstance(loc, int):  # a small model repairs better when shown where, not a grammar rule
            start = max(0, loc - 25)
            near = query[start:loc + 25].replace("\n", " ")
            msg = f"syntax error at {near!r} (character {loc}); use the IRIs exactly as listed, without labels"
        else:
            msg = str(exc).replace("namespace prefix", "prefix")
        raise QueryRejectedError(f"the query does not parse: {msg}") from exc


def _iris(node: Any) -> list[str]:
    from rdflib.paths import Path
    from rdflib.term import URIRef

    out: list[str] = []
    todo = [node]
    while todo:
        x = todo.pop()
        if isinstance(x, URIRef):
            out.append(str(x))
        elif isinstance(x, dict):
            todo.extend(x.values())
        elif isinstance(x, (list, tuple, set, frozenset)):
            todo.extend(x)
        elif isinstance(x, Path):
            todo.extend(v for k, v in vars(x).items() if k in ("path", "args", "arg"))
    return list(dict.fromkeys(out))


def _unknown_terms(iris: list[str], store: Any) -> list[str]:
    todo = [i for i in iris if i not in STANDARD_TERMS and not i.startswith(XSD)]
    if not todo:
        return []
    values = " ".join(str(NamedNode(i)) for i in todo)
    known = {x for (x,) in store.select(f"""SELECT ?x WHERE {{ VALUES ?x {{ {values} }}
        FILTER(EXISTS {{ ?x ?p ?o }} || EXISTS {{ ?s ?x ?o }} || EXISTS {{ ?s ?p ?x }}) }}""")}
    return [i for i in todo if i not in known]


def _explain(iri: str, view: SchemaView | None) -> str:
    msg = f"unknown term {compact(iri)}: it is not in the graph"
    if view is not None and view.terms:
        from rapidfuzz import process

        name = compact(iri)
        same = [compact(t) for t in view.terms if compact(t).split(":")[0] == name.split(":")[0]]
        best = process.extractOne(name, same) if same else None
        if best and best[1] >= 60:
            msg += f"; did you mean {best[0]}?"
    return msg


# -- grounding ------------------------------------------------------------------------------

def ground_rows(qa: QA, rows: Iterable[tuple[Any, ...]], lang: str,
                keep: Callable[[Fact], str | None] = lambda f: None) -> tuple[list[Fact], list[str], list[str]]:
    """Cited facts for the result rows, a sentence for each, and why others were left out.

    ``keep`` returns None for a fact that answers the question, else the reason it does not.
    """
    off: list[str] = []

    def kept(f: Fact) -> bool:
        why = keep(f)
        if why is not None:
            off.append(why)
        return why is None

    g = qa.g
    iris = list(dict.fromkeys(t.value for row in rows for t in row if isinstance(t, NamedNode)))
    if not iris:
        return [], [], []
    types: dict[str, set[str]] = {}
    values = " ".join(str(NamedNode(i)) for i in iris)
    for x, t in qa.store.select(f"SELECT ?x ?t WHERE {{ VALUES ?x {{ {values} }} ?x a ?t }}"):
        types.setdefault(x, set()).add(t)
    obs = [i for i in iris if KGO + "Observation" in types.get(i, ())]
    asr = [i for i in iris if KGO + "Assertion" in types.get(i, ())]
    mentions = [i for i in iris if KGO + "Mention" in types.get(i, ())]
    if mentions:  # a mention grounds the facts read from it
        mv = " ".join(str(NamedNode(i)) for i in mentions)
        for f, t in qa.store.select(f"""SELECT ?f ?t WHERE {{ VALUES ?m {{ {mv} }}
                                        ?f <{PROV}wasDerivedFrom> ?m ; a ?t }}"""):
            target = obs if t == KGO + "Observation" else asr if t == KGO + "Assertion" else None
            if target is not None and f not in target:
                target.append(f)
    facts: list[Fact] = []
    texts: list[str] = []
    if obs:
        order = {iri: n for n, iri in enumerate(obs)}
        found = sorted(observations_of(qa.store, [], iris=obs[:MAX_FACTS])[1], key=lambda o: order[o.iri])
        for o in found:
            fact = o.fact(g.label(o.subject, lang))
            if kept(fact):
                facts.append(fact)
                texts.append(observation_sentence(o, g, lang))
    if asr and len(facts) < MAX_FACTS:
        av = " ".join(str(NamedNode(i)) for i in asr)
        subjects = sorted({s for (s,) in qa.store.select(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?r {{ {av} }} ?r <{KGO}subject> ?s }}")})
        wanted = set(asr)
        for f in relations_of(qa.store, subjects=subjects)[1] if subjects else []:
            if f.iri in wanted and len(facts) < MAX_FACTS and kept(f):
                f = rel_fact(g, f, lang)
                facts.append(f)
                texts.append(relation_sentence(g, f, lang))
    if not facts and not off:  # entities only: each cited where a document mentions it
        kinds = {KGO + t for t in ENTITY_TYPES}
        for e in [i for i in iris if types.get(i, set()) & kinds][:MAX_FACTS]:
            men = qa.store.select(f"""SELECT ?d ?a ?z ?q WHERE {{ ?x <{KGO}mentionedAt> ?m .
                ?m <{KGO}document> ?d ; <{KGO}start> ?a ; <{KGO}end> ?z ; <{KGO}quote> ?q }} ORDER BY ?d ?a LIMIT 1""",
                                  {"x": NamedNode(e)})
            if men:
                d, a, z, q = men[0]
                fact = Fact(iri=e, subject=e, subject_label=g.label(e, lang), source=Source(d, a, z, q),
                            predicate="mentionedIn", object=d)
                if kept(fact):
                    facts.append(fact)
                    texts.append(g.label(e, lang))
        if texts:
            sep = ", " if lang == "en" else "、"
            texts = [sep.join(texts) + ("." if lang == "en" else "。")]
    return facts, texts, off


def question_guard(qa: QA, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]
                   ) -> Callable[[Fact], str | None]:
    """What the question pinned down (entities, metric, period) a grounded fact must agree with.

    A small model's query often drops a condition (the period, say) and returns a neighbouring
    figure; such rows are not an answer, however well cited.
    """
    from kg.periods import parse_period_key

    g = qa.g
    near: set[str] = set()
    for e in entities:
        near |= {e.iri} | g.ancestors(e.iri) | g.descendants(e.iri)

    def why_not(f: Fact) -> str | None:
        if near and f.subject not in near and (f.object or "") not in near:
            return f"{compact(f.subject)} is not what the question asks about"
        if f.metric is None and f.predicate != "mentionedIn" and metrics:
            return "the question asks for a figure (select the observation ?o), not a relation"
        if f.metric is not None and not metrics and a.kind in ("relation", "quote", "list", "connection"):
            return "the question asks for a relation (select the assertion ?r), not a figure"
        if f.metric is not None and metrics and not any(
                g.is_metric_match(KGM + f.metric, m.iri) for m in metrics):
            return f"kgm:{f.metric} is not the metric asked ({', '.join(compact(m.iri) for m in metrics)})"
        if (f.metric is not None and a.aspect == "value" and f.value is None and f.qualitative is None
                and f.change is not None):  # as offline: a change does not answer "how much is it"
            return (f"kgm:{f.metric} of {compact(f.subject)} is known only as a change here, and the question "
                    "asks for its value")
        if f.metric is not None and a.period is not None:
            p = parse_period_key(f.period) if f.period else None
            if not period_match(a.period, p):
                return f"period {f.period or 'none'} is not the period asked ({a.period.key.replace('9999', 'any year')})"
        return None

    return why_not


# -- the stage ------------------------------------------------------------------------------

def sparql_messages(view: SchemaView, question: str) -> list[tuple[str, str]]:
    return [("system", SYSTEM), ("human", f"{view.text}\n\nQuestion: {question}")]


def write_and_run(qa: QA, question: str, view: SchemaView, lang: str,
                  keep: Callable[[Fact], str | None] = lambda f: None) -> SparqlAttempts:
    """Ask for a query, check it, feed errors back up to ``qa.llm_max_repairs`` times, run and ground it."""
    out = SparqlAttempts()
    messages = sparql_messages(view, question)
    deadline = time.monotonic() + qa.llm_timeout_s
    for _ in range(1 + max(0, qa.llm_max_repairs)):
        left = deadline - time.monotonic()
        if left <= 0:
            out.errors.append(f"no time left after {out.attempts} attempts")
            break
        out.attempts += 1
        try:
            reply = invoke_text(qa.llm, messages, left)  # type: ignore[arg-type]
        except LLMTimeoutError:
            out.failure = f"the model did not answer within the {qa.llm_timeout_s:g} s limit (attempt {out.attempts})"
            break
        except LLMError as exc:
            out.failure = f"{exc} (attempt {out.attempts})"
            break
        try:
            query = check_query(extract_query(reply), qa.store, view)
            try:
                rows = qa.store.select_terms(query)[:ROW_LIMIT]
            except GraphError as exc:
                raise QueryRejectedError(f"the store refused the query: {exc}") from exc
            if not rows:  # a valid query over known terms found nothing: that is the answer, not an error
                out.empty = True
                break
            facts, texts, off = ground_rows(qa, rows, lang, keep)
            if off and not facts:
                raise QueryRejectedError("the rows do not answer the question: " + "; ".join(sorted(set(off))[:3]))
            if not facts:
                raise QueryRejectedError("the rows cannot be cited: select the observation node ?o or the "
                                         "assertion node ?r, not only values or counts")
        except QueryRejectedError as exc:
            out.errors.append(str(exc))
            feedback = f"That query was rejected: {exc}\nReply with a corrected query in a ```sparql block."
            messages = [*messages, ("ai", reply), ("human", feedback)]
            continue
        out.query, out.facts, out.texts = query, facts, texts
        return out
    return out


def answer_with_sparql(qa: QA, answer: Answer, a: Analysis, entities: list[EntityRef],
                       metrics: list[MetricRef]) -> Answer:
    """The offline ``not_found`` answer, or a grounded answer from an LLM-written query."""
    extra: list[str] = []
    if not entities:  # nothing linked: the subjects of the facts nearest the question
        try:
            hits = qa.fact_index().search(a.text, 5)
        except Exception:  # noqa: BLE001 - the index is a hint here, never a requirement
            hits = []
        iris = [i for i, s in hits if s > 0]
        if iris:
            values = " ".join(str(NamedNode(i)) for i in iris)
            extra = [s for (s,) in qa.store.select(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?f {{ {values} }} ?f <{KGO}subject> ?s }}")]
    view = schema_view(qa.g, entities, metrics, extra, a.language)
    run = write_and_run(qa, a.text, view, a.language, question_guard(qa, a, entities, metrics))
    reason = run.failure or ("the query passed every check and returned no rows" if run.empty else None) or \
        (run.errors[-1] if run.errors else None)
    if run.query is not None and run.errors:
        reason = f"accepted after {len(run.errors)} rejected: {reason}"
    if run.query is None:
        return _with_info(answer, used=True, attempts=run.attempts, rejected=bool(run.errors), reason=reason)
    text = " ".join(run.texts)
    bad = unsupported_numbers(text, run.facts)
    if bad:  # cannot happen with template sentences; kept as the last line of defence
        return _with_info(answer, used=True, attempts=run.attempts, rejected=True,
                          reason=f"unverified numbers: {', '.join(bad)}")
    info = {"used": True, "stage": "sparql", "attempts": run.attempts, "rejected": bool(run.errors),
            "reason": reason}
    return Answer(question=answer.question, status="answered", answer=text, language=a.language, mode="llm",
                  facts=run.facts, sparql=run.query, confidence=0.5, kind=answer.kind or a.kind, llm=info)


def _with_info(answer: Answer, *, used: bool, attempts: int, rejected: bool, reason: str | None) -> Answer:
    import dataclasses

    return dataclasses.replace(answer, llm={"used": used, "stage": "sparql", "attempts": attempts,
                                            "rejected": rejected, "reason": reason})
