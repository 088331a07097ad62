#!/bin/sh
# Serve acme/Llama-inspect-llama-3-2 at llama-3-2-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/Llama-inspect-llama-3-2 \
  --revision llama-3-2-v1.0.0 \
  --tensor-parallel-size 1 \
  --max-model-len 16384 \
  --limit-mm-per-prompt '{"image": 1}' \
  --max-num-seqs 16
