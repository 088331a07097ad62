import path from "node:path";
import { z } from "zod";
import { inputError, isReleaseError } from "../errors.js";
import { parseYamlWithSchema } from "../config/parse-yaml-with-schema.js";
import type { EvalMetric } from "./types.js";

/**
 * Metrics that are not bounded fractions even when they happen to fall in [0, 1]: perplexities,
 * bits per byte, losses, latencies. Everything else an ingester reads is a score in [0, 1] or a
 * percentage.
 */
const RAW_METRICS = /perplexity|bits_per_byte|bpb|loss|latency|_ms$|_s$|seconds|tokens_per/i;
const LOWER_IS_BETTER = /perplexity|bits_per_byte|bpb|loss|latency|error_rate|false_(accept|reject)|_ms$|_s$|seconds/i;

/** Which file format a result file is in. */
export type EvalFileFormat = "lm-evaluation-harness" | "lighteval" | "opencompass" | "opencompass-summary" | "in-house";

function invalid(file: string, field: string, what: string, hint: string) {
  return inputError("EVAL_INVALID", `${file}: ${field ? `field '${field}' ` : ""}${what}`, {
    hint,
    location: { file, field: field || undefined },
  });
}

function num(file: string, field: string, v: unknown, hint: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  throw invalid(file, field, `must be a finite number, got ${JSON.stringify(v)?.slice(0, 40)}`, hint);
}

/**
 * Parses one evaluation result file into normalised metrics. The format is told from the content,
 * not the name: lm-evaluation-harness (`results` + `versions`/`configs`), lighteval
 * (`config_general`), an OpenCompass per-dataset result (`results/<model>/<dataset>.json`, a flat
 * map of scores in percent) or summary CSV, and in-house YAML (`format: model-release/evals@1`).
 * Pure.
 *
 * @param file the path as written in the config, used in metrics and error messages.
 * @throws ReleaseError `EVAL_INVALID` (input) naming the file and field.
 */
export function parseEvalFile(params: { file: string; text: string }): {
  format: EvalFileFormat;
  metrics: EvalMetric[];
} {
  const { file, text } = params;
  const ext = path.extname(file).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") return { format: "in-house", metrics: parseInHouseYaml(file, text) };
  if (ext === ".csv") return { format: "opencompass-summary", metrics: parseOpenCompassSummary(file, text) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw inputError("EVAL_INVALID", `${file}: not valid JSON (${(cause as Error).message})`, {
      hint: "pass the results_*.json the harness wrote, unmodified",
      location: { file },
      cause,
    });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid(
      file,
      "",
      "must be a JSON object",
      "pass an lm-evaluation-harness, lighteval or OpenCompass result file",
    );
  }
  const obj = json as Record<string, unknown>;
  if ("config_general" in obj) return { format: "lighteval", metrics: parseLighteval(file, obj) };
  if ("results" in obj) return { format: "lm-evaluation-harness", metrics: parseLmEval(file, obj) };
  return { format: "opencompass", metrics: parseOpenCompassResult(file, obj) };
}

const LM_EVAL_HINT =
  "lm-evaluation-harness writes results_<date>.json with 'results', 'versions', 'n-shot' and 'config'; pass that file unmodified";

function parseLmEval(file: string, obj: Record<string, unknown>): EvalMetric[] {
  const results = obj.results;
  if (typeof results !== "object" || results === null || Array.isArray(results))
    throw invalid(file, "results", "must be an object of tasks", LM_EVAL_HINT);
  const nShot = (obj["n-shot"] ?? {}) as Record<string, unknown>;
  const nSamples = (obj["n-samples"] ?? {}) as Record<string, { effective?: unknown; original?: unknown }>;
  const higher = (obj.higher_is_better ?? {}) as Record<string, Record<string, unknown>>;
  const configs = (obj.configs ?? {}) as Record<
    string,
    { dataset_path?: unknown; dataset_name?: unknown; test_split?: unknown }
  >;
  const groupSubtasks = (obj.group_subtasks ?? {}) as Record<string, unknown>;
  const version = typeof obj.lm_eval_version === "string" ? obj.lm_eval_version : undefined;
  // A group's aggregate is what readers compare; its subtasks (57 for MMLU) would drown the card.
  const hidden = new Set<string>();
  for (const [group, subs] of Object.entries(groupSubtasks)) {
    if (group in results && Array.isArray(subs)) for (const s of subs) if (typeof s === "string") hidden.add(s);
  }
  const out: EvalMetric[] = [];
  for (const [task, entry] of Object.entries(results as Record<string, unknown>)) {
    if (hidden.has(task)) continue;
    if (typeof entry !== "object" || entry === null)
      throw invalid(file, `results.${task}`, "must be an object of metrics", LM_EVAL_HINT);
    const e = entry as Record<string, unknown>;
    for (const [key, raw] of Object.entries(e)) {
      if (key === "alias" || key === "name" || key === "sample_len" || key === "sample_count" || key === " ") continue;
      const [metricPart, filterPart] = key.split(",", 2) as [string, string | undefined];
      if (metricPart.endsWith("_stderr")) continue;
      // Group rows in older versions carry an empty-string or "N/A" value for metrics they do not aggregate.
      if (raw === "N/A" || raw === "" || raw === null) continue;
      const value = num(file, `results.${task}.${key}`, raw, LM_EVAL_HINT);
      const stderrRaw = e[filterPart === undefined ? `${metricPart}_stderr` : `${metricPart}_stderr,${filterPart}`];
      const stderr = typeof stderrRaw === "number" && Number.isFinite(stderrRaw) ? stderrRaw : undefined;
      const hib = higher[task]?.[metricPart];
      const cfg = configs[task];
      const samples = nSamples[task]?.effective ?? nSamples[task]?.original;
      const shots = nShot[task];
      const isRaw = RAW_METRICS.test(metricPart) || value < 0 || value > 1;
      out.push({
        benchmark: task,
        metric: metricPart,
        ...(filterPart && filterPart !== "none" ? { filter: filterPart } : {}),
        scale: isRaw ? "raw" : "fraction",
        value,
        stderr,
        higherIsBetter: typeof hib === "boolean" ? hib : !LOWER_IS_BETTER.test(metricPart),
        ...(typeof shots === "number" ? { nShot: shots } : {}),
        ...(typeof samples === "number" ? { samples } : {}),
        ...(cfg && typeof cfg.dataset_path === "string"
          ? {
              dataset: {
                id: cfg.dataset_path,
                ...(typeof cfg.dataset_name === "string" ? { config: cfg.dataset_name } : {}),
                ...(typeof cfg.test_split === "string" ? { split: cfg.test_split } : {}),
              },
            }
          : {}),
        harness: { name: "lm-evaluation-harness", ...(version ? { version } : {}) },
        source: file,
      });
    }
  }
  if (out.length === 0) throw invalid(file, "results", "holds no numeric metric", LM_EVAL_HINT);
  return out;
}

const LIGHTEVAL_HINT =
  "lighteval writes results/<model>/results_<timestamp>.json with 'config_general' and 'results'; pass that file unmodified";

function parseLighteval(file: string, obj: Record<string, unknown>): EvalMetric[] {
  const results = obj.results;
  if (typeof results !== "object" || results === null || Array.isArray(results))
    throw invalid(file, "results", "must be an object of tasks", LIGHTEVAL_HINT);
  const general = (obj.config_general ?? {}) as Record<string, unknown>;
  const version = typeof general.lighteval_sha === "string" ? general.lighteval_sha.slice(0, 12) : undefined;
  const configTasks = (obj.config_tasks ?? {}) as Record<
    string,
    { metrics?: unknown; metric?: unknown; hf_repo?: unknown; hf_subset?: unknown; effective_num_docs?: unknown }
  >;
  const out: EvalMetric[] = [];
  for (const [taskKey, entry] of Object.entries(results as Record<string, unknown>)) {
    if (taskKey === "all") continue; // the average over tasks, recomputable and misleading in a comparison
    if (typeof entry !== "object" || entry === null)
      throw invalid(file, `results.${taskKey}`, "must be an object of metrics", LIGHTEVAL_HINT);
    // "suite|task|fewshot" (older: "suite|task|fewshot|truncate")
    const parts = taskKey.split("|");
    const task = parts.length >= 2 ? parts[1]! : taskKey;
    const shots = parts.length >= 3 ? Number(parts[2]) : NaN;
    const cfg = configTasks[parts.slice(0, 2).join("|")] ?? configTasks[taskKey];
    for (const [metric, raw] of Object.entries(entry as Record<string, unknown>)) {
      if (metric.endsWith("_stderr")) continue;
      const value = num(file, `results.${taskKey}.${metric}`, raw, LIGHTEVAL_HINT);
      const stderr = (entry as Record<string, unknown>)[`${metric}_stderr`];
      const isRaw = RAW_METRICS.test(metric) || value < 0 || value > 1;
      out.push({
        benchmark: task,
        metric,
        scale: isRaw ? "raw" : "fraction",
        value,
        ...(typeof stderr === "number" && Number.isFinite(stderr) ? { stderr } : {}),
        higherIsBetter: !LOWER_IS_BETTER.test(metric),
        ...(Number.isInteger(shots) ? { nShot: shots } : {}),
        ...(typeof cfg?.effective_num_docs === "number" ? { samples: cfg.effective_num_docs } : {}),
        ...(typeof cfg?.hf_repo === "string"
          ? { dataset: { id: cfg.hf_repo, ...(typeof cfg.hf_subset === "string" ? { config: cfg.hf_subset } : {}) } }
          : {}),
        harness: { name: "lighteval", ...(version ? { version } : {}) },
        source: file,
      });
    }
  }
  if (out.length === 0) throw invalid(file, "results", "holds no numeric metric", LIGHTEVAL_HINT);
  return out;
}

const OPENCOMPASS_HINT =
  "pass outputs/default/<time>/results/<model>/<dataset>.json (scores in percent) or summary/summary_<time>.csv";

function parseOpenCompassResult(file: string, obj: Record<string, unknown>): EvalMetric[] {
  if ("error" in obj)
    throw invalid(
      file,
      "error",
      `records a failed evaluation: ${String(obj.error).slice(0, 80)}`,
      "re-run the evaluation, or leave this file out",
    );
  const benchmark = path.basename(file, path.extname(file));
  const out: EvalMetric[] = [];
  for (const [metric, raw] of Object.entries(obj)) {
    if (metric === "details" || metric === "type") continue;
    if (typeof raw !== "number") continue; // OpenCompass's own summarizer keeps numeric values only
    out.push(openCompassMetric(file, benchmark, metric, raw));
  }
  if (out.length === 0)
    throw invalid(
      file,
      "",
      "holds no numeric score (is it an OpenCompass results/<model>/<dataset>.json?)",
      OPENCOMPASS_HINT,
    );
  return out;
}

function openCompassMetric(file: string, benchmark: string, metric: string, value: number): EvalMetric {
  // OpenCompass reports scores in percent (accuracy: 75.3); raw metrics stay as they are.
  const isRaw = RAW_METRICS.test(metric) || value < 0 || value > 100;
  return {
    benchmark,
    metric,
    scale: isRaw ? "raw" : "fraction",
    value: isRaw ? value : value / 100,
    higherIsBetter: !LOWER_IS_BETTER.test(metric),
    harness: { name: "opencompass" },
    source: file,
  };
}

function parseOpenCompassSummary(file: string, text: string): EvalMetric[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines[0]?.split(",").map((s) => s.trim()) ?? [];
  if (header[0] !== "dataset" || header[2] !== "metric" || header.length < 5) {
    throw invalid(
      file,
      "header",
      `must start with 'dataset,version,metric,mode,<model>', got '${lines[0]?.slice(0, 60) ?? ""}'`,
      OPENCOMPASS_HINT,
    );
  }
  const out: EvalMetric[] = [];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(",").map((s) => s.trim());
    const cell = cells[4];
    if (cell === undefined || cell === "-" || cell === "") return; // '-' marks a dataset the model was not run on
    const value = Number(cell);
    if (!Number.isFinite(value))
      throw invalid(file, `line ${i + 2} ${header[4]}`, `must be a number or '-', got '${cell}'`, OPENCOMPASS_HINT);
    out.push(openCompassMetric(file, cells[0]!, cells[2]!, value));
  });
  if (out.length === 0) throw invalid(file, "", "holds no score", OPENCOMPASS_HINT);
  return out;
}

/** A score given as a fraction (0.873), a percentage string ("87.3%") or a number with `unit: percent`. */
const scoreSchema = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?\s*%$/)], {
  message: "must be a number (0.873) or a percentage ('87.3%')",
});

const inHouseMetricSchema = z.strictObject({
  name: z.string().min(1),
  value: scoreSchema,
  stderr: scoreSchema.optional(),
  unit: z
    .enum(["fraction", "percent", "raw"])
    .optional()
    .describe("How to read a bare number; default fraction if in [0,1], else an error."),
  slice: z.string().optional().describe("Disaggregation, e.g. a defect class or robot model."),
  higher_is_better: z.boolean().optional(),
});

/** The in-house benchmark format: a plain YAML file per model and harness run. */
export const inHouseEvalSchema = z.strictObject({
  format: z.literal("model-release/evals@1"),
  harness: z.strictObject({ name: z.string().min(1), version: z.string().optional() }),
  model: z.string().optional(),
  benchmarks: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        description: z.string().optional(),
        dataset: z
          .strictObject({
            id: z.string().optional(),
            config: z.string().optional(),
            split: z.string().optional(),
            revision: z.string().optional(),
          })
          .optional(),
        hub_benchmark: z
          .strictObject({ dataset: z.string(), task_id: z.string() })
          .optional()
          .describe("Registered Hub benchmark, for .eval_results/"),
        n_shot: z.number().int().nonnegative().optional(),
        samples: z.number().int().positive().optional(),
        metrics: z.array(inHouseMetricSchema).min(1),
      }),
    )
    .min(1),
});

const IN_HOUSE_HINT =
  "in-house results use format: model-release/evals@1 with harness, benchmarks[].metrics[] (see samples/evals/release/in-house.yaml)";

function parseInHouseYaml(file: string, text: string): EvalMetric[] {
  let doc: z.infer<typeof inHouseEvalSchema>;
  try {
    doc = parseYamlWithSchema({ text, file, schema: inHouseEvalSchema, hint: IN_HOUSE_HINT });
  } catch (err) {
    // Same located message, but a results file is input, not configuration.
    if (isReleaseError(err))
      throw inputError(
        "EVAL_INVALID",
        err.message.replace(" is not a valid config ", " is not a valid in-house results file "),
        { hint: IN_HOUSE_HINT, location: err.location, details: err.details },
      );
    throw err;
  }
  const out: EvalMetric[] = [];
  doc.benchmarks.forEach((b, bi) => {
    b.metrics.forEach((m, mi) => {
      const field = `benchmarks.${bi}.metrics.${mi}`;
      const value = normaliseScore(file, `${field}.value`, m.value, m.unit);
      const stderr = m.stderr === undefined ? undefined : normaliseScore(file, `${field}.stderr`, m.stderr, m.unit);
      out.push({
        benchmark: b.name,
        metric: m.name,
        ...(m.slice ? { slice: m.slice } : {}),
        scale: value.scale,
        value: value.value,
        stderr: stderr?.value,
        higherIsBetter: m.higher_is_better ?? !LOWER_IS_BETTER.test(m.name),
        nShot: b.n_shot,
        samples: b.samples,
        dataset: b.dataset,
        hubBenchmark: b.hub_benchmark && { datasetId: b.hub_benchmark.dataset, taskId: b.hub_benchmark.task_id },
        harness: {
          name: "in-house",
          version: doc.harness.version ? `${doc.harness.name} ${doc.harness.version}` : doc.harness.name,
        },
        source: file,
      });
    });
  });
  return out;
}

function normaliseScore(
  file: string,
  field: string,
  v: number | string,
  unit: "fraction" | "percent" | "raw" | undefined,
): { value: number; scale: "fraction" | "raw" } {
  if (typeof v === "string") return { value: Number(v.replace("%", "").trim()) / 100, scale: "fraction" };
  if (unit === "raw") return { value: v, scale: "raw" };
  if (unit === "percent") {
    if (v < 0 || v > 100) throw invalid(file, field, `is ${v}, outside 0..100 for unit: percent`, IN_HOUSE_HINT);
    return { value: v / 100, scale: "fraction" };
  }
  // A bare 87.3 is probably a percentage, but guessing would silently turn 1.5 (a raw score) into
  // 0.015; ask for the unit instead.
  if (v < 0 || v > 1)
    throw invalid(
      file,
      field,
      `is ${v}: a bare number must be a fraction in 0..1`,
      "write '87.3%', or add unit: percent or unit: raw to the metric",
    );
  return { value: v, scale: "fraction" };
}
