"""Articles in, facts out: decode, normalise, split, recognise, extract, map to RDF."""
from .document import SourceDocument, parse_document, read_document
from .errors import DecodingError, DocumentReadError, IngestError, InvalidGraphError
from .llm_extract import LLMExtractor, LLMExtractReport
from .parallel import ParallelIngest, ingest_in_order
from .pipeline import IngestResult, Ingestor, analyse_document, delete_document, iter_document_paths

__all__ = [
    "SourceDocument", "parse_document", "read_document",
    "DecodingError", "DocumentReadError", "IngestError", "InvalidGraphError",
    "IngestResult", "Ingestor", "analyse_document", "delete_document", "iter_document_paths",
    "LLMExtractor", "LLMExtractReport", "ParallelIngest", "ingest_in_order",
]
