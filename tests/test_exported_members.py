"""Each package's public face is pinned: a name leaves or joins __all__ only on purpose."""
from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "kgqa": ["__version__", "connect", "KnowledgeGraph"],
    "qa": ["QA", "Answer", "Fact", "Source", "Session", "QAError", "InvalidQuestionError", "pick_label"],
    "qa.llm": ["load_chat_model", "parse_spec", "LLMError", "MissingExtraError", "LLMConfigError", "LLMTimeoutError",
               "LLMCallError", "QueryRejectedError"],
    "ingestion": ["SourceDocument", "parse_document", "read_document", "DecodingError", "DocumentReadError",
                  "IngestError", "InvalidGraphError", "IngestResult", "Ingestor", "analyse_document",
                  "delete_document", "iter_document_paths", "LLMExtractor", "LLMExtractReport", "ParallelIngest",
                  "ingest_in_order"],
    "kg": ["GraphError", "QuerySyntaxError", "StoreError", "StoreLockedError", "UnsafeQueryError", "KGG", "KGM",
           "KGO", "KGP", "KGR", "KGU", "PREFIXES", "REFERENCE_GRAPHS", "compact", "document_graph",
           "check_read_only", "FORMATS", "OxigraphStore", "Store", "ensure_reference_graphs", "term_value",
           "QueryTimeoutError", "StoreUnavailableError", "SparqlServerStore", "OxigraphServer"],
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names(package):
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(PUBLIC[package])
    for name in module.__all__:
        assert hasattr(module, name), name
