"""Ask about an image of a part with acme/Llama-inspect-llama-3-2.

    pip install "transformers>=4.57.1" accelerate pillow requests

The model supports inspectors; it does not replace them. See the model card.
"""
import requests
from PIL import Image
from transformers import AutoProcessor, MllamaForConditionalGeneration

model_id = "acme/Llama-inspect-llama-3-2"
revision = "llama-3-2-v1.0.0"
processor = AutoProcessor.from_pretrained(model_id, revision=revision)
model = MllamaForConditionalGeneration.from_pretrained(model_id, revision=revision, dtype="auto", device_map="auto")

image = Image.open(requests.get("https://huggingface.co/acme/Llama-inspect-llama-3-2/resolve/llama-3-2-v1.0.0/assets/inspection-vlm-example.png", stream=True, timeout=60).raw)
# Llama 3.2 Vision: the image comes first in the user turn, then the question.
messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Inspect this part. Name the defect class (one of: scratch, dent, porosity), its location in the image and its severity (minor, major, critical), or answer \"no defect\"."}]}]
input_text = processor.apply_chat_template(messages, add_generation_prompt=True)
inputs = processor(image, input_text, add_special_tokens=False, return_tensors="pt").to(model.device)
outputs = model.generate(**inputs, max_new_tokens=512, do_sample=False)
print(processor.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True))
