import type { Finding } from "../findings.js";
import type { EvalComparison, EvalComparisonRow, EvalMetric, EvalRun } from "./types.js";

/** The row key: one benchmark, metric, filter and slice. */
export function evalMetricKey(m: Pick<EvalMetric, "benchmark" | "metric" | "filter" | "slice">): string {
  return `${m.benchmark}/${m.metric}${m.filter ? `/${m.filter}` : ""}${m.slice ? `@${m.slice}` : ""}`;
}

/**
 * Compares the release's metrics with the base model's and the previous release's. Pure.
 *
 * A drop is measured in the direction of "better" (higher-is-better or not). For fractions the
 * threshold is absolute (0.01 = one point); for raw metrics (perplexity) it is relative to the
 * previous value, since they have no fixed range. A drop beyond the threshold against the
 * previous release is a regression: a blocking finding unless `allowRegression`, then a warning.
 * A drop against the base model is reported (fine-tunes often trade general skills for the
 * domain), never blocking.
 */
export function compareEvals(params: {
  release: EvalRun;
  base?: EvalRun;
  previous?: EvalRun;
  threshold: number;
  allowRegression?: boolean;
}): EvalComparison {
  const { release, base, previous, threshold } = params;
  const allowRegression = params.allowRegression ?? false;
  const index = (run?: EvalRun) => new Map((run?.metrics ?? []).map((m) => [evalMetricKey(m), m] as const));
  const baseIdx = index(base);
  const prevIdx = index(previous);
  const rows: EvalComparisonRow[] = [];
  const seen = new Set<string>();
  for (const m of release.metrics) {
    const key = evalMetricKey(m);
    if (seen.has(key)) continue; // the first file listed wins; duplicates are reported by readEvalReport
    seen.add(key);
    const b = baseIdx.get(key)?.value;
    const p = prevIdx.get(key)?.value;
    const sign = m.higherIsBetter ? 1 : -1;
    const gain = (other: number | undefined) => (other === undefined ? undefined : round((m.value - other) * sign));
    const limit = (other: number) => (m.scale === "fraction" ? threshold : threshold * Math.abs(other));
    const gainOverBase = gain(b);
    const gainOverPrevious = gain(p);
    rows.push({
      key,
      benchmark: m.benchmark,
      metric: m.metric,
      filter: m.filter,
      slice: m.slice,
      scale: m.scale,
      higherIsBetter: m.higherIsBetter,
      release: m,
      base: b,
      previous: p,
      gainOverBase,
      gainOverPrevious,
      regression: p !== undefined && gainOverPrevious !== undefined && -gainOverPrevious > limit(p) + 1e-12,
      belowBase: b !== undefined && gainOverBase !== undefined && -gainOverBase > limit(b) + 1e-12,
    });
  }
  const regressions = rows.filter((r) => r.regression);
  const findings: Finding[] = regressions.map((r) => ({
    rule: "eval-regression",
    severity: allowRegression ? "warn" : "block",
    file: r.release.source,
    message:
      `${r.key} dropped from ${fmt(r.previous!, r.scale)} (${previous?.label ?? "previous"}) to ${fmt(r.release.value, r.scale)}, ` +
      `beyond the regression threshold of ${r.scale === "fraction" ? points(threshold) : `${round(threshold * 100)}%`}` +
      (allowRegression
        ? " (allowed by --allow-regression)"
        : "; pass --allow-regression to release anyway, and the card will say so"),
  }));
  for (const r of rows.filter((x) => x.belowBase)) {
    findings.push({
      rule: "eval-below-base",
      severity: "warn",
      file: r.release.source,
      message: `${r.key} is ${fmt(r.release.value, r.scale)}, below the base model's ${fmt(r.base!, r.scale)}`,
    });
  }
  return { threshold, allowRegression, rows, regressions, findings };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A metric value for messages and tables: fractions as percentages with one decimal. */
export function fmt(value: number, scale: "fraction" | "raw"): string {
  return scale === "fraction" ? `${(value * 100).toFixed(1)}%` : String(Number(value.toPrecision(4)));
}

/** "1 point", "2 points", "0.5 points": a fraction threshold in percentage points. */
export function points(threshold: number): string {
  const n = round(threshold * 100);
  return `${n} point${n === 1 ? "" : "s"}`;
}
