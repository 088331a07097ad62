#!/bin/sh
# Serve acme/Llama-robot-coder-llama-3-1 at llama-3-1-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/Llama-robot-coder-llama-3-1 \
  --revision llama-3-1-v1.0.0 \
  --tensor-parallel-size 1 \
  --max-model-len 16384
