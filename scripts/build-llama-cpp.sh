#!/usr/bin/env bash
# Build llama-cpp-python from source into .venv for the local-model benchmark
# (bench/llm_eval.py). Not part of CI or the test command.
#
# The default build enables -march=native-style instructions that crash with
# "illegal instruction" on the shared build machines, so the CPU features are listed
# explicitly. Takes ~11 minutes on 2 cores; runs under nice so others keep working.
# Log: ${LOG:-/tmp/llama-build.log}
set -euo pipefail
cd "$(dirname "$0")/.."
LOG=${LOG:-/tmp/llama-build.log}
export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
echo "building llama-cpp-python (CMAKE_ARGS=$CMAKE_ARGS), log in $LOG"
nice -n 10 .venv/bin/python -m pip install --no-cache-dir "llama-cpp-python>=0.3" >"$LOG" 2>&1
.venv/bin/python -c "import llama_cpp; print('llama_cpp', llama_cpp.__version__)"
