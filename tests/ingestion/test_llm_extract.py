"""LLM-assisted extraction: only facts the text bears out are written, and a failing model costs nothing else.

The chat model in these tests is a scripted stand-in (langchain_core's FakeListChatModel
replaying fixed replies, one subclass adding structured output): they test the plumbing
and the checks around a model, not a model. The store is a real on-disk Oxigraph store.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.runnables import RunnableLambda

from ingestion.document import parse_document
from ingestion.llm_extract import LLMExtractor, ProposedFacts
from ingestion.pipeline import Ingestor
from kg.namespaces import KGM, KGO
from kg.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]

# Invented company and figures. The rules read the revenue sentence; they do not read
# the headcount (工程師 is no metric phrase) nor the compute relation.
ARTICLE = """---
date: 2025-06-30
---
星辰科技是一家機器人公司。星辰科技2025年第一季度營收達50億元，同比增長12%。
據悉，星辰科技的研發團隊規模擴大到1200名工程師，新工廠則由騰訊提供雲服務支持。
星辰科技目前把星辰助手作為主力產品，騰訊雲為其提供算力。
"""
HEADCOUNT = "星辰科技的研發團隊規模擴大到1200名工程師"


def obs(subject: str, metric: str, figure: str, quote: str, period: str | None = None, change: bool = False,
        **extra: Any) -> dict[str, Any]:
    return {"subject": subject, "metric": metric, "figure": figure, "period": period, "change": change,
            "quote": quote, **extra}


def reply(observations: list[dict[str, Any]] = (), relations: list[dict[str, Any]] = ()) -> str:  # type: ignore[assignment]
    return json.dumps({"observations": list(observations), "relations": list(relations)}, ensure_ascii=False)


@pytest.fixture
def disk_store(tmp_path: Path):
    s = OxigraphStore(tmp_path / "store")
    yield s
    s.close()


def ingest(store: OxigraphStore, *replies: str, **kw: Any):
    extractor = LLMExtractor(FakeListChatModel(responses=list(replies)), **kw)
    doc = parse_document(ARTICLE, name="starry.md")
    return Ingestor(store, llm_extractor=extractor).ingest_document(doc), doc


def observations(store: OxigraphStore, metric: str) -> list[tuple[Any, ...]]:
    return store.select(f"""
        SELECT ?v ?u ?start ?end ?quote WHERE {{
          ?o a <{KGO}Observation> ; <{KGO}metric> <{KGM}{metric}> ; <{KGO}value> ?v ; <{KGO}unit> ?u ;
             <http://www.w3.org/ns/prov#wasDerivedFrom> ?m .
          ?m <{KGO}start> ?start ; <{KGO}end> ?end ; <{KGO}quote> ?quote }}""")


def test_good_facts_are_written_with_offsets_from_the_text(disk_store: OxigraphStore) -> None:
    # The model's own offsets (start/end) are wrong on purpose: they must be ignored.
    good = reply(
        [obs("星辰科技", "Employees", "1200名", HEADCOUNT, start=0, end=5),
         obs("星辰科技", "Revenue", "50億元", "星辰科技2025年第一季度營收達50億元", period="2025年第一季度")],
        [{"subject": "星辰科技", "predicate": "runsOn", "object": "騰訊雲", "quote": "騰訊雲為其提供算力"}])
    result, doc = ingest(disk_store, good)
    rows = observations(disk_store, "Employees")
    assert len(rows) == 1
    value, unit, start, end, quote = rows[0]
    assert (float(value), unit) == (1200.0, "https://w3id.org/kgqa/unit/Count")
    assert quote == HEADCOUNT and doc.text[start:end] == quote and start == doc.text.index(HEADCOUNT)
    assert disk_store.ask(f"""ASK {{ ?r a <{KGO}Assertion> ; <{KGO}predicate> <{KGO}runsOn> ;
                                    <{KGO}object> ?o . ?o <{KGO}mentionedIn> <{doc.iri}> }}""")
    # The revenue figure was read by the rules already: written once, the rule's fact wins.
    assert len(observations(disk_store, "Revenue")) == 1
    assert result.messages and result.messages[0].startswith("llm: 2 facts added")
    assert "1 already found by the rules" in result.messages[0]


@pytest.mark.parametrize("bad, reason", [
    (obs("星辰科技", "Employees", "1200名", "星辰科技有1200名工程師"), "quote not in the text"),
    (obs("星辰科技", "EngineerHeadcount", "1200名", HEADCOUNT), "unknown metric"),
    (obs("星辰科技", "Employees", "1500名", HEADCOUNT), "figure not in the quote"),
    (obs("星辰助手", "Employees", "1200名", HEADCOUNT), "subject not an entity of the document"),
    (obs("星辰科技", "Employees", "1200名", HEADCOUNT, period="2024年第四季度"), "period not in the passage"),
    (obs("星辰科技", "Revenue", "1200名", HEADCOUNT), "figure does not fit the metric"),
])
def test_facts_the_text_does_not_bear_out_are_dropped(disk_store: OxigraphStore, bad: dict[str, Any],
                                                     reason: str) -> None:
    extractor = LLMExtractor(FakeListChatModel(responses=[reply([bad])]))
    ex, report = extractor.extract(parse_document(ARTICLE, name="starry.md"), Ingestor(disk_store).lexicon)
    assert ex.observations == [] and report.added == 0
    assert report.dropped == {reason: 1}
    ingest(disk_store, reply([bad]))
    assert observations(disk_store, "Employees") == []
    assert len(observations(disk_store, "Revenue")) == 1  # rule facts still written


def test_relations_need_known_entities_and_predicates(disk_store: OxigraphStore) -> None:
    rels = [{"subject": "星辰科技", "predicate": "acquired", "object": "騰訊", "quote": HEADCOUNT},
            {"subject": "星辰科技", "predicate": "launched", "object": "星辰助手", "quote": "星辰科技目前把星辰助手作為主力產品"},
            {"subject": "星辰科技", "predicate": "owns", "object": "星辰科技", "quote": HEADCOUNT},
            {"subject": "星辰科技", "predicate": "owns"},
            {"subject": "星辰科技", "predicate": "develops", "object": "騰訊雲", "quote": "騰訊雲為其提供算力"},
            {"subject": "騰訊", "predicate": "owns", "object": "騰訊雲", "quote": HEADCOUNT}]
    extractor = LLMExtractor(FakeListChatModel(responses=[reply(relations=rels)]))
    ex, report = extractor.extract(parse_document(ARTICLE, name="starry.md"), Ingestor(disk_store).lexicon)
    assert ex.relations == []
    assert report.dropped == {"unknown predicate": 1, "object not an entity of the document": 1,
                              "subject and object are the same": 1, "malformed": 1,
                              "quote does not state the relation": 1, "quote does not name both entities": 1}


def test_garbage_output_gives_no_facts_and_a_clear_warning(disk_store: OxigraphStore, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="ingestion.llm_extract"):
        result, _ = ingest(disk_store, "Sure! The company did very well this quarter.")
    assert any("holds no JSON" in m for m in result.messages)
    assert "holds no JSON" in caplog.text
    assert observations(disk_store, "Employees") == []
    assert len(observations(disk_store, "Revenue")) == 1
    rules_only = Ingestor(OxigraphStore.in_memory()).ingest_document(parse_document(ARTICLE, name="starry.md"))
    assert result.observations == rules_only.observations  # the rules' facts and nothing from the model


def test_json_of_the_wrong_shape_is_garbage_too(disk_store: OxigraphStore) -> None:
    result, _ = ingest(disk_store, '```json\n{"answer": "revenue was 50億元"}\n```')
    assert any("not a JSON object with observations" in m for m in result.messages)
    assert len(observations(disk_store, "Revenue")) == 1


def test_a_model_that_does_not_answer_in_time_is_abandoned(disk_store: OxigraphStore) -> None:
    model = FakeListChatModel(responses=[reply([obs("星辰科技", "Employees", "1200名", HEADCOUNT)])], sleep=5)
    doc = parse_document(ARTICLE, name="starry.md")
    t0 = time.perf_counter()
    result = Ingestor(disk_store, llm_extractor=LLMExtractor(model, timeout_s=0.3)).ingest_document(doc)
    assert time.perf_counter() - t0 < 4
    assert any("did not answer within 0.3 s" in m for m in result.messages)
    assert observations(disk_store, "Employees") == []
    assert len(observations(disk_store, "Revenue")) == 1


def test_a_model_that_fails_costs_only_its_own_facts(disk_store: OxigraphStore) -> None:
    class Broken(FakeListChatModel):
        def _call(self, *args: Any, **kwargs: Any) -> str:
            raise ConnectionError("server went away")

    doc = parse_document(ARTICLE, name="starry.md")
    result = Ingestor(disk_store, llm_extractor=LLMExtractor(Broken(responses=["x"]))).ingest_document(doc)
    assert any("ConnectionError: server went away" in m for m in result.messages)
    assert len(observations(disk_store, "Revenue")) == 1


def test_structured_output_is_used_when_the_model_supports_it(disk_store: OxigraphStore) -> None:
    calls: list[int] = []

    class Structured(FakeListChatModel):
        def with_structured_output(self, schema: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            assert schema is ProposedFacts

            def answer(_messages: Any) -> ProposedFacts:
                calls.append(1)
                return ProposedFacts.model_validate_json(reply([obs("星辰科技", "Employees", "1200名", HEADCOUNT)]))
            return RunnableLambda(answer)

    extractor = LLMExtractor(Structured(responses=["not used"]))
    ex, _ = extractor.extract(parse_document(ARTICLE, name="starry.md"), Ingestor(disk_store).lexicon)
    assert calls == [1]
    assert [(o.metric.name, o.value) for o in ex.observations] == [("Employees", 1200.0)]


def test_shacl_violations_are_found_by_node(disk_store: OxigraphStore) -> None:
    from pyoxigraph import NamedNode, Quad

    extractor = LLMExtractor(FakeListChatModel(responses=[reply([obs("星辰科技", "Employees", "1200名", HEADCOUNT)])]))
    doc = parse_document(ARTICLE, name="starry.md")
    ex, _ = extractor.extract(doc, Ingestor(disk_store).lexicon)
    from ingestion.normalize import normalize
    from ingestion.to_rdf import to_quads

    quads = to_quads(doc, normalize(doc.text, doc.body_start), ex, set())
    assert extractor._shacl_focus_nodes(quads) == set()
    node = next(q.subject for q in quads if q.object == NamedNode(KGO + "Observation"))
    broken = [*quads, Quad(node, NamedNode(KGO + "metric"), NamedNode(KGM + "Revenue"), quads[0].graph_name)]
    assert extractor._shacl_focus_nodes(broken) == {node.value}


@pytest.mark.parametrize("spec, message", [(None, "set KGQA_LLM"),
                                           ("llamacpp:/nonexistent/model.gguf", "no GGUF model file")])
def test_cli_ingest_llm_without_a_usable_model_fails_clearly(tmp_path: Path, spec: str | None, message: str) -> None:
    article = tmp_path / "a.md"
    article.write_text(ARTICLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "KGQA_LLM"}
    env["KGQA_DATA_DIR"] = str(tmp_path / "data")
    if spec:
        env["KGQA_LLM"] = spec
    r = subprocess.run([sys.executable, "-m", "kgqa.cli", "ingest", "--llm", str(article)], capture_output=True,
                       text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr
    assert "documents ingested" not in r.stdout  # stopped before anything was read or written


def test_cli_ingest_llm_reads_stored_documents_again(tmp_path: Path) -> None:
    """A document stored by a plain run is read again with --llm (else the model would never see it). The
    model here is an OpenAI-compatible address where nothing listens: each passage fails, with a message,
    and the rule facts are still written."""
    article = tmp_path / "a.md"
    article.write_text(ARTICLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    env.update(KGQA_DATA_DIR=str(tmp_path / "data"), KGQA_LLM="openai:scripted@http://127.0.0.1:9/v1",
               KGQA_LLM_API_KEY="unused", KGQA_LLM_TIMEOUT_S="5")

    def ingest(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kgqa.cli", "ingest", *flags, str(article)], capture_output=True,
                              text=True, cwd=ROOT, env=env, timeout=300, check=False)

    first = ingest()
    assert first.returncode == 0 and ": added;" in first.stdout
    assert "skipped" in ingest().stdout  # unchanged content: skipped by default
    again = ingest("--llm")
    assert again.returncode == 0, again.stderr
    assert "skipped" not in again.stdout and ": unchanged;" in again.stdout
    assert "llm" in again.stdout.lower()  # the extractor's report line says what became of the passages
