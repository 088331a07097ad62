#!/bin/sh
# Serve acme/inspect-qwen2-5-vl-72b at qwen2-5-vl-72b-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/inspect-qwen2-5-vl-72b \
  --revision qwen2-5-vl-72b-v1.0.0 \
  --tensor-parallel-size 4 \
  --max-model-len 16384 \
  --limit-mm-per-prompt '{"image": 1}' \
  --mm-processor-kwargs '{"min_pixels": 200704, "max_pixels": 1003520}'
# On 180 GB (B200) GPUs use --tensor-parallel-size 2.
