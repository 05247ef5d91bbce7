"""The optional LLM layer: widens what can be asked and how answers read, never what they claim.

Configure a chat model with ``KGQA_LLM`` (see :func:`load_chat_model`) and pass it to
``QA(store, llm=...)``. Without one, question answering is the offline path, unchanged.
With one:

- a question no template answers goes to the model as a question-pruned view of the
  ontology; the SPARQL it writes is checked (read-only, known prefixes and terms, parses,
  runs, rows citable), repaired at most ``llm_max_repairs`` times, and its rows are grounded
  in cited facts (``text2sparql``); else the answer stays ``not_found``;
- an answered question may be phrased by the model from its facts only; every sentence is
  checked for numbers, periods and entities the facts do not hold, and dropped if it fails;
  the template answer stands when nothing of substance survives (``phrasing``).

``Answer.mode`` is ``llm`` only when the model's query or text made the answer, and
``Answer.llm`` records what the model did and whether a check stepped in. langchain-core is
imported only when a model is loaded or used (extras ``openai``, ``ollama``, ``llamacpp``).

>>> from kg.store import OxigraphStore
>>> from qa import QA
>>> QA(OxigraphStore.in_memory()).ask("").to_dict().get("llm") is None
True
"""
from . import errors
from .errors import *  # noqa: F403  (the layer's errors are public: errors.__all__ names them, once)
from .models import load_chat_model, parse_spec

__all__ = ["load_chat_model", "parse_spec"]
__all__ += errors.__all__
