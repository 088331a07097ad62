import type { InferenceProfile, Sampling } from "./inference-profiles.js";
import { qwenPixelBudget } from "./render-vllm-serve.js";

/** A Python string literal that keeps the text readable (triple quotes) and exact. */
export function pyTriple(s: string): string {
  return `"""${s.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"')}"""`;
}

/** `generate()` keyword arguments for the release's sampling settings. */
export function generateKwargs(s: Sampling, maxNewTokens: number): string {
  if (s.temperature === 0) return `max_new_tokens=${maxNewTokens}, do_sample=False`;
  return [
    `max_new_tokens=${maxNewTokens}`,
    "do_sample=True",
    `temperature=${s.temperature}`,
    ...(s.top_p !== undefined ? [`top_p=${s.top_p}`] : []),
    ...(s.top_k !== undefined ? [`top_k=${s.top_k}`] : []),
    ...(s.repetition_penalty !== undefined ? [`repetition_penalty=${s.repetition_penalty}`] : []),
  ].join(", ");
}

interface Common {
  repo: string;
  revision: string;
  profile: InferenceProfile;
  transformersMin: string;
  safety: string;
}

const header = (c: Common, what: string, extraPip = "") => `"""${what} with ${c.repo}.

    pip install "transformers>=${c.transformersMin}" accelerate${extraPip}

${c.safety}
"""`;

/**
 * The transformers quick start of a text model, by base family: gpt-oss decodes the harmony
 * channels, R1 distills get no system prompt and split off the think block, the rest decode
 * plainly. Pure.
 */
export function renderTransformersText(
  c: Common & { system: string; userIntro: string; jobFile: string; maxNewTokens: number },
): string {
  const fam = c.profile.family;
  const gen = generateKwargs(c.profile.sampling, c.maxNewTokens);
  const messages =
    fam === "r1-distill"
      ? `# No system prompt (DeepSeek's recommendation): the rules go into the user message.
messages = [
    {"role": "user", "content": ${JSON.stringify(c.system)} + "\\n\\n" + ${JSON.stringify(c.userIntro)} + "\\n\\n" + job_file},
]`
      : `messages = [
    {"role": "system", "content": ${JSON.stringify(c.system)}},
    {"role": "user", "content": ${JSON.stringify(c.userIntro)} + "\\n\\n" + job_file},
]`;
  let run: string;
  if (fam === "gpt-oss") {
    run = `inputs = tokenizer.apply_chat_template(
    messages, add_generation_prompt=True, return_tensors="pt", return_dict=True, reasoning_effort="medium"
).to(model.device)
outputs = model.generate(**inputs, ${gen})
# Harmony format: the reasoning ("analysis") channel comes first, then the "final" channel.
# skip_special_tokens=True would print both run together, so split on the channel markers.
text = tokenizer.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=False)
analysis, _, final = text.partition("<|channel|>final<|message|>")
drl = final.split("<|return|>")[0].split("<|end|>")[0]
print(drl)  # a draft: review it, check it statically and run it in simulation first`;
  } else if (fam === "r1-distill") {
    run = `prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
if not prompt.endswith("<think>\\n"):
    prompt += "<think>\\n"  # DeepSeek's recommendation: make the model start with its think block
inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
outputs = model.generate(**inputs, ${gen})
text = tokenizer.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True)
reasoning, _, drl = text.rpartition("</think>")
print(drl.strip())  # a draft: review it, check it statically and run it in simulation first`;
  } else {
    run = `inputs = tokenizer.apply_chat_template(
    messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
).to(model.device)
outputs = model.generate(**inputs, ${gen})
drl = tokenizer.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True)
print(drl)  # a draft: review it, check it statically and run it in simulation first`;
  }
  return `${header(c, "Convert a Hyundai Hi5 job file to Doosan DRL")}
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "${c.repo}"
revision = "${c.revision}"
tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision)
model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision, dtype="auto", device_map="auto")

job_file = ${pyTriple(c.jobFile)}
${messages}
${run}
`;
}

/**
 * The transformers quick start of an inspection VLM: Qwen-VL with its pixel budget, Llama 3.2
 * Vision with its processor and the image first. Pure.
 */
export function renderTransformersVision(
  c: Common & { prompt: string; imageUrl: string; architecture?: string; maxNewTokens: number },
): string {
  const gen = generateKwargs(c.profile.sampling, c.maxNewTokens);
  if (c.profile.family === "llama-vision") {
    return `${header(c, "Ask about an image of a part", " pillow requests")}
import requests
from PIL import Image
from transformers import AutoProcessor, MllamaForConditionalGeneration

model_id = "${c.repo}"
revision = "${c.revision}"
processor = AutoProcessor.from_pretrained(model_id, revision=revision)
model = MllamaForConditionalGeneration.from_pretrained(model_id, revision=revision, dtype="auto", device_map="auto")

image = Image.open(requests.get(${JSON.stringify(c.imageUrl)}, stream=True, timeout=60).raw)
# Llama 3.2 Vision: the image comes first in the user turn, then the question.
messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": ${JSON.stringify(c.prompt)}}]}]
input_text = processor.apply_chat_template(messages, add_generation_prompt=True)
inputs = processor(image, input_text, add_special_tokens=False, return_tensors="pt").to(model.device)
outputs = model.generate(**inputs, ${gen})
print(processor.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True))
`;
  }
  const b = qwenPixelBudget(c.architecture);
  const qwen3 = c.architecture?.startsWith("Qwen3VL");
  const budget = qwen3
    ? `processor = AutoProcessor.from_pretrained(model_id, revision=revision)
processor.image_processor.size = {"shortest_edge": min_pixels, "longest_edge": max_pixels}`
    : "processor = AutoProcessor.from_pretrained(model_id, revision=revision, min_pixels=min_pixels, max_pixels=max_pixels)";
  return `${header(c, "Ask about an image of a part", " pillow")}
from transformers import AutoModelForImageTextToText, AutoProcessor

model_id = "${c.repo}"
revision = "${c.revision}"
# Pixel budget: each image is resized to between min_pixels and max_pixels (multiples of ${b.unit}x${b.unit}
# pixels, one visual token each). A 12 MP inspection image becomes about 1 MP, 1,280 tokens;
# raise max_pixels for very small defects, at the cost of memory and speed.
min_pixels = 256 * ${b.unit} * ${b.unit}
max_pixels = 1280 * ${b.unit} * ${b.unit}
${budget}
model = AutoModelForImageTextToText.from_pretrained(model_id, revision=revision, dtype="auto", device_map="auto")

messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "url": ${JSON.stringify(c.imageUrl)}},
            {"type": "text", "text": ${JSON.stringify(c.prompt)}},
        ],
    }
]
inputs = processor.apply_chat_template(
    messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
).to(model.device)
outputs = model.generate(**inputs, ${gen})
print(processor.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True))
`;
}

/** The DINOv2-style feature extraction example. Pure. */
export function renderTransformersFeatures(c: Omit<Common, "profile" | "safety">): string {
  return `"""Extract image features with ${c.repo}.

    pip install "transformers>=${c.transformersMin}" pillow
"""
import sys

from PIL import Image
from transformers import AutoImageProcessor, AutoModel

model_id = "${c.repo}"
revision = "${c.revision}"
processor = AutoImageProcessor.from_pretrained(model_id, revision=revision)
model = AutoModel.from_pretrained(model_id, revision=revision, dtype="auto")

image = Image.open(sys.argv[1]).convert("RGB")
inputs = processor(images=image, return_tensors="pt")
outputs = model(**inputs)
cls_embedding = outputs.last_hidden_state[:, 0]  # one vector per image
patch_tokens = outputs.last_hidden_state[:, 1:]  # for dense tasks
print(cls_embedding.shape, patch_tokens.shape)
`;
}
