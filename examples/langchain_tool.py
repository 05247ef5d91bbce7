"""kgqa as a LangChain tool: an agent asks the knowledge graph; the model reads the answer and its numbered
sources, the application keeps the answer object (the tool's artifact).

Needs ``pip install "kgqa[langchain]"`` (langchain-core). Run it on a data directory that already holds
articles (``kgqa ingest ARTICLES --data-dir DIR``):

    python examples/langchain_tool.py DIR ["question" ...]

It first calls the tool directly, then runs one agent step the way a tool-calling model drives it.
No language model is used here: the "model" is a SCRIPTED STAND-IN (langchain_core's
GenericFakeChatModel) that emits the tool call; with a real one, bind the tool instead:

    from qa.llm import load_chat_model
    model = load_chat_model("ollama:qwen2.5:7b").bind_tools([tool])
"""
from __future__ import annotations

import sys
from pathlib import Path

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage

from kgqa.integrations.langchain import make_ask_tool
from kgqa.service import make_qa, open_store
from kgqa.settings import Settings

SAMPLE_QUESTIONS = ["快手的Kling AI第一季度收入達到多少?", "Who founded DAMO Academy?"]


def show(answer: dict) -> None:  # type: ignore[type-arg]
    print(f"  [{answer['status']}] {answer['answer']}")
    for fact in answer["facts"]:
        src = fact["source"]
        print(f"   - «{src['quote']}» ({src['document']} [{src['start']}:{src['end']}])")


def main(data_dir: str | Path, questions: list[str] | None = None) -> None:
    settings = Settings(data_dir=data_dir)
    store = open_store(settings)
    try:
        tool = make_ask_tool(make_qa(settings, store))
        print(f"tool {tool.name}: {tool.description}\n")
        questions = questions or SAMPLE_QUESTIONS
        for i, question in enumerate(questions):  # 1. called as a tool call: content and artifact
            print(f"Q: {question}")
            call = {"name": tool.name, "args": {"question": question, "session": "example"}, "id": f"direct-{i}",
                    "type": "tool_call"}
            show(tool.invoke(call).artifact)
        # 2. one agent step: the (scripted) model asks for the tool, the tool answers with a ToolMessage
        call = {"name": tool.name, "args": {"question": questions[0]}, "id": "call-1", "type": "tool_call"}
        scripted = GenericFakeChatModel(messages=iter([AIMessage(content="", tool_calls=[call])]))
        ai = scripted.invoke([HumanMessage(questions[0])])
        for tool_call in ai.tool_calls:
            message = tool.invoke(tool_call)
            print(f"\nagent step: {tool_call['name']}({tool_call['args']}) -> ToolMessage {message.tool_call_id}")
            print(message.content)
            show(message.artifact)
    finally:
        store.close()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:] or None)
