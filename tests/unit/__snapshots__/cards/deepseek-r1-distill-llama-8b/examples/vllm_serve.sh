#!/bin/sh
# Serve acme/Llama-robot-coder-deepseek-r1-distill-llama-8b at deepseek-r1-distill-llama-8b-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/Llama-robot-coder-deepseek-r1-distill-llama-8b \
  --revision deepseek-r1-distill-llama-8b-v1.0.0 \
  --tensor-parallel-size 1 \
  --max-model-len 16384 \
  --reasoning-parser deepseek_r1
