import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MODEL_LIBRARIES_UI_ELEMENTS, PIPELINE_TYPES } from "@huggingface/tasks";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BundleInput } from "../../src/bundle/types.js";
import { renderReleaseDocs } from "../../src/card/render-release-docs.js";
import type { Inventory } from "../../src/checkpoint/types.js";
import { parseReleaseConfig } from "../../src/config/load-release-config.js";
import type { ReleaseConfig } from "../../src/config/schema.js";
import { isBlocking } from "../../src/findings.js";
import { compareEvals } from "../../src/evals/compare-evals.js";
import { parseEvalFile } from "../../src/evals/parse-eval-file.js";
import { readEvalReport } from "../../src/evals/read-eval-report.js";
import type { EvalReport } from "../../src/evals/types.js";
import type { SanitizePlan } from "../../src/sanitize/types.js";

const root = path.resolve(import.meta.dirname, "../..");
const configsDir = path.join(root, "release-configs");
const loadConfig = (name: string) =>
  parseReleaseConfig(readFileSync(path.join(configsDir, `${name}.yaml`), "utf8"), `${name}.yaml`);

/** The shape of the demo checkpoint: a tiny Llama decoder in bf16. */
const inventory: Inventory = {
  root: "/ckpt",
  layout: "hf",
  files: [],
  tensors: 12,
  parameters: 1_234_567,
  dtypes: { BF16: { tensors: 12, parameters: 1_234_567, bytes: 2_469_134 } },
  shards: ["model.safetensors"],
  totalBytes: 2_469_134,
  architecture: "LlamaForCausalLM",
  modelType: "llama",
};

const sanitize: SanitizePlan = {
  publish: [
    { path: "model.safetensors", absPath: "/ckpt/model.safetensors", role: "weights" },
    { path: "tokenizer.json", absPath: "/ckpt/tokenizer.json", role: "tokenizer" },
  ],
  dropped: [
    { path: "optimizer.pt", reason: "optimizer state" },
    { path: "trainer_state.json", reason: "training log" },
  ],
  rewrites: [
    {
      path: "config.json",
      from: "config.json",
      role: "config",
      content: "{}",
      diff: "",
      reason: "removed _name_or_path",
    },
  ],
  findings: [
    { rule: "local-path", severity: "warn", file: "config.json", message: "local path", acceptedReason: "rewritten" },
    {
      rule: "customer-name",
      severity: "block",
      file: "generation_config.json",
      message: "customer name",
      acceptedReason: "rewritten",
    },
  ],
};

const text = (files: BundleInput[], p: string): string => {
  const f = files.find((x) => x.path === p);
  if (f?.source.kind !== "content") throw new Error(`no generated ${p}`);
  return typeof f.source.content === "string" ? f.source.content : new TextDecoder().decode(f.source.content);
};

let demo: { files: BundleInput[]; findings: ReturnType<typeof renderReleaseDocs>["findings"] };
let demoEvals: EvalReport;

beforeAll(async () => {
  const config = loadConfig("demo");
  demoEvals = (await readEvalReport({ config, baseDir: configsDir, version: "1.0.0" }))!;
  demo = renderReleaseDocs({
    config,
    baseDir: configsDir,
    version: "1.0.0",
    inventory,
    sanitize,
    evals: demoEvals,
    date: "2026-11-20",
  });
});

describe("renderReleaseDocs: the demo release", () => {
  it("produces the card in both languages, NOTICE, examples and every evaluation output, with no findings", () => {
    expect(demo.files.map((f) => `${f.path} ${f.role}`)).toEqual([
      ".eval_results/gsm8k.yaml eval",
      "LICENSE licence",
      "NOTICE licence",
      "README.ko.md card",
      "README.md card",
      "USAGE_POLICY licence",
      "assets/eval-chart.svg chart",
      "eval-results.json eval",
      "examples/curl.sh example",
      "examples/inference_client.ts example",
      "examples/transformers_convert.py example",
      "examples/vllm_openai_client.py example",
      "examples/vllm_serve.sh example",
    ]);
    expect(demo.findings).toEqual([]);
  });

  it("matches the card and chart snapshots", async () => {
    await expect(text(demo.files, "README.md")).toMatchFileSnapshot("__snapshots__/demo-card/README.md");
    await expect(text(demo.files, "README.ko.md")).toMatchFileSnapshot("__snapshots__/demo-card/README.ko.md");
    await expect(text(demo.files, "assets/eval-chart.svg")).toMatchFileSnapshot(
      "__snapshots__/demo-card/eval-chart.svg",
    );
  });

  it("gives the evaluation chart a value axis with ticks and percent labels", () => {
    const svg = text(demo.files, "assets/eval-chart.svg");
    const labels = [...svg.matchAll(/<text [^>]*text-anchor="middle" fill="#6b7280">(\d+%)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(["0%", "20%", "40%", "60%", "80%", "100%"]);
    expect(svg).toContain(">score (%)</text>");
    // The 100% tick sits where a full bar would end.
    const full = svg.match(/<line x1="([\d.]+)" y1="\d+" x2="[\d.]+" y2="\d+" stroke="#6b7280"\/>\n<text [^>]*>100%/);
    expect(Number(full?.[1])).toBeCloseTo(250 + 760 - 250 - 70, 1);
  });

  it("is deterministic", async () => {
    const config = loadConfig("demo");
    const again = renderReleaseDocs({
      config,
      baseDir: configsDir,
      version: "1.0.0",
      inventory,
      sanitize,
      evals: demoEvals,
      date: "2026-11-20",
    });
    expect(again.files.map((f) => [f.path, text(again.files, f.path)])).toEqual(
      demo.files.map((f) => [f.path, text(demo.files, f.path)]),
    );
  });

  it("writes front matter the Hub accepts, and it parses back", () => {
    const readme = text(demo.files, "README.md");
    const m = /^---\n([\s\S]*?)\n---\n/.exec(readme);
    expect(m).not.toBeNull();
    // biome-ignore lint/suspicious/noExplicitAny: the parsed front matter is probed by path; the assertions are its type check
    const meta = parse(m![1]!) as Record<string, any>;
    expect(meta.license).toBe("apache-2.0");
    expect(meta.base_model).toBe("openai/gpt-oss-120b");
    expect(["finetune", "adapter", "merge", "quantized"]).toContain(meta.base_model_relation);
    expect(PIPELINE_TYPES as readonly string[]).toContain(meta.pipeline_tag);
    expect(Object.keys(MODEL_LIBRARIES_UI_ELEMENTS)).toContain(meta.library_name);
    expect(meta.language).toEqual(["en", "ko"]);
    expect(meta.datasets).toEqual(["model-release-demo/robot-jobfiles-sample"]);
    expect(meta.tags).toContain("robotics");
    // 8 GPUs × 0.5 h × 1 kW × PUE 1 × 0.42 kg/kWh = 1.68 kg = 1680 g
    expect(meta.co2_eq_emissions).toMatchObject({
      emissions: 1680,
      training_type: "fine-tuning",
      geographical_location: "KR",
      hardware_used: "8 x NVIDIA B200",
    });
    const mi = meta["model-index"];
    expect(mi).toHaveLength(1);
    expect(mi[0].name).toBe("robot-coder-demo");
    for (const r of mi[0].results) {
      expect(typeof r.task.type).toBe("string");
      expect(typeof r.dataset.type).toBe("string");
      expect(typeof r.dataset.name).toBe("string");
      for (const mt of r.metrics) {
        expect(typeof mt.type).toBe("string");
        expect(typeof mt.value).toBe("number");
      }
    }
    expect(
      // biome-ignore lint/suspicious/noExplicitAny: model-index as parsed from YAML, probed by path
      mi[0].results.find((r: any) => r.dataset.name === "jobfile-to-drl").metrics.map((x: any) => [x.type, x.value]),
    ).toEqual([
      ["exact_match", 61.2],
      ["drl_syntax_valid", 97.3],
      ["sim_pass_rate", 88.1],
    ]);
  });

  it("carries the safety statement, the redaction summary and the CO2 formula", () => {
    const readme = text(demo.files, "README.md");
    expect(readme).toMatch(/Generated robot code is untrusted/);
    expect(readme).toMatch(/ISO 10218/);
    expect(readme).toContain(
      "3 files from the checkpoint published (the release adds its card, examples and reports), 1 rewritten (metadata scrubbed), 2 left out",
    );
    expect(readme).toContain("`customer-name` × 1");
    // Pattern names are published; the customer names themselves never are.
    expect(readme).not.toMatch(/Vantor|Hanbit/);
    expect(text(demo.files, "README.ko.md")).not.toMatch(/Vantor|Hanbit/);
    expect(readme).toContain("= 8 × 0.5 h × 1 kW × 1 × 0.42 kg/kWh = **1.68 kg CO2eq**");
    expect(readme).toContain("No metric dropped more than 2 points below v0.9.0");
  });

  it("the Korean card carries the same facts: result rows, compute rows and code", () => {
    const en = text(demo.files, "README.md");
    const ko = text(demo.files, "README.ko.md");
    // Table body rows (not headers) with a number in them, without the first (label) column.
    const dataRows = (md: string) => {
      const lines = md.split("\n");
      return lines
        .filter((l, i) => /^\| \S/.test(l) && !lines[i + 1]?.startsWith("|---") && /\d/.test(l))
        .map((l) => l.split(" | ").slice(1).join(" | "));
    };
    const codeBlocks = (md: string) => md.match(/```[\s\S]*?```/g) ?? [];
    expect(dataRows(ko)).toEqual(dataRows(en));
    expect(codeBlocks(ko)).toEqual(codeBlocks(en));
    expect(ko).toContain("생성된 로봇 코드는 신뢰할 수 없는 코드입니다");
    expect(ko).toContain("ISO 10218");
  });

  it("the card's quick start is the example file, byte for byte", () => {
    const readme = text(demo.files, "README.md");
    const section = readme.slice(readme.indexOf("## How to Get Started"));
    const code = /```python\n([\s\S]*?)\n```/.exec(section)![1]!;
    expect(`${code}\n`).toBe(text(demo.files, "examples/transformers_convert.py"));
    expect(section).toContain("(examples/transformers_convert.py)");
  });

  it("writes .eval_results for mapped benchmarks and eval-results.json with every run", () => {
    expect(parse(text(demo.files, ".eval_results/gsm8k.yaml"))).toEqual([
      {
        dataset: { id: "openai/gsm8k", task_id: "gsm8k" },
        value: 45.11,
        date: "2026-11-20",
        notes: "lm-evaluation-harness 0.4.9.1, exact_match (strict-match), 5-shot, 1319 samples",
      },
    ]);
    expect(text(demo.files, ".eval_results/gsm8k.yaml")).toContain('date: "2026-11-20"');
    const json = JSON.parse(text(demo.files, "eval-results.json"));
    expect(json.schema).toBe("model-release/eval-results@1");
    expect(Object.keys(json.runs)).toEqual(["release", "base", "previous"]);
    expect(json.runs.base.metrics).toHaveLength(9);
    expect(json.regressions).toEqual([]);
  });
});

describe("inference examples are valid code", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "cards-examples-"));
    for (const f of demo.files.filter((x) => x.role === "example"))
      writeFileSync(path.join(dir, path.basename(f.path)), text(demo.files, f.path));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("Python examples pass py_compile", () => {
    for (const f of ["transformers_convert.py", "vllm_openai_client.py"]) {
      const r = spawnSync("python3", ["-m", "py_compile", path.join(dir, f)], { encoding: "utf8" });
      expect(r.stderr, f).toBe("");
      expect(r.status, f).toBe(0);
    }
    writeFileSync(path.join(dir, "broken.py"), `${text(demo.files, "examples/transformers_convert.py")}\nprint(\n`);
    expect(spawnSync("python3", ["-m", "py_compile", path.join(dir, "broken.py")]).status).not.toBe(0);
  });

  it("the curl example is valid sh and sends valid JSON, apostrophes included", () => {
    const sh = text(demo.files, "examples/curl.sh");
    expect(spawnSync("sh", ["-n", path.join(dir, "curl.sh")], { encoding: "utf8" }).status).toBe(0);
    const body = /<<'JSON'\n([\s\S]*?)\nJSON\n/.exec(sh)![1]!;
    const json = JSON.parse(body);
    expect(json.model).toBe("demo-org/robot-coder-demo");
    expect(json.messages[1].content).toContain("' gripper CLOSE valve off");
  });

  it("the TypeScript example type-checks against the installed @huggingface/inference", () => {
    // Inside node_modules so that the installed packages resolve; gitignored.
    const tsDir = mkdtempSync(path.join(root, "node_modules", ".cards-ts-check-"));
    try {
      const check = (source: string) => {
        writeFileSync(path.join(tsDir, "inference_client.ts"), source);
        writeFileSync(path.join(tsDir, "package.json"), '{"type":"module"}\n');
        writeFileSync(
          path.join(tsDir, "tsconfig.json"),
          JSON.stringify({
            compilerOptions: {
              strict: true,
              module: "nodenext",
              moduleResolution: "nodenext",
              target: "es2022",
              noEmit: true,
              types: ["node"],
              skipLibCheck: true,
            },
            files: ["inference_client.ts"],
          }),
        );
        return spawnSync(
          process.execPath,
          [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(tsDir, "tsconfig.json")],
          { encoding: "utf8" },
        );
      };
      const ok = check(text(demo.files, "examples/inference_client.ts"));
      expect(ok.stdout + ok.stderr).toBe("");
      expect(ok.status).toBe(0);
      // The check can fail: a wrong option type is caught.
      const bad = check(
        text(demo.files, "examples/inference_client.ts").replace(/max_tokens: \d+/, 'max_tokens: "many"'),
      );
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toMatch(/max_tokens|not assignable/);
    } finally {
      rmSync(tsDir, { recursive: true, force: true });
    }
  });
});

/** A minimal valid config for error-path tests, with the demo's card text. */
function configWith(patch: (c: ReleaseConfig) => void): ReleaseConfig {
  const c = structuredClone(loadConfig("demo"));
  patch(c);
  return c;
}

describe("renderReleaseDocs refuses what must not ship", () => {
  it("refuses placeholders and empty required sections, naming them", () => {
    const config = configWith((c) => {
      c.card.summary = "TODO: write the summary";
      c.card.intended_uses = [];
      delete c.card.users;
      c.card.ko = { ...c.card.ko, intended_uses: [], users: undefined };
    });
    const { findings } = renderReleaseDocs({
      config,
      baseDir: configsDir,
      version: "1.0.0",
      inventory,
      evals: demoEvals,
      date: "2026-11-20",
    });
    const blocking = findings.filter(isBlocking).map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`);
    expect(blocking).toMatchInlineSnapshot(`
      [
        "README.md:131 card-placeholder unfinished marker TODO left in the card; fill it in through the release config's card section",
        "README.md:167 card-empty-section section "Direct Use" is empty; give it content through the release config's card section",
        "README.ko.md:53 card-empty-section section "직접 사용" is empty; give it content through the release config's card section",
      ]
    `);
  });

  it("refuses a template placeholder nobody fills (a typo in a template)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cards-templates-"));
    try {
      const src = path.join(root, "model-cards");
      mkdirSync(path.join(dir, "shared"));
      for (const f of ["code-conversion-llm.en.md"])
        writeFileSync(path.join(dir, f), readFileSync(path.join(src, f), "utf8").replace("{{summary}}", "{{sumary}}"));
      for (const f of [
        "details",
        "uses",
        "get-started",
        "training",
        "evaluation",
        "environment",
        "closing",
        "robot-code-safety",
        "technical",
        "glossary-robot-code",
      ]) {
        writeFileSync(
          path.join(dir, "shared", `${f}.en.md`),
          readFileSync(path.join(src, "shared", `${f}.en.md`), "utf8"),
        );
      }
      const config = configWith((c) => {
        c.card.languages = ["en"];
      });
      const { findings } = renderReleaseDocs({
        config,
        baseDir: configsDir,
        version: "1.0.0",
        inventory,
        evals: demoEvals,
        templatesDir: dir,
      });
      expect(findings.filter(isBlocking).map((f) => [f.rule, f.excerpt])).toEqual([["card-placeholder", "{{sumary}}"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to label a Qwen2.5-VL-72B fine-tune Apache-2.0 and writes the Qwen licence and NOTICE", () => {
    const config = configWith((c) => {
      c.base_model = "Qwen/Qwen2.5-VL-72B-Instruct";
    });
    const { files, findings } = renderReleaseDocs({
      config,
      baseDir: configsDir,
      version: "1.0.0",
      inventory,
      evals: demoEvals,
      date: "2026-11-20",
    });
    expect(findings.filter(isBlocking).map((f) => f.rule)).toEqual(["licence-incompatible"]);
    const meta = parse(/^---\n([\s\S]*?)\n---\n/.exec(text(files, "README.md"))![1]!);
    expect(meta).toMatchObject({
      license: "other",
      license_name: "qwen",
      license_link: "https://huggingface.co/Qwen/Qwen2.5-VL-72B-Instruct/blob/main/LICENSE",
    });
    expect(text(files, "NOTICE")).toContain("Built with Qwen");
    expect(text(files, "README.md")).toContain('"Built with Qwen"');
  });

  it("refuses a pipeline tag or library the Hub does not know, and a local path as base model", () => {
    const config = configWith((c) => {
      c.task = "robot-programming";
      c.library_name = "my-trainer";
      c.base_model = "/cluster/models/gpt-oss";
    });
    const { findings } = renderReleaseDocs({
      config,
      baseDir: configsDir,
      version: "1.0.0",
      inventory,
      evals: demoEvals,
    });
    expect(findings.filter((f) => f.rule === "card-metadata").map((f) => f.pointer)).toEqual([
      "/pipeline_tag",
      "/library_name",
      "/base_model",
    ]);
  });

  it("a regression blocks unless allowed, and the card says so either way", () => {
    const worse: EvalReport = structuredClone(demoEvals);
    const em = worse.release.metrics.find((m) => m.benchmark === "jobfile-to-drl" && m.metric === "exact_match")!;
    em.value = 0.5; // previous 0.574: −7.4 points, threshold 2
    const config = loadConfig("demo");
    for (const allowRegression of [false, true]) {
      const comparison = compareEvals({
        release: worse.release,
        base: worse.base,
        previous: worse.previous,
        threshold: 0.02,
        allowRegression,
      });
      const { files, findings } = renderReleaseDocs({
        config,
        baseDir: configsDir,
        version: "1.0.0",
        inventory,
        evals: { ...worse, comparison },
        date: "2026-11-20",
      });
      expect(findings.filter((f) => f.rule === "eval-regression").map((f) => f.severity)).toEqual([
        allowRegression ? "warn" : "block",
      ]);
      const readme = text(files, "README.md");
      expect(readme).toContain("> [!CAUTION]\n> This release scores lower than v0.9.0 on jobfile-to-drl/exact_match");
      expect(readme).toContain("**Regression:** jobfile-to-drl/exact_match (57.4% → 50.0%)");
      expect(readme).toContain(
        "| jobfile-to-drl | exact_match ↑ | 0 | 412 | 50.0% ± 2.4 | 8.4% | 57.4% | **−7.4** ⚠ |",
      );
      expect(text(files, "README.ko.md")).toContain("**회귀:** jobfile-to-drl/exact_match (57.4% → 50.0%)");
    }
  });
});

describe("the inspection family", () => {
  const release = `format: model-release/evals@1
harness: {name: qc-bench, version: 1.3.0}
benchmarks:
  - name: defect-detection
    dataset: {id: robot-release/weld-inspection-bench, split: test}
    samples: 1800
    metrics:
      - {name: accuracy, value: 0.942}
      - {name: f1, value: 0.913}
      - {name: f1, value: 0.95, slice: scratch}
      - {name: f1, value: 0.90, slice: dent}
      - {name: f1, value: "88%", slice: porosity}
      - {name: f1, value: 0.86, slice: burr}
      - {name: f1, value: 0.97, slice: missing weld}
`;
  const base = release.replace("0.942", "0.61").replace("0.913", "0.52");

  it("renders per-defect-class results, the inspection warning and an image example", () => {
    const config = loadConfig("inspection-vlm");
    const r = {
      role: "release" as const,
      label: "v2.0.0",
      files: ["r.yaml"],
      metrics: parseEvalFile({ file: "r.yaml", text: release }).metrics,
    };
    const b = {
      role: "base" as const,
      label: config.base_model,
      files: ["b.yaml"],
      metrics: parseEvalFile({ file: "b.yaml", text: base }).metrics,
    };
    const evals: EvalReport = {
      release: r,
      base: b,
      comparison: compareEvals({ release: r, base: b, threshold: 0.01 }),
    };
    const { files, findings } = renderReleaseDocs({
      config,
      baseDir: configsDir,
      version: "2.0.0",
      inventory: { ...inventory, architecture: "Qwen2_5_VLForConditionalGeneration", modelType: "qwen2_5_vl" },
      evals,
      date: "2026-11-20",
    });
    expect(findings.filter(isBlocking)).toEqual([]);
    const readme = text(files, "README.md");
    expect(readme).toContain("#### Results per defect class");
    expect(readme).toContain("| porosity | defect-detection | f1 ↑ | 88.0% |");
    expect(readme).toContain("does not replace them");
    expect(readme).toContain("No previous release was evaluated");
    expect(text(files, "README.ko.md")).toContain("#### 결함 유형별 결과");
    expect(files.map((f) => f.path)).toContain("examples/transformers_inspect.py");
    expect(text(files, "examples/inference_client.ts")).toContain('type: "image_url"');
    const py = spawnSync("python3", ["-c", "import ast,sys; ast.parse(sys.stdin.read())"], {
      input: text(files, "examples/transformers_inspect.py"),
      encoding: "utf8",
    });
    expect(py.status, py.stderr).toBe(0);
  });

  it("blocks when a declared defect class has no per-class result", () => {
    const config = loadConfig("inspection-vlm");
    const r = {
      role: "release" as const,
      label: "v2.0.0",
      files: ["r.yaml"],
      metrics: parseEvalFile({ file: "r.yaml", text: release.replace(/.*slice: burr.*\n/, "") }).metrics,
    };
    const evals: EvalReport = { release: r, comparison: compareEvals({ release: r, threshold: 0.01 }) };
    const { findings } = renderReleaseDocs({ config, baseDir: configsDir, version: "2.0.0", inventory, evals });
    expect(findings.filter(isBlocking).map((f) => f.message)).toEqual([
      "no per-class evaluation results for defect classes: burr; add metrics with slice: <class> to the in-house results",
    ]);
  });
});

describe("the robot-coder config", () => {
  it("renders without blocking findings when its evaluations are given", () => {
    const config = loadConfig("robot-coder");
    const { files, findings } = renderReleaseDocs({
      config,
      baseDir: configsDir,
      version: "1.2.0",
      inventory,
      evals: demoEvals,
      date: "2026-11-20",
    });
    expect(findings.filter(isBlocking)).toEqual([]);
    expect(text(files, "README.md")).toContain("`robot-coder-v1.2.0`");
    expect(text(files, "README.md")).toContain("64 × 96 h × 1 kW × 1 × 0.42 kg/kWh = **2580.48 kg CO2eq**");
  });
});

describe("the vision-backbone family", () => {
  it("renders a DINOv2 fine-tune card with a feature-extraction example and no TypeScript/curl", () => {
    const config = parseReleaseConfig(`name: part-backbone
checkpoint: ckpt
base_model: facebook/dinov2-base
task: image-feature-extraction
hub: {repo: robot-release/part-backbone-dinov2}
card:
  family: vision-backbone
  summary: DINOv2-base adapted to images of machined parts, for retrieval and as a frozen backbone.
  developers: [University Robotics Lab]
  intended_uses: [Image embeddings for part retrieval and as a frozen backbone for defect heads.]
  out_of_scope: [Decisions about parts without a task head validated on the line.]
  limitations: ["Trained on two lines' cameras; other optics shift the embedding distribution."]
  recommendations: [Validate a k-NN probe on your own images first.]
  training_data: {description: "180k unlabelled images of machined parts from two lines, people masked."}
  evaluation: {testing_data: k-NN retrieval on a held-out week of images.}
training: {gpu: NVIDIA B200, gpu_count: 8, hours: 12, gpu_power_watts: 1000, grid_carbon_intensity: 0.42, hyperparameters: {epochs: 30, precision: bf16}}
`);
    const y =
      "format: model-release/evals@1\nharness: {name: knn-probe, version: 0.2.0}\nbenchmarks:\n  - name: part-retrieval\n    samples: 5000\n    metrics:\n      - {name: top1_accuracy, value: 0.912}\n";
    const r = {
      role: "release" as const,
      label: "v1.0.0",
      files: ["r.yaml"],
      metrics: parseEvalFile({ file: "r.yaml", text: y }).metrics,
    };
    const evals: EvalReport = { release: r, comparison: compareEvals({ release: r, threshold: 0.01 }) };
    const { files, findings } = renderReleaseDocs({
      config,
      baseDir: root,
      version: "1.0.0",
      inventory: { ...inventory, architecture: "Dinov2Model", modelType: "dinov2" },
      sanitize,
      evals,
    });
    expect(findings.filter(isBlocking)).toEqual([]);
    expect(files.filter((f) => f.role === "example").map((f) => f.path)).toEqual(["examples/transformers_features.py"]);
    expect(text(files, "README.md")).toContain("| part-retrieval | top1_accuracy ↑ | – | 5000 | 91.2% |");
    expect(parse(/^---\n([\s\S]*?)\n---\n/.exec(text(files, "README.md"))![1]!)).toMatchObject({
      license: "apache-2.0",
      pipeline_tag: "image-feature-extraction",
      base_model: "facebook/dinov2-base",
    });
    expect(text(files, "NOTICE")).toContain("DINOv2");
    expect(
      spawnSync("python3", ["-c", "import ast,sys; ast.parse(sys.stdin.read())"], {
        input: text(files, "examples/transformers_features.py"),
      }).status,
    ).toBe(0);
  });
});
