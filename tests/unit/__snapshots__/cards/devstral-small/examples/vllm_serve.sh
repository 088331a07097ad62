#!/bin/sh
# Serve acme/robot-coder-devstral-small at devstral-small-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/robot-coder-devstral-small \
  --revision devstral-small-v1.0.0 \
  --tensor-parallel-size 1 \
  --max-model-len 16384 \
  --tokenizer-mode mistral \
  --tool-call-parser mistral \
  --enable-auto-tool-choice
