"""Query acme/inspect-qwen2-5-vl-3b served by vLLM through its OpenAI-compatible API.

Start the server first (examples/vllm_serve.sh):
    vllm serve acme/inspect-qwen2-5-vl-3b \
      --revision qwen2-5-vl-3b-v1.0.0 \
      --tensor-parallel-size 1 \
      --max-model-len 16384 \
      --limit-mm-per-prompt '{"image": 1}' \
      --mm-processor-kwargs '{"min_pixels": 200704, "max_pixels": 1003520}'
then: pip install openai; API_TOKEN=unused python3 vllm_openai_client.py

The model supports inspectors; it does not replace them. See the model card.
"""
import os
from openai import OpenAI

client = OpenAI(
    base_url="http://localhost:8000/v1",
    api_key=os.environ["API_TOKEN"],
)

completion = client.chat.completions.create(
    model="acme/inspect-qwen2-5-vl-3b",
    messages=[
        {
            "role": "user",
            "content": [
                {
                    "type": "image_url",
                    "image_url": {
                        "url": "https://huggingface.co/acme/inspect-qwen2-5-vl-3b/resolve/qwen2-5-vl-3b-v1.0.0/assets/inspection-vlm-example.png"
                    }
                },
                {
                    "type": "text",
                    "text": "Inspect this part. Name the defect class (one of: scratch, dent, porosity), its location in the image and its severity (minor, major, critical), or answer \"no defect\"."
                }
            ]
        }
    ],
    max_tokens=512,
    temperature=0,
)

print(completion.choices[0].message.content)
