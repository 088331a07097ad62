#!/bin/sh
# Serve acme/inspect-qwen2-5-vl at qwen2-5-vl-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/inspect-qwen2-5-vl \
  --revision qwen2-5-vl-v1.0.0 \
  --tensor-parallel-size 1 \
  --max-model-len 16384 \
  --limit-mm-per-prompt '{"image": 1}' \
  --mm-processor-kwargs '{"min_pixels": 200704, "max_pixels": 1003520}'
