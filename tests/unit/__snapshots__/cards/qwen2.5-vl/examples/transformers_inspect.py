"""Ask about an image of a part with acme/inspect-qwen2-5-vl.

    pip install "transformers>=4.57.1" accelerate pillow

The model supports inspectors; it does not replace them. See the model card.
"""
from transformers import AutoModelForImageTextToText, AutoProcessor

model_id = "acme/inspect-qwen2-5-vl"
revision = "qwen2-5-vl-v1.0.0"
# Pixel budget: each image is resized to between min_pixels and max_pixels (multiples of 28x28
# pixels, one visual token each). A 12 MP inspection image becomes about 1 MP, 1,280 tokens;
# raise max_pixels for very small defects, at the cost of memory and speed.
min_pixels = 256 * 28 * 28
max_pixels = 1280 * 28 * 28
processor = AutoProcessor.from_pretrained(model_id, revision=revision, min_pixels=min_pixels, max_pixels=max_pixels)
model = AutoModelForImageTextToText.from_pretrained(model_id, revision=revision, dtype="auto", device_map="auto")

messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "url": "https://huggingface.co/acme/inspect-qwen2-5-vl/resolve/qwen2-5-vl-v1.0.0/assets/inspection-vlm-example.png"},
            {"type": "text", "text": "Inspect this part. Name the defect class (one of: scratch, dent, porosity), its location in the image and its severity (minor, major, critical), or answer \"no defect\"."},
        ],
    }
]
inputs = processor.apply_chat_template(
    messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
).to(model.device)
outputs = model.generate(**inputs, max_new_tokens=512, do_sample=False)
print(processor.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True))
