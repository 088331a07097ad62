/**
 * Normalised evaluation results. Every ingester (lm-evaluation-harness, lighteval, OpenCompass,
 * in-house YAML) produces `EvalMetric`s; compare and render only ever see this shape.
 * Owned by src/evals; the card reads it.
 */
import type { Finding } from "../findings.js";

export type EvalHarness = "lm-evaluation-harness" | "lighteval" | "opencompass" | "in-house";

/** Which model a run measured. */
export type EvalRole = "release" | "base" | "previous";

export interface EvalMetric {
  /** Benchmark (task) name as the harness spells it, e.g. `gsm8k`, `jobfile-to-drl`. */
  benchmark: string;
  /** Metric name without harness decoration, e.g. `exact_match`, `f1`. */
  metric: string;
  /** lm-eval filter (`strict-match`), when not `none`. */
  filter?: string;
  /** Disaggregation slice, e.g. a defect class (`porosity`) or a robot model. */
  slice?: string;
  /** `fraction`: value in [0, 1] (percentages are divided by 100 on ingest). `raw`: as measured. */
  scale: "fraction" | "raw";
  value: number;
  /** Standard error on the same scale as `value`. */
  stderr?: number;
  higherIsBetter: boolean;
  nShot?: number;
  /** Number of evaluated samples. */
  samples?: number;
  /** Dataset facts for `model-index`. */
  dataset?: { id?: string; config?: string; split?: string; revision?: string };
  /** Registered Hub benchmark for `.eval_results/*.yaml`, when the benchmark is on the allow-list. */
  hubBenchmark?: { datasetId: string; taskId: string };
  harness: { name: EvalHarness; version?: string };
  /** Path (as given in the config) of the file this metric came from. */
  source: string;
}

export interface EvalRun {
  role: EvalRole;
  /** Shown in the card and chart: the version or the base model id. */
  label: string;
  files: string[];
  metrics: EvalMetric[];
}

export interface EvalComparisonRow {
  /** `benchmark/metric[/filter][@slice]`, unique within a run. */
  key: string;
  benchmark: string;
  metric: string;
  filter?: string;
  slice?: string;
  scale: "fraction" | "raw";
  higherIsBetter: boolean;
  release: EvalMetric;
  base?: number;
  previous?: number;
  /** release − base and release − previous, signed so that positive is better. */
  gainOverBase?: number;
  gainOverPrevious?: number;
  /** A drop beyond the threshold against the previous release. */
  regression: boolean;
  /** A drop beyond the threshold against the base model (reported, never blocking). */
  belowBase: boolean;
}

export interface EvalComparison {
  threshold: number;
  allowRegression: boolean;
  rows: EvalComparisonRow[];
  regressions: EvalComparisonRow[];
  findings: Finding[];
}

export interface EvalReport {
  release: EvalRun;
  base?: EvalRun;
  previous?: EvalRun;
  comparison: EvalComparison;
}
