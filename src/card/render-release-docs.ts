import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BundleInput } from "../bundle/types.js";
import type { Inventory } from "../checkpoint/types.js";
import type { ReleaseConfig } from "../config/schema.js";
import type { Finding } from "../findings.js";
import type { SanitizePlan } from "../sanitize/types.js";
import { renderEvalChart } from "../evals/render-eval-chart.js";
import { renderEvalResultsFiles, renderEvalResultsJson, renderModelIndex } from "../evals/render-eval-outputs.js";
import type { EvalReport } from "../evals/types.js";
import { planLicence } from "./plan-licence.js";
import { minimumTransformers, planInferenceProfile } from "./inference-profiles.js";
import { planInferenceHardware } from "./plan-inference-hardware.js";
import { checkCard } from "./check-card.js";
import { estimateCo2, renderCardMetadata } from "./render-card-metadata.js";
import { renderExamples } from "./render-examples.js";
import { renderModelCard } from "./render-model-card.js";
import type { CardContext, CardLanguage, CheckpointModelConfig } from "./card-context.js";

/** The shipped templates: `model-cards/` at the package root, from both src/card and dist/card. */
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL("../../model-cards/", import.meta.url));

/** Where the chart goes in the bundle; the card links it by this path. */
export const EVAL_CHART_PATH = "assets/eval-chart.svg";

export interface RenderReleaseDocsParams {
  config: ReleaseConfig;
  /** The release config's folder (config paths are relative to it). */
  baseDir: string;
  /** The version being released, without the tag prefix, e.g. `1.0.0`. */
  version: string;
  inventory: Inventory;
  sanitize?: SanitizePlan;
  evals?: EvalReport;
  /** Release date `YYYY-MM-DD`, for the card and `.eval_results`; never read from the clock here. */
  date?: string;
  hubUrl?: string;
  githubUrl?: string;
  /** Card templates folder; default the shipped `model-cards/`. */
  templatesDir?: string;
  /** Fields of the checkpoint's config.json that the examples and hardware table use. */
  modelConfig?: CheckpointModelConfig;
}

export type { CheckpointModelConfig } from "./card-context.js";

/** Bundle folder of shipped example images. */
const ASSETS = "assets";

/**
 * Renders everything a release says about itself: the model card (`README.md`, and
 * `README.ko.md` when `card.languages` has `ko`), `NOTICE` when the base model's licence needs
 * one, `examples/*`, `.eval_results/*.yaml`, `eval-results.json` and the evaluation chart.
 * Deterministic: the same inputs give the same bytes. Reads only the card templates.
 *
 * @returns bundle inputs and findings. Blocking findings (refuse the build): `licence-incompatible`,
 *   `licence-name-rule`, `card-metadata`, `card-placeholder`, `card-empty-section`,
 *   `card-missing-class-results`, and `eval-regression` unless the report allowed it.
 */
export function renderReleaseDocs(params: RenderReleaseDocsParams): { files: BundleInput[]; findings: Finding[] } {
  const { config, version, inventory, sanitize, evals, date } = params;
  const hubUrl = (params.hubUrl ?? "https://huggingface.co").replace(/\/+$/, "");
  const githubUrl = (params.githubUrl ?? "https://github.com").replace(/\/+$/, "");
  const templatesDir = params.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const readTemplate = (name: string) => readFileSync(path.join(templatesDir, name), "utf8");
  const tag = config.tag_format.replace("{version}", version).replace("{name}", config.name);
  const findings: Finding[] = [];
  const files: BundleInput[] = [];
  const add = (p: string, role: BundleInput["role"], content: string, origin: string) =>
    files.push({ path: p, role, source: { kind: "content", content }, origin });

  const card = config.card;
  const licence = planLicence({
    baseModel: config.base_model,
    requested: config.license,
    repo: config.hub.repo,
    checkpointHasLicence: inventory.files.some((f) => /^LICEN[CS]E(\.(md|txt))?$/i.test(f.path)),
    holders: card.developers,
    year: date?.slice(0, 4),
  });
  findings.push(...licence.findings);
  const co2 = estimateCo2(config.training);
  const profile = planInferenceProfile({
    baseKey: licence.base?.key,
    architecture: inventory.architecture,
    task: config.task,
  });
  const hardware = planInferenceHardware({
    parameters: inventory.parameters,
    dtypes: inventory.dtypes,
    heads: params.modelConfig?.num_attention_heads,
    hyperparameters: config.training?.hyperparameters ?? {},
  });
  const transformersMin = minimumTransformers({
    architecture: inventory.architecture,
    savedWith: params.modelConfig?.transformers_version,
  });
  const image = planExampleImage({ config, baseDir: params.baseDir, hubUrl, tag });
  findings.push(...image.findings);
  if (image.input) files.push(image.input);
  const examples = renderExamples({
    config,
    revision: tag,
    profile,
    hardware,
    transformersMin,
    architecture: inventory.architecture,
    files: inventory.files.map((f) => f.path),
    imageUrl: image.url,
  });
  const releaseLabel = version.startsWith("v") ? version : `v${version}`;
  const report = evals ? { ...evals, release: { ...evals.release, label: releaseLabel } } : undefined;
  const chart = report
    ? renderEvalChart({ report, title: `${config.hub.repo} ${releaseLabel}: evaluation`, releaseLabel })
    : undefined;
  const modelIndex = report
    ? renderModelIndex({ name: config.hub.repo.split("/")[1] ?? config.hub.repo, task: config.task, report })
    : undefined;
  const meta = renderCardMetadata({ config, licence, co2, modelIndex });
  findings.push(...meta.findings);

  const ctx: CardContext = {
    config,
    version,
    tag,
    date,
    inventory,
    sanitize,
    evals: report,
    licence,
    co2,
    examples,
    profile,
    hardware,
    transformersMin,
    modelConfig: params.modelConfig,
    chartPath: chart ? EVAL_CHART_PATH : undefined,
    hubUrl,
    githubUrl,
  };
  const languages: CardLanguage[] = ["en", ...(config.card.languages.includes("ko") ? (["ko"] as const) : [])];
  for (const lang of languages) {
    const { markdown, findings: cardFindings } = renderModelCard({ ctx, lang, readTemplate });
    findings.push(...cardFindings);
    const switcher =
      languages.length > 1 ? (lang === "en" ? "[한국어](README.ko.md)\n\n" : "[English](README.md)\n\n") : "";
    // The Hub reads metadata from README.md only; the Korean card is a plain page.
    const text = lang === "en" ? `---\n${meta.yaml}---\n\n${switcher}${markdown}` : `${switcher}${markdown}`;
    const file = lang === "en" ? "README.md" : "README.ko.md";
    findings.push(...checkCard({ file, markdown: text }));
    add(file, "card", text, `generated:card (${config.card.family}, ${lang})`);
  }
  if (licence.notice) add("NOTICE", "licence", licence.notice, `generated:notice (${licence.base?.key})`);
  // Apache-2.0 §4(a) and the Llama/Qwen agreements: recipients get the licence text itself.
  for (const f of licence.files) {
    // Verbatim legal texts always come from the shipped folder, whatever templatesDir says.
    if ("template" in f)
      add(
        f.path,
        "licence",
        readFileSync(path.join(DEFAULT_TEMPLATES_DIR, f.template), "utf8"),
        `generated:licence (${f.template})`,
      );
    else add(f.path, "licence", f.content, "generated:licence");
  }
  for (const e of examples) add(e.path, "example", e.content, "generated:example");
  if (report) {
    findings.push(...report.comparison.findings);
    for (const f of renderEvalResultsFiles({
      report,
      hubBenchmarks: config.evals?.hub_benchmarks ?? {},
      date,
    })) {
      add(f.path, "eval", f.content, "generated:eval-results");
    }
    add("eval-results.json", "eval", renderEvalResultsJson({ report, version }), "generated:eval-results");
    if (chart) add(EVAL_CHART_PATH, "chart", chart, "generated:eval-chart");
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, findings };
}

/**
 * The example image of a vision release: a shipped file (`card.example_image`, staged as
 * `assets/<name>` and linked at the release tag), or an external URL. A URL into the release's
 * own repo must be a shipped file, or the quick start would 404.
 */
function planExampleImage(params: { config: ReleaseConfig; baseDir: string; hubUrl: string; tag: string }): {
  url?: string;
  input?: BundleInput;
  findings: Finding[];
} {
  const { config, baseDir, hubUrl, tag } = params;
  if (config.task !== "image-text-to-text") return { findings: [] };
  const card = config.card;
  if (card.example_image) {
    const name = path.basename(card.example_image);
    const bundlePath = `${ASSETS}/${name}`;
    return {
      url: `${hubUrl}/${config.hub.repo}/resolve/${encodeURIComponent(tag)}/${bundlePath}`,
      input: {
        path: bundlePath,
        role: "example",
        source: { kind: "file", absPath: path.resolve(baseDir, card.example_image) },
        origin: `generated:example-image (${card.example_image})`,
      },
      findings: [],
    };
  }
  const own = `${hubUrl}/${config.hub.repo}/`;
  if (card.example_image_url && !card.example_image_url.startsWith(own))
    return { url: card.example_image_url, findings: [] };
  return {
    findings: [
      {
        rule: "card-example-image",
        severity: "block",
        file: "examples/",
        message: card.example_image_url
          ? `card.example_image_url points into the release repo (${card.example_image_url}), where no such file is published; set card.example_image to the image file so the bundle ships it`
          : "the vision examples need an image: set card.example_image to an image file (shipped as assets/<name>)",
      },
    ],
  };
}
