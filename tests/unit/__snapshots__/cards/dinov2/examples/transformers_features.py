"""Extract image features with acme/backbone-dinov2.

    pip install "transformers>=4.57.1" pillow
"""
import sys

from PIL import Image
from transformers import AutoImageProcessor, AutoModel

model_id = "acme/backbone-dinov2"
revision = "dinov2-v1.0.0"
processor = AutoImageProcessor.from_pretrained(model_id, revision=revision)
model = AutoModel.from_pretrained(model_id, revision=revision, dtype="auto")

image = Image.open(sys.argv[1]).convert("RGB")
inputs = processor(images=image, return_tensors="pt")
outputs = model(**inputs)
cls_embedding = outputs.last_hidden_state[:, 0]  # one vector per image
patch_tokens = outputs.last_hidden_state[:, 1:]  # for dense tasks
print(cls_embedding.shape, patch_tokens.shape)
