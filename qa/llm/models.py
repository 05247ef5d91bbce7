"""Chat models from a one-line spec, and calls to them that keep to a deadline.

Specs (``KGQA_LLM``):

- ``openai:MODEL@BASE_URL``: any OpenAI-compatible server (vLLM, llama.cpp server,
  Ollama's /v1, DeepSeek, Qwen/DashScope, OpenAI itself without ``@BASE_URL``);
  the key comes from ``api_key`` (``KGQA_LLM_API_KEY``) or ``OPENAI_API_KEY``;
- ``ollama:MODEL[@BASE_URL]``: an Ollama server (default http://localhost:11434);
- ``llamacpp:/path/model.gguf``: a local GGUF file through llama-cpp-python.

>>> parse_spec("openai:qwen2.5-7b-instruct@http://127.0.0.1:8000/v1")
('openai', 'qwen2.5-7b-instruct', 'http://127.0.0.1:8000/v1')
>>> parse_spec("ollama:qwen2.5:0.5b")
('ollama', 'qwen2.5:0.5b', None)
>>> parse_spec("gpt")
Traceback (most recent call last):
...
qa.llm.errors.LLMConfigError: LLM spec 'gpt' has no provider: use openai:MODEL@BASE_URL, ollama:MODEL[@BASE_URL] or llamacpp:/path/model.gguf
"""
from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import LLMCallError, LLMConfigError, LLMTimeoutError, MissingExtraError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["PROVIDERS", "invoke_text", "load_chat_model", "parse_spec", "stream_text"]

PROVIDERS = ("openai", "ollama", "llamacpp")
_USAGE = "use openai:MODEL@BASE_URL, ollama:MODEL[@BASE_URL] or llamacpp:/path/model.gguf"


def parse_spec(spec: str) -> tuple[str, str, str | None]:
    """(provider, model or path, base URL or None) of a spec string."""
    provider, sep, rest = spec.strip().partition(":")
    if not sep or not rest:
        raise LLMConfigError(f"LLM spec {spec!r} has no provider: {_USAGE}")
    provider = provider.lower()
    if provider not in PROVIDERS:
        raise LLMConfigError(f"unknown LLM provider {provider!r} in {spec!r}: {_USAGE}")
    if provider == "llamacpp":
        return provider, rest, None
    model, _, base = rest.partition("@")
    if not model:
        raise LLMConfigError(f"LLM spec {spec!r} names no model: {_USAGE}")
    return provider, model, base or None


def _require(module: str, what: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(what, extra) from exc


def load_chat_model(spec: str | BaseChatModel, *, timeout: float = 60.0, api_key: str | None = None,
                    temperature: float = 0.0, max_tokens: int = 512, **kw: Any) -> BaseChatModel:
    """A LangChain chat model for a spec (or the model itself when one is passed).

    Missing optional packages raise :class:`MissingExtraError` naming the extra to install.
    """
    if not isinstance(spec, str):
        core = _require("langchain_core.language_models", "langchain-core", "langchain")
        if isinstance(spec, core.BaseChatModel):
            return spec
        raise LLMConfigError(f"not a chat model: {type(spec).__name__}; give a spec string or a BaseChatModel")
    provider, model, base = parse_spec(spec)
    _require("langchain_core.language_models", "langchain-core", provider)
    if provider == "openai":
        mod = _require("langchain_openai", "langchain-openai", "openai")
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if base is None:
                raise LLMConfigError("openai:MODEL without @BASE_URL needs a key: set KGQA_LLM_API_KEY or "
                                     "OPENAI_API_KEY, or name a local OpenAI-compatible server with @BASE_URL")
            key = "unused"  # local OpenAI-compatible servers (vLLM, llama.cpp) accept any key
        return mod.ChatOpenAI(model=model, base_url=base, api_key=key, timeout=timeout, max_retries=1,
                              temperature=temperature, max_tokens=max_tokens, **kw)
    if provider == "ollama":
        mod = _require("langchain_ollama", "langchain-ollama", "ollama")
        extra = {"base_url": base} if base else {}
        return mod.ChatOllama(model=model, temperature=temperature, num_predict=max_tokens,
                              client_kwargs={"timeout": timeout}, **extra, **kw)
    path = Path(model).expanduser()
    if not path.is_file():
        raise LLMConfigError(f"no GGUF model file at {path}")
    from .llamacpp import LlamaCppChatModel

    return LlamaCppChatModel.from_path(path, temperature=temperature, max_tokens=max_tokens, **kw)


# -- calls with a deadline ------------------------------------------------------------------
# A model without a time limit of its own (a local GGUF, a scripted model) is run in a daemon
# thread; the caller stops waiting at the deadline and answers offline.

_END = object()


def _pump(model: BaseChatModel, messages: Sequence[Any], out: queue.Queue[object], stream: bool) -> None:
    try:
        if stream:
            for chunk in model.stream(list(messages)):
                out.put(_text(chunk.content))
        else:
            out.put(_text(model.invoke(list(messages)).content))
        out.put(_END)
    except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
        out.put(exc)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
    return str(content)


def stream_text(model: BaseChatModel, messages: Sequence[Any], timeout: float) -> Iterator[str]:
    """The model's reply in pieces; raises LLMTimeoutError when the whole reply is not in by the deadline."""
    out: queue.Queue[object] = queue.Queue()
    threading.Thread(target=_pump, args=(model, messages, out, True), daemon=True, name="kgqa-llm").start()
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            item = out.get(timeout=max(left, 0.0))
        except queue.Empty:
            raise LLMTimeoutError(f"the model did not answer within {timeout:g} s") from None
        if item is _END:
            return
        if isinstance(item, BaseException):
            raise LLMCallError(f"the model failed: {type(item).__name__}: {item}") from item
        if item:
            yield item  # type: ignore[misc]


def invoke_text(model: BaseChatModel, messages: Sequence[Any], timeout: float) -> str:
    """The model's whole reply as text, within the deadline."""
    return "".join(stream_text(model, messages, timeout))
