"""The examples in the docstrings of qa and its LLM layer run (``qa/`` is not among pytest's doctest paths)."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["qa", "qa.engine", "qa.graph", "qa.compose", "qa.llm", "qa.llm.models", "qa.llm.phrasing",
           "qa.llm.text2sparql", "qa.verify"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
