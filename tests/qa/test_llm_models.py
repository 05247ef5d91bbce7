"""Loading chat models from a spec, missing optional packages, and the OpenAI-compatible protocol.

The protocol tests talk to a scripted OpenAI-compatible server on loopback (it replays fixed
chat completions, standing in for vLLM or a llama.cpp server: CI has no LLM), through the real
``langchain_openai.ChatOpenAI`` client that ``load_chat_model`` builds.
"""
from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa import QA
from qa.llm import LLMConfigError, MissingExtraError, load_chat_model, parse_spec


def test_specs():
    assert parse_spec("openai:deepseek-chat@https://api.deepseek.com/v1") == (
        "openai", "deepseek-chat", "https://api.deepseek.com/v1")
    assert parse_spec("ollama:qwen2.5:0.5b@http://127.0.0.1:11434") == ("ollama", "qwen2.5:0.5b", "http://127.0.0.1:11434")
    assert parse_spec("llamacpp:/m/q.gguf") == ("llamacpp", "/m/q.gguf", None)
    for bad in ("", "gpt-4o", "anthropic:claude", "openai:", "openai:@http://x"):
        with pytest.raises(LLMConfigError):
            parse_spec(bad)


def test_openai_compatible_and_ollama_models_are_built():
    m = load_chat_model("openai:qwen@http://127.0.0.1:9/v1", timeout=7)
    assert type(m).__name__ == "ChatOpenAI" and m.model_name == "qwen" and m.request_timeout == 7
    assert str(m.openai_api_base) == "http://127.0.0.1:9/v1" and m.temperature == 0
    o = load_chat_model("ollama:qwen2.5:0.5b")
    assert type(o).__name__ == "ChatOllama" and o.model == "qwen2.5:0.5b"
    fake = FakeListChatModel(responses=["x"])
    assert load_chat_model(fake) is fake
    with pytest.raises(LLMConfigError):
        load_chat_model(object())  # type: ignore[arg-type]


def test_openai_without_key_or_server_is_a_configuration_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMConfigError, match="KGQA_LLM_API_KEY"):
        load_chat_model("openai:gpt-4o-mini")


def test_missing_gguf_file(tmp_path):
    with pytest.raises(LLMConfigError, match="no GGUF model file"):
        load_chat_model(f"llamacpp:{tmp_path / 'none.gguf'}")


@pytest.mark.parametrize("spec, module, extra", [
    ("openai:m@http://127.0.0.1:9/v1", "langchain_openai", "openai"),
    ("ollama:m", "langchain_ollama", "ollama"),
    ("openai:m@http://127.0.0.1:9/v1", "langchain_core.language_models", "openai"),
    ("llamacpp:{gguf}", "llama_cpp", "llamacpp"),
])
def test_missing_optional_package_names_the_extra(monkeypatch, tmp_path, spec, module, extra):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, module, None)  # the import fails as when the package is absent
    with pytest.raises(MissingExtraError, match=rf'pip install "kgqa\[{extra}\]"'):
        load_chat_model(spec.format(gguf=gguf))


def test_cli_reports_a_missing_extra(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from kgqa.cli import app

    article = tmp_path / "a.txt"
    article.write_text("騰訊2025年第一季度收入為1,800億元，按年增長13%。", encoding="utf-8")
    filled = CliRunner().invoke(app, ["ingest", str(article), "--data-dir", str(tmp_path / "d")],
                                env={"KGQA_EMBEDDING_MODEL": "none"})
    assert filled.exit_code == 0, filled.output  # a graph to ask: an empty one is refused before the model
    monkeypatch.setitem(sys.modules, "langchain_openai", None)
    res = CliRunner().invoke(app, ["ask", "anything?", "--data-dir", str(tmp_path / "d")],
                             env={"KGQA_LLM": "openai:m@http://127.0.0.1:9/v1"})
    assert res.exit_code == 1 and 'pip install "kgqa[openai]"' in res.output


# -- a scripted OpenAI-compatible server on loopback -------------------------------------------

class _Script(BaseHTTPRequestHandler):
    replies: ClassVar[list[str]] = []  # set per test on a fresh subclass (the ``server`` fixture)
    delay = 0.0
    requests: ClassVar[list[dict]] = []

    def log_message(self, *a: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        time.sleep(self.delay)
        text = self.replies[min(len(self.requests) - 1, len(self.replies) - 1)]
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(0, len(text), 4):
                chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": text[i:i + 4]}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        out = {"id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
               "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[type[_Script]]:
    handler = type("Handler", (_Script,), {"replies": [], "delay": 0.0, "requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"  # type: ignore[attr-defined]
    yield handler
    httpd.shutdown()
    httpd.server_close()


def test_phrasing_streams_through_an_openai_compatible_server(corpus_store, server):
    offline = QA(corpus_store).ask("What was Tencent's AI R&D expense?")
    assert offline.status == "answered"
    server.replies = [offline.answer]
    model = load_chat_model(f"openai:scripted@{server.url}", timeout=5)  # type: ignore[attr-defined]
    items = list(QA(corpus_store, llm=model).ask_stream(offline.question))
    final = items[-1]
    assert final.mode == "llm" and final.answer == offline.answer == "".join(items[:-1])
    sent = server.requests[0]
    assert sent["stream"] is True and sent["temperature"] == 0 and offline.question in sent["messages"][-1]["content"]


def test_server_that_never_answers_times_out(corpus_store, server):
    offline = QA(corpus_store).ask("What was Tencent's AI R&D expense?")
    server.replies, server.delay = [offline.answer], 5.0
    model = load_chat_model(f"openai:scripted@{server.url}", timeout=30)  # type: ignore[attr-defined]
    start = time.monotonic()
    a = QA(corpus_store, llm=model, llm_timeout_s=0.5).ask(offline.question)
    assert time.monotonic() - start < 3
    assert a.mode == "template" and a.answer == offline.answer and "0.5 s" in a.llm["reason"]


def test_unreachable_server_answers_offline(corpus_store):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    offline = QA(corpus_store).ask("What was Tencent's AI R&D expense?")
    model = load_chat_model(f"openai:scripted@http://127.0.0.1:{port}/v1", timeout=2)
    a = QA(corpus_store, llm=model, llm_timeout_s=20).ask(offline.question)
    assert a.mode == "template" and a.answer == offline.answer and "failed" in a.llm["reason"]
