#!/bin/sh
# Serve acme/robot-coder-qwen3 at qwen3-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/robot-coder-qwen3 \
  --revision qwen3-v1.0.0 \
  --tensor-parallel-size 2 \
  --max-model-len 16384
# On 180 GB (B200) GPUs use --tensor-parallel-size 1.
