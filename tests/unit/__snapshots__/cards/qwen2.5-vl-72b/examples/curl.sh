#!/bin/sh
# Query acme/inspect-qwen2-5-vl-72b served by vLLM (examples/vllm_serve.sh).
# The model supports inspectors; it does not replace them. See the model card.
set -eu
API_TOKEN="${API_TOKEN:-unused}"
curl http://localhost:8000/v1/chat/completions \
    -H "Authorization: Bearer $API_TOKEN" \
    -H 'Content-Type: application/json' \
    --data-binary @- <<'JSON'
{
        "messages": [
            {
                "role": "user",
                "content": [
                    {
                        "type": "image_url",
                        "image_url": {
                            "url": "https://huggingface.co/acme/inspect-qwen2-5-vl-72b/resolve/qwen2-5-vl-72b-v1.0.0/assets/inspection-vlm-example.png"
                        }
                    },
                    {
                        "type": "text",
                        "text": "Inspect this part. Name the defect class (one of: scratch, dent, porosity), its location in the image and its severity (minor, major, critical), or answer \"no defect\"."
                    }
                ]
            }
        ],
        "max_tokens": 512,
        "temperature": 0,
        "model": "acme/inspect-qwen2-5-vl-72b",
        "stream": false
    }
JSON
