#!/bin/sh
# Serve acme/robot-coder-devstral-2 at devstral-2-v1.0.0 with vLLM's OpenAI-compatible API on http://localhost:8000/v1.
# pip install vllm; the hardware table in the model card explains the GPU count.
set -eu
vllm serve acme/robot-coder-devstral-2 \
  --revision devstral-2-v1.0.0 \
  --tensor-parallel-size 8 \
  --max-model-len 16384 \
  --tokenizer-mode mistral \
  --config-format mistral \
  --load-format mistral \
  --tool-call-parser mistral \
  --enable-auto-tool-choice
# On 180 GB (B200) GPUs use --tensor-parallel-size 2.
