import { snippets } from "@huggingface/inference";
import type { ModelDataMinimal } from "@huggingface/tasks";
import type { ReleaseConfig } from "../config/schema.js";
import type { InferenceProfile, Sampling } from "./inference-profiles.js";
import type { HardwarePlan } from "./plan-inference-hardware.js";
import {
  renderTransformersFeatures,
  renderTransformersText,
  renderTransformersVision,
} from "./render-transformers-example.js";
import { renderVllmServe } from "./render-vllm-serve.js";

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
const CONVERT_INTRO =
  "Convert this Hyundai Hi5 job file to a Doosan DRL program. Map DO17/DO18 to DO1/DO2 and DI21/DI22 to DI1/DI2, and keep the taught speeds.";

function inspectPrompt(classes: string[]): string {
  const list = classes.length > 0 ? classes.join(", ") : "scratch, dent, porosity, burr, missing weld";
  return `Inspect this part. Name the defect class (one of: ${list}), its location in the image and its severity (minor, major, critical), or answer "no defect".`;
}

export interface RenderExamplesParams {
  config: ReleaseConfig;
  /** The release tag every example pins. */
  revision: string;
  profile: InferenceProfile;
  hardware: HardwarePlan;
  transformersMin: string;
  architecture?: string;
  /** Checkpoint-relative paths of the published files. */
  files: readonly string[];
  /** Pinned URL of the example image (vision models). */
  imageUrl?: string;
}

/**
 * Renders the inference examples for a release, by base family: transformers (Python, with the
 * family's prompt and decoding rules), the `vllm serve` command with the flags the hardware plan
 * and family need, an OpenAI client (Python), `@huggingface/inference` (TypeScript) and curl, the
 * last three from `@huggingface/inference`'s snippet generator. Every snippet uses the same
 * sampling settings and the release tag. Pure and deterministic.
 *
 * The first file is the card's quick start; the card embeds its content verbatim.
 */
export function renderExamples(params: RenderExamplesParams): ExampleFile[] {
  const { config, revision, profile, hardware, transformersMin, architecture } = params;
  const repo = config.hub.repo;
  const vision = config.task === "image-text-to-text";
  if (config.task === "image-feature-extraction" || profile.family === "dinov2")
    return [
      {
        path: "examples/transformers_features.py",
        lang: "python",
        title: { en: "transformers (Python)", ko: "transformers (Python)" },
        content: renderTransformersFeatures({ repo, revision, transformersMin }),
      },
    ];
  const safety = vision
    ? "The model supports inspectors; it does not replace them. See the model card."
    : "Generated robot code is untrusted: check it statically, run it in simulation, then on the real cell at reduced speed (ISO 10218). See the model card.";
  const imageUrl = params.imageUrl ?? "";
  const prompt = vision ? inspectPrompt(config.card.defect_classes) : "";
  const userText = `${CONVERT_INTRO}\n\n${EXAMPLE_JOB_FILE}`;
  const messages = vision
    ? [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: imageUrl } },
            { type: "text", text: prompt },
          ],
        },
      ]
    : profile.noSystemPrompt
      ? [{ role: "user", content: `${CONVERT_SYSTEM}\n\n${userText}` }]
      : [
          { role: "system", content: CONVERT_SYSTEM },
          { role: "user", content: userText },
        ];
  const maxTokens = vision ? 512 : profile.family === "r1-distill" || profile.family === "gpt-oss" ? 4096 : 2048;
  const model: ModelDataMinimal = {
    id: repo,
    inference: "",
    pipeline_tag: vision ? "image-text-to-text" : "text-generation",
    library_name: config.library_name,
    tags: [config.library_name, "conversational"],
  };
  // Sampling goes in by hand below: the generator drops falsy values such as temperature 0.
  const generated = snippets.getInferenceSnippets(
    model,
    "hf-inference",
    { provider: "hf-inference", hfModelId: repo, providerId: repo, status: "live", task: "conversational" },
    { endpointUrl: LOCAL_ENDPOINT, messages, max_tokens: maxTokens },
  );
  const pick = (language: string, client: string) => {
    const s = generated.find((x) => x.language === language && x.client === client);
    if (!s)
      throw new Error(`@huggingface/inference produced no ${language}/${client} snippet for ${model.pipeline_tag}`);
    return s.content.replace(/\s+$/, "");
  };
  const extra = requestParams(profile);
  const serve = renderVllmServe({
    repo,
    revision,
    profile,
    hardware,
    files: params.files,
    architecture,
  });
  const serveText = `${serve.command}${serve.b200Note ? `\n# ${serve.b200Note}` : ""}`;
  const serveComment = (prefix: string) =>
    serveText
      .split("\n")
      .map((l) => `${prefix}${l.startsWith("#") ? l.slice(2) : l}`)
      .join("\n");
  const py = withParams(pick("python", "openai"), "python", extra).replace(
    /^print\(completion\.choices\[0\]\.message\)$/m,
    pythonPrint(profile),
  );
  const ts = withParams(pick("js", "huggingface.js"), "js", extra).replace(
    /^console\.log\(chatCompletion\.choices\[0\]\.message\);$/m,
    "console.log(chatCompletion.choices[0]?.message.content);",
  );
  const curl = withParams(pick("sh", "curl"), "curl", extra);
  const quick = vision
    ? {
        path: "examples/transformers_inspect.py",
        content: renderTransformersVision({
          repo,
          revision,
          profile,
          transformersMin,
          safety,
          prompt,
          imageUrl,
          maxNewTokens: maxTokens,
          architecture,
        }),
      }
    : {
        path: "examples/transformers_convert.py",
        content: renderTransformersText({
          repo,
          revision,
          profile,
          transformersMin,
          safety,
          system: CONVERT_SYSTEM,
          userIntro: CONVERT_INTRO,
          jobFile: EXAMPLE_JOB_FILE,
          maxNewTokens: maxTokens,
        }),
      };
  return [
    {
      path: quick.path,
      lang: "python",
      title: { en: "transformers (Python)", ko: "transformers (Python)" },
      content: quick.content,
    },
    {
      path: "examples/vllm_serve.sh",
      lang: "sh",
      title: { en: "vLLM server (flags for this model)", ko: "vLLM 서버 (이 모델에 맞춘 옵션)" },
      content: `#!/bin/sh\n# Serve ${repo} at ${revision} with vLLM's OpenAI-compatible API on ${LOCAL_ENDPOINT}.\n# pip install vllm; the hardware table in the model card explains the GPU count.\nset -eu\n${serveText}\n`,
    },
    {
      path: "examples/vllm_openai_client.py",
      lang: "python",
      title: { en: "vLLM server with the OpenAI client (Python)", ko: "vLLM 서버와 OpenAI 클라이언트 (Python)" },
      content: `"""Query ${repo} served by vLLM through its OpenAI-compatible API.\n\nStart the server first (examples/vllm_serve.sh):\n${serveComment("    ")}\nthen: pip install openai; API_TOKEN=unused python3 vllm_openai_client.py\n\n${safety}\n"""\n${py}\n`,
    },
    {
      path: "examples/inference_client.ts",
      lang: "typescript",
      title: { en: "@huggingface/inference (TypeScript)", ko: "@huggingface/inference (TypeScript)" },
      content: `// Query ${repo} served by vLLM (examples/vllm_serve.sh) with @huggingface/inference.\n// npm install @huggingface/inference; API_TOKEN=unused npx tsx inference_client.ts\n// ${safety}\n${ts}\n`,
    },
    {
      path: "examples/curl.sh",
      lang: "sh",
      title: { en: "curl against the vLLM server", ko: "vLLM 서버에 curl로 요청" },
      content: `#!/bin/sh\n# Query ${repo} served by vLLM (examples/vllm_serve.sh).\n# ${safety}\nset -eu\nAPI_TOKEN="\${API_TOKEN:-unused}"\n${curlWithHeredoc(curl)}\n`,
    },
  ];
}

/** Request parameters of the OpenAI-compatible API: the sampling settings, plus gpt-oss's reasoning effort. */
function requestParams(profile: InferenceProfile): {
  standard: Record<string, unknown>;
  extra: Record<string, unknown>;
} {
  const s: Sampling = profile.sampling;
  const standard: Record<string, unknown> = { temperature: s.temperature };
  if (s.top_p !== undefined) standard.top_p = s.top_p;
  if (profile.family === "gpt-oss") standard.reasoning_effort = "medium";
  // Not in the OpenAI API: vLLM reads them from the request body.
  const extra: Record<string, unknown> = {};
  if (s.top_k !== undefined) extra.top_k = s.top_k;
  if (s.repetition_penalty !== undefined) extra.repetition_penalty = s.repetition_penalty;
  return { standard, extra };
}

/** Inserts the request parameters after the generator's `max_tokens` line, in each language's syntax. */
function withParams(
  snippet: string,
  lang: "python" | "js" | "curl",
  p: { standard: Record<string, unknown>; extra: Record<string, unknown> },
): string {
  const re =
    lang === "python"
      ? /^(\s*)max_tokens=\d+,$/m
      : lang === "js"
        ? /^(\s*)max_tokens: \d+,$/m
        : /^(\s*)"max_tokens": \d+,$/m;
  const m = re.exec(snippet);
  if (!m) throw new Error(`unexpected ${lang} snippet shape from @huggingface/inference: no max_tokens line`);
  const ind = m[1]!;
  const lines: string[] = [];
  const all = { ...p.standard, ...(lang === "python" ? {} : p.extra) };
  for (const [k, v] of Object.entries(all)) {
    const value = JSON.stringify(v);
    lines.push(
      lang === "python" ? `${ind}${k}=${value},` : lang === "js" ? `${ind}${k}: ${value},` : `${ind}"${k}": ${value},`,
    );
  }
  if (lang === "python" && Object.keys(p.extra).length > 0) lines.push(`${ind}extra_body=${JSON.stringify(p.extra)},`);
  const at = m.index + m[0].length;
  return `${snippet.slice(0, at)}\n${lines.join("\n")}${snippet.slice(at)}`;
}

function pythonPrint(profile: InferenceProfile): string {
  if (profile.family === "gpt-oss")
    return `message = completion.choices[0].message\n# vLLM returns the harmony "analysis" channel separately; it is not meant for end users.\nprint(message.content)`;
  if (profile.family === "r1-distill")
    return `message = completion.choices[0].message\n# --reasoning-parser deepseek_r1 moves the <think> block out of the answer.\nprint(message.content)`;
  return "print(completion.choices[0].message.content)";
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
