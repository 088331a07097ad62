#!/bin/sh
# Serve acme/robot-coder-deepseek-r1-distill-qwen at deepseek-r1-distill-qwen-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/robot-coder-deepseek-r1-distill-qwen \
  --revision deepseek-r1-distill-qwen-v1.0.0 \
  --tensor-parallel-size 2 \
  --max-model-len 16384 \
  --reasoning-parser deepseek_r1
# On 180 GB (B200) GPUs use --tensor-parallel-size 1.
