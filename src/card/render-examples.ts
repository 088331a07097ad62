import { snippets } from "@huggingface/inference";
import type { ModelDataMinimal } from "@huggingface/tasks";
import type { ReleaseConfig } from "../config/schema.js";

/** One example file for the bundle's `examples/` folder. */
export interface ExampleFile {
  /** Bundle-relative path, `examples/<name>`. */
  path: string;
  /** Fence language in the card. */
  lang: "python" | "typescript" | "sh";
  title: { en: string; ko: string };
  content: string;
}

/** The OpenAI-compatible endpoint a self-hosted `vllm serve` listens on by default. */
const LOCAL_ENDPOINT = "http://localhost:8000/v1";

/**
 * A real job file for the examples: Hi5 machine tending (robot-formats §5 example A) with the
 * customer header removed, as the sanitizer would; poses and signals kept.
 */
export const EXAMPLE_JOB_FILE = `Program File Format Version : 1.6  MechType: 693(HS220-03)  TotalAxis: 6  AuxAxis: 0
S1   MOVE P,S=60%,A=3,T=1  (0.000,90.000,0.000,0.000,-90.000,0.000)A
     DO17=0                      ' gripper CLOSE valve off
     DO18=1                      ' gripper OPEN valve on
     WAIT DI21                   ' part present at infeed
S2   MOVE P,S=50%,A=2,T=1  (1480.000,-350.000,980.000,180.000,0.000,0.000,&H0001)
S3   MOVE L,S=250mm/sec,A=0,T=1  (1480.000,-350.000,760.000,180.000,0.000,0.000,&H0001)
     DO18=0                      ' OPEN valve off
     DO17=1                      ' CLOSE valve on -> grip part
     DELAY 0.4
     WAIT DI22                   ' gripper closed
S4   MOVE L,S=400mm/sec,A=2,T=1  (1480.000,-350.000,980.000,180.000,0.000,0.000,&H0001)
S5   MOVE P,S=60%,A=3,T=1  (0.000,90.000,0.000,0.000,-90.000,0.000)A
     END`;

const CONVERT_SYSTEM =
  "You convert industrial robot programs. Answer with the converted program only, and mark every line you are unsure of with a VERIFY comment.";
const CONVERT_USER = `Convert this Hyundai Hi5 job file to a Doosan DRL program. Map DO17/DO18 to DO1/DO2 and DI21/DI22 to DI1/DI2, and keep the taught speeds.\n\n${EXAMPLE_JOB_FILE}`;

function inspectPrompt(classes: string[]): string {
  const list = classes.length > 0 ? classes.join(", ") : "scratch, dent, porosity, burr, missing weld";
  return `Inspect this part. Name the defect class (one of: ${list}), its location in the image and its severity (minor, major, critical), or answer "no defect".`;
}

/** A Python string literal that keeps the text readable (triple quotes) and exact. */
function pyTriple(s: string): string {
  return `"""${s.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"')}"""`;
}

/**
 * Renders the inference examples for a release: transformers (Python), a vLLM server with an
 * OpenAI-compatible client (Python, from `@huggingface/inference`'s snippet generator),
 * `@huggingface/inference` (TypeScript) and curl. Domain prompts: a Hyundai job file to convert,
 * or an inspection question about an image. Pure and deterministic.
 *
 * The first file is the card's quick start; the card embeds its content verbatim.
 */
export function renderExamples(params: { config: ReleaseConfig; revision: string }): ExampleFile[] {
  const { config, revision } = params;
  const repo = config.hub.repo;
  const family = config.card.family;
  const vision = config.task === "image-text-to-text";
  if (config.task === "image-feature-extraction" || family === "vision-backbone")
    return [backboneExample(repo, revision)];
  const imageUrl =
    config.card.example_image_url ?? `https://huggingface.co/${repo}/resolve/${revision}/assets/inspection-example.jpg`;
  const userText = vision ? inspectPrompt(config.card.defect_classes) : CONVERT_USER;
  const messages = vision
    ? [
        {
          role: "user",
          content: [
            { type: "text", text: userText },
            { type: "image_url", image_url: { url: imageUrl } },
          ],
        },
      ]
    : [
        { role: "system", content: CONVERT_SYSTEM },
        { role: "user", content: CONVERT_USER },
      ];
  const model: ModelDataMinimal = {
    id: repo,
    inference: "",
    pipeline_tag: vision ? "image-text-to-text" : "text-generation",
    library_name: config.library_name,
    tags: [config.library_name, "conversational"],
  };
  const generated = snippets.getInferenceSnippets(
    model,
    "hf-inference",
    { provider: "hf-inference", hfModelId: repo, providerId: repo, status: "live", task: "conversational" },
    { endpointUrl: LOCAL_ENDPOINT, messages, max_tokens: vision ? 512 : 2048, temperature: 0 },
  );
  const pick = (language: string, client: string) => {
    const s = generated.find((x) => x.language === language && x.client === client);
    if (!s)
      throw new Error(`@huggingface/inference produced no ${language}/${client} snippet for ${model.pipeline_tag}`);
    return s.content.replace(/\s+$/, "");
  };
  const safety = vision
    ? "The model supports inspectors; it does not replace them. See the model card."
    : "Generated robot code is untrusted: check it statically, run it in simulation, then on the real cell at reduced speed (ISO 10218). See the model card.";
  const serve = `vllm serve ${repo} --revision ${revision}`;
  const files: ExampleFile[] = [
    vision ? transformersVision(repo, revision, userText, imageUrl, safety) : transformersText(repo, revision, safety),
    {
      path: "examples/vllm_openai_client.py",
      lang: "python",
      title: { en: "vLLM server with the OpenAI client (Python)", ko: "vLLM 서버와 OpenAI 클라이언트 (Python)" },
      content: `"""Query ${repo} served by vLLM through its OpenAI-compatible API.\n\nStart the server first:\n    pip install vllm openai\n    ${serve}\nthen: API_TOKEN=unused python3 vllm_openai_client.py\n\n${safety}\n"""\n${pick("python", "openai")}\n`,
    },
    {
      path: "examples/inference_client.ts",
      lang: "typescript",
      title: { en: "@huggingface/inference (TypeScript)", ko: "@huggingface/inference (TypeScript)" },
      content: `// Query ${repo} served by vLLM (${serve}) with @huggingface/inference.\n// npm install @huggingface/inference; API_TOKEN=unused npx tsx inference_client.ts\n// ${safety}\n${pick("js", "huggingface.js")}\n`,
    },
    {
      path: "examples/curl.sh",
      lang: "sh",
      title: { en: "curl against the vLLM server", ko: "vLLM 서버에 curl로 요청" },
      content: `#!/bin/sh\n# Query ${repo} served by vLLM (${serve}).\n# ${safety}\nset -eu\nAPI_TOKEN="\${API_TOKEN:-unused}"\n${curlWithHeredoc(pick("sh", "curl"))}\n`,
    },
  ];
  return files;
}

function transformersText(repo: string, revision: string, safety: string): ExampleFile {
  return {
    path: "examples/transformers_convert.py",
    lang: "python",
    title: { en: "transformers (Python)", ko: "transformers (Python)" },
    content: `"""Convert a Hyundai Hi5 job file to Doosan DRL with ${repo}.

${safety}
"""
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "${repo}"
revision = "${revision}"
tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision)
model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision, torch_dtype="auto", device_map="auto")

job_file = ${pyTriple(EXAMPLE_JOB_FILE)}
messages = [
    {"role": "system", "content": ${JSON.stringify(CONVERT_SYSTEM)}},
    {"role": "user", "content": ${JSON.stringify(CONVERT_USER.slice(0, CONVERT_USER.indexOf("\n\n")))} + "\\n\\n" + job_file},
]
inputs = tokenizer.apply_chat_template(
    messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
).to(model.device)
outputs = model.generate(**inputs, max_new_tokens=2048, do_sample=False)
drl = tokenizer.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True)
print(drl)  # a draft: review it, check it statically and run it in simulation first
`,
  };
}

function transformersVision(
  repo: string,
  revision: string,
  prompt: string,
  imageUrl: string,
  safety: string,
): ExampleFile {
  return {
    path: "examples/transformers_inspect.py",
    lang: "python",
    title: { en: "transformers (Python)", ko: "transformers (Python)" },
    content: `"""Ask ${repo} about an image of a part.

${safety}
"""
from transformers import AutoModelForImageTextToText, AutoProcessor

model_id = "${repo}"
revision = "${revision}"
processor = AutoProcessor.from_pretrained(model_id, revision=revision)
model = AutoModelForImageTextToText.from_pretrained(model_id, revision=revision, torch_dtype="auto", device_map="auto")

messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "url": ${JSON.stringify(imageUrl)}},
            {"type": "text", "text": ${JSON.stringify(prompt)}},
        ],
    }
]
inputs = processor.apply_chat_template(
    messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
).to(model.device)
outputs = model.generate(**inputs, max_new_tokens=512, do_sample=False)
print(processor.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True))
`,
  };
}

function backboneExample(repo: string, revision: string): ExampleFile {
  return {
    path: "examples/transformers_features.py",
    lang: "python",
    title: { en: "transformers (Python)", ko: "transformers (Python)" },
    content: `"""Extract image features with ${repo}."""
import sys

from PIL import Image
from transformers import AutoImageProcessor, AutoModel

model_id = "${repo}"
revision = "${revision}"
processor = AutoImageProcessor.from_pretrained(model_id, revision=revision)
model = AutoModel.from_pretrained(model_id, revision=revision)

image = Image.open(sys.argv[1]).convert("RGB")
inputs = processor(images=image, return_tensors="pt")
outputs = model(**inputs)
cls_embedding = outputs.last_hidden_state[:, 0]  # one vector per image
patch_tokens = outputs.last_hidden_state[:, 1:]  # for dense tasks
print(cls_embedding.shape, patch_tokens.shape)
`,
  };
}

/**
 * The generated curl snippet wraps the JSON body in single quotes, which breaks as soon as the
 * prompt contains an apostrophe (Hyundai job files use `'` for comments). A quoted heredoc passes
 * the body byte for byte.
 */
function curlWithHeredoc(snippet: string): string {
  const m = /^([\s\S]*?)-d '([\s\S]*)'\s*$/.exec(snippet);
  if (!m) throw new Error("unexpected curl snippet shape from @huggingface/inference: no -d '...' body");
  return `${m[1]}--data-binary @- <<'JSON'\n${m[2]}\nJSON`;
}
