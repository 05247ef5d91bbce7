#!/usr/bin/env bash
# Set up kgqa from a clean checkout: a virtual environment with the CPU build of torch
# (a plain `torch` requirement would pull several GB of CUDA wheels) and everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e '.[embeddings,langchain,openai,ollama,mcp,test]'
echo "kgqa is set up in .venv (run .venv/bin/kgqa --help)"
