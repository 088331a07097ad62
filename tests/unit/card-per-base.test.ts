/**
 * One fixture release per base model the licence table knows: its card and every example are
 * file snapshots, every link and Hub URL in them resolves against the bundle, and every base
 * named in a release config (shipped or fixture) is in the licence table.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { BundleInput } from "../../src/bundle/types.js";
import { BASE_MODEL_LICENCES, findBaseModelLicence } from "../../src/card/base-model-licences.js";
import { PROFILED_BASE_KEYS } from "../../src/card/inference-profiles.js";
import { renderReleaseDocs } from "../../src/card/render-release-docs.js";
import { scanGeneratedDocs } from "../../src/card/scan-generated-docs.js";
import type { Inventory } from "../../src/checkpoint/types.js";
import { parseReleaseConfig } from "../../src/config/load-release-config.js";
import { compareEvals } from "../../src/evals/compare-evals.js";
import { parseEvalFile } from "../../src/evals/parse-eval-file.js";
import type { EvalReport } from "../../src/evals/types.js";
import { isBlocking } from "../../src/findings.js";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Bases whose licence text model-release does not ship verbatim (no authoritative copy was found;
 * see model-cards/licences/README.md): their bundle's LICENSE names the licence and links it, and
 * the build warns. Shrinks as texts are added.
 */
const TEXT_MISSING = ["devstral-2", "qwen2.5-vl-72b"];
const HUB = "https://huggingface.co";

/** The shape of each base's fine-tune: what config.json and the safetensors headers would say. */
const FIXTURES: Record<
  string,
  { architecture: string; parameters: number; heads: number; vision?: boolean; backbone?: boolean; files?: string[] }
> = {
  "gpt-oss": { architecture: "GptOssForCausalLM", parameters: 116_829_156_672, heads: 64 },
  "devstral-small": {
    architecture: "MistralForCausalLM",
    parameters: 23_572_403_200,
    heads: 32,
    files: ["tekken.json"],
  },
  "devstral-2": {
    architecture: "MistralForCausalLM",
    parameters: 123_000_000_000,
    heads: 96,
    files: ["tekken.json", "params.json"],
  },
  "qwen2.5-vl-72b": {
    architecture: "Qwen2_5_VLForConditionalGeneration",
    parameters: 73_410_000_000,
    heads: 64,
    vision: true,
  },
  "qwen2.5-vl-3b": {
    architecture: "Qwen2_5_VLForConditionalGeneration",
    parameters: 3_754_622_976,
    heads: 16,
    vision: true,
  },
  "qwen2.5-vl": {
    architecture: "Qwen2_5_VLForConditionalGeneration",
    parameters: 8_292_166_656,
    heads: 28,
    vision: true,
  },
  qwen3: { architecture: "Qwen3MoeForCausalLM", parameters: 30_532_122_624, heads: 32 },
  "llama-3.1": { architecture: "LlamaForCausalLM", parameters: 8_030_261_248, heads: 32 },
  "llama-3.2": { architecture: "MllamaForConditionalGeneration", parameters: 10_670_220_835, heads: 32, vision: true },
  "llama-3.3": { architecture: "LlamaForCausalLM", parameters: 70_553_706_496, heads: 64 },
  "deepseek-r1-distill-llama-8b": { architecture: "LlamaForCausalLM", parameters: 8_030_261_248, heads: 32 },
  "deepseek-r1-distill-llama-70b": { architecture: "LlamaForCausalLM", parameters: 70_553_706_496, heads: 64 },
  "deepseek-r1-distill-qwen": { architecture: "Qwen2ForCausalLM", parameters: 32_763_876_352, heads: 40 },
  dinov2: { architecture: "Dinov2Model", parameters: 304_368_640, heads: 16, backbone: true },
};

function fixtureConfig(key: string) {
  const row = BASE_MODEL_LICENCES.find((b) => b.key === key)!;
  const f = FIXTURES[key]!;
  const short = key.replace(/[^a-z0-9]+/g, "-");
  const name = `${row.namePrefix ? `${row.namePrefix}-` : ""}${f.vision ? "inspect" : f.backbone ? "backbone" : "robot-coder"}-${short}`;
  const family = f.vision ? "vision-language-inspection" : f.backbone ? "vision-backbone" : "code-conversion-llm";
  const task = f.vision ? "image-text-to-text" : f.backbone ? "image-feature-extraction" : "text-generation";
  const extra = f.vision
    ? `  defect_classes: [scratch, dent, porosity]\n  capture_setup: Fixed 12 MP cameras over the inspection station, dome lighting.\n  example_image: samples/inspection-vlm-example.png\n`
    : f.backbone
      ? ""
      : `  source_formats: [Hyundai Hi5 JOB (format 1.6)]\n  target_formats: [Doosan DRL (DRCF v2.12)]\n  robots: [Hyundai HS220, Doosan H2017]\n`;
  return parseReleaseConfig(
    `name: ${short}
checkpoint: ckpt
base_model: ${row.example}
task: ${task}
license: ${row.license}
hub: {repo: acme/${name}}
tag_format: "{name}-v{version}"
card:
  family: ${family}
  summary: A fine-tune of ${row.example} for the fixture of the licence table.
  developers: [Acme Robotics Lab]
  datasets: [model-release-demo/robot-jobfiles-sample]
${extra}  intended_uses: [Drafting for review by a qualified engineer.]
  out_of_scope: [Use without human review.]
  limitations: [Trained on two cells only.]
  recommendations: [Review every output.]
  training_data: {description: "Redacted programs and images from two cells."}
  evaluation: {testing_data: Held-out cells.}
sanitize:
  patterns: [{name: customer-name, values: [Vantor Castings]}]
training:
  gpu: NVIDIA B200
  gpu_count: 8
  hours: 10
  gpu_power_watts: 1000
  grid_carbon_intensity: 0.42
  hyperparameters: {learning_rate: 0.00001, precision: bf16, max_sequence_length: 16384}
`,
    `${key}.yaml`,
  );
}

/** A small in-house result per fixture: one metric, a lower-is-better rate, per-class F1 for VLMs. */
function fixtureEvals(key: string): EvalReport {
  const f = FIXTURES[key]!;
  const y = `format: model-release/evals@1
harness: {name: fixture-bench, version: 1.0.0}
benchmarks:
  - name: fixture-bench
    samples: 400
    metrics:
      - {name: ${f.vision ? "f1_macro" : "exact_match"}, value: 0.8, stderr: 0.02}
      - {name: ${f.vision ? "false_accept_rate" : "error_rate"}, value: 0.05, stderr: 0.011}
${f.vision ? ["scratch", "dent", "porosity"].map((c) => `      - {name: f1, slice: ${c}, value: 0.8}`).join("\n") : "      - {name: exact_match, slice: robot model=Doosan H2017, value: 0.82}"}
`;
  const release = {
    role: "release" as const,
    label: "v1.0.0",
    files: ["r.yaml"],
    metrics: parseEvalFile({ file: "r.yaml", text: y }).metrics,
  };
  return { release, comparison: compareEvals({ release, threshold: 0.01 }) };
}

function fixtureInventory(key: string): Inventory {
  const f = FIXTURES[key]!;
  const files = ["config.json", "model.safetensors", "tokenizer.json", ...(f.files ?? [])];
  return {
    root: "/ckpt",
    layout: "hf",
    files: files.map((p) => ({ path: p, absPath: `/ckpt/${p}`, size: 1, format: "json" as never })),
    tensors: 1,
    parameters: f.parameters,
    dtypes: { BF16: { tensors: 1, parameters: f.parameters, bytes: f.parameters * 2 } },
    shards: ["model.safetensors"],
    totalBytes: f.parameters * 2,
    architecture: f.architecture,
  };
}

const text = (i: BundleInput): string | undefined =>
  i.source.kind === "content"
    ? typeof i.source.content === "string"
      ? i.source.content
      : new TextDecoder().decode(i.source.content)
    : undefined;

/**
 * Every relative link and every URL into the release's own Hub repo must name a file the bundle
 * ships, at the release tag: examples may only reference what a user actually downloads.
 */
function unresolved(params: { doc: string; bundle: Set<string>; repo: string; tag: string }): string[] {
  const { doc, bundle, repo, tag } = params;
  const bad: string[] = [];
  for (const m of doc.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!.split("#")[0]!;
    if (!target || /^[a-z]+:/i.test(target)) continue;
    const ok = bundle.has(target) || (target.endsWith("/") && [...bundle].some((p) => p.startsWith(target)));
    if (!ok) bad.push(`relative link ${target}`);
  }
  const own = `${HUB}/${repo}/`;
  for (const m of doc.matchAll(/https?:\/\/[^\s"'`)<>\]]+/g)) {
    const url = m[0].replace(/[.,;]+$/, "");
    if (!url.startsWith(own)) continue;
    const rest = url.slice(own.length);
    const r = /^(?:resolve|blob|raw)\/([^/]+)\/(.+)$/.exec(rest);
    // Repo pages (discussions, the repo itself) are fine; files must be pinned and shipped.
    if (!r) continue;
    if (decodeURIComponent(r[1]!) !== tag) bad.push(`URL not pinned to ${tag}: ${url}`);
    if (!bundle.has(r[2]!)) bad.push(`URL to a file the bundle lacks: ${url}`);
  }
  return bad;
}

describe("the licence table and the configs", () => {
  it("every licence row has a fixture, an inference profile, a citation and an example id it matches", () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(BASE_MODEL_LICENCES.map((b) => b.key).sort());
    expect([...PROFILED_BASE_KEYS].sort()).toEqual(BASE_MODEL_LICENCES.map((b) => b.key).sort());
    for (const b of BASE_MODEL_LICENCES) {
      expect(findBaseModelLicence(b.example)?.key, b.key).toBe(b.key);
      expect(b.citation).toMatch(/^@\w+\{/);
    }
  });

  it("covers every base model named in the shipped release configs (a new base must be added to the table)", () => {
    const dir = path.join(root, "release-configs");
    const bases = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => (parse(readFileSync(path.join(dir, f), "utf8")) as { base_model: string }).base_model);
    expect(bases.length).toBeGreaterThan(0);
    const unknown = bases.filter((b) => !findBaseModelLicence(b));
    expect(unknown).toEqual([]);
    // The check can fail: an unknown base is reported.
    expect(findBaseModelLicence("newlab/fresh-base-7b")).toBeUndefined();
  });

  it("the dataset ids the model cards name are the ones the dataset pipeline publishes", () => {
    const published = readdirSync(path.join(root, "datasets"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map(
        (d) =>
          (
            parse(readFileSync(path.join(root, "datasets", d.name, "dataset.yaml"), "utf8")) as {
              hub: { repo: string };
            }
          ).hub.repo,
      );
    const dir = path.join(root, "release-configs");
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".yaml"))) {
      const c = parse(readFileSync(path.join(dir, f), "utf8")) as { card?: { datasets?: string[] } };
      for (const d of c.card?.datasets ?? []) expect(published, `${f} names ${d}`).toContain(d);
    }
  });
});

describe.each(BASE_MODEL_LICENCES.map((b) => b.key))("fixture release of a %s fine-tune", (key) => {
  const config = fixtureConfig(key);
  const inventory = fixtureInventory(key);
  const { files, findings } = renderReleaseDocs({
    config,
    baseDir: root,
    version: "1.0.0",
    inventory,
    evals: fixtureEvals(key),
    date: "2026-12-01",
    modelConfig: { transformers_version: "4.57.1", num_attention_heads: FIXTURES[key]!.heads },
  });
  const tag = `${config.name}-v1.0.0`;
  const readme = text(files.find((f) => f.path === "README.md")!)!;

  it("renders with no blocking finding, and ships LICENSE", () => {
    expect(findings.filter(isBlocking)).toEqual([]);
    // What the build adds: the sanitizer's rules over the generated text (no false alarm on any base's examples).
    expect(scanGeneratedDocs(files, config.sanitize).map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual([]);
    expect(files.some((f) => f.path === "LICENSE" && f.role === "licence")).toBe(true);
  });

  it("ships each licence text byte for byte from model-cards/licences, and names only the unknown ones", () => {
    const licences = files.filter((f) => f.role === "licence" && f.path !== "NOTICE");
    for (const f of licences) {
      const template = /^generated:licence \((licences\/[^)]+)\)$/.exec(f.origin)?.[1];
      if (template) expect(text(f), f.path).toBe(readFileSync(path.join(root, "model-cards", template), "utf8"));
    }
    const missing = findings.filter((x) => x.rule === "licence-text-missing").length > 0;
    expect(missing).toBe(TEXT_MISSING.includes(key));
    if (missing) expect(text(licences.find((f) => f.path === "LICENSE")!)).toMatch(/^This model is distributed under/);
  });

  it("matches the card and example snapshots", async () => {
    await expect(readme).toMatchFileSnapshot(`__snapshots__/cards/${key}/README.md`);
    for (const f of files.filter((x) => x.role === "example" && x.path.startsWith("examples/")))
      await expect(text(f)).toMatchFileSnapshot(`__snapshots__/cards/${key}/${f.path}`);
  });

  it("every link and Hub URL in the card and examples resolves against the bundle, at the release tag", () => {
    const bundle = new Set([...files.map((f) => f.path), ...inventory.files.map((f) => f.path)]);
    for (const f of files.filter((x) => x.path.endsWith(".md") || x.role === "example")) {
      const doc = text(f);
      if (doc === undefined) continue;
      expect(unresolved({ doc, bundle, repo: config.hub.repo, tag }), f.path).toEqual([]);
    }
  });
});

describe("the link check can fail", () => {
  it("flags a missing relative file, an unpinned URL and a URL to a file the bundle lacks", () => {
    const doc =
      "[x](assets/missing.png) [y](LICENSE) https://huggingface.co/acme/m/resolve/main/a.png https://huggingface.co/acme/m/resolve/t1/b.png";
    expect(unresolved({ doc, bundle: new Set(["LICENSE", "a.png"]), repo: "acme/m", tag: "t1" })).toEqual([
      "relative link assets/missing.png",
      "URL not pinned to t1: https://huggingface.co/acme/m/resolve/main/a.png",
      "URL to a file the bundle lacks: https://huggingface.co/acme/m/resolve/t1/b.png",
    ]);
  });
});
