"""A LangChain chat model over a local GGUF file through llama-cpp-python (extra ``llamacpp``).

llama-cpp-python is imported only when a model is loaded; without it the loader raises
MissingExtraError('pip install "kgqa[llamacpp]"').
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from .errors import MissingExtraError

__all__ = ["LlamaCppChatModel"]

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


class LlamaCppChatModel(BaseChatModel):
    """``llama_cpp.Llama.create_chat_completion`` as a chat model (one call at a time per model)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    temperature: float = 0.0
    max_tokens: int = 512
    n_ctx: int = 4096
    n_threads: int | None = None
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_path(cls, path: Path, **kw: Any) -> LlamaCppChatModel:
        try:
            import llama_cpp  # noqa: F401
        except ImportError as exc:
            raise MissingExtraError("llama-cpp-python", "llamacpp") from exc
        return cls(model_path=str(path), **kw)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _model(self) -> Any:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads,
                                verbose=False)
        return self._llama

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {"messages": [{"role": _ROLES.get(m.type, "user"), "content": m.content} for m in messages],
                "temperature": self.temperature, "max_tokens": self.max_tokens, "stop": stop or []}

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        with self._lock:  # a Llama context serves one completion at a time
            out = self._model().create_chat_completion(**self._request(messages, stop))
        text = out["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            for part in self._model().create_chat_completion(**self._request(messages, stop), stream=True):
                piece = part["choices"][0].get("delta", {}).get("content") or ""
                if piece:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                    if run_manager:
                        run_manager.on_llm_new_token(piece, chunk=chunk)
                    yield chunk
