import { Scalar, stringify } from "yaml";
import type { EvalComparisonRow, EvalMetric, EvalReport } from "./types.js";

/** A score as the Hub shows it: fractions as percentages with two decimals, raw values as they are. */
export function hubValue(value: number, scale: "fraction" | "raw"): number {
  return scale === "fraction" ? Math.round(value * 10000) / 100 : Number(value.toPrecision(6));
}

/**
 * The metric's display name. model-index has no direction field, so a lower-is-better metric
 * (false accept rate, error rate) says so in its name: a reader must not rank it the wrong way.
 */
function metricName(r: Pick<EvalMetric, "metric" | "filter" | "slice" | "higherIsBetter">): string {
  return `${r.metric}${r.filter ? ` (${r.filter})` : ""}${r.slice ? ` [${r.slice}]` : ""}${r.higherIsBetter ? "" : " (lower is better)"}`;
}

/**
 * The card's `model-index` (hub-docs modelcard.md): one result per benchmark, the release's
 * metrics only. `dataset.type` is the Hub dataset id when known, else the benchmark name: the only
 * structured place for private in-house benchmarks. Pure.
 */
export function renderModelIndex(params: { name: string; task: string; report: EvalReport }): unknown[] {
  const { name, task, report } = params;
  const byBenchmark = new Map<string, EvalComparisonRow[]>();
  for (const r of report.comparison.rows) {
    const list = byBenchmark.get(r.benchmark) ?? [];
    list.push(r);
    byBenchmark.set(r.benchmark, list);
  }
  const results = [...byBenchmark.entries()].map(([benchmark, rows]) => {
    const ds = rows[0]!.release.dataset;
    return {
      task: { type: task },
      dataset: {
        type: ds?.id ?? benchmark,
        name: benchmark,
        ...(ds?.config ? { config: ds.config } : {}),
        ...(ds?.split ? { split: ds.split } : {}),
        ...(ds?.revision ? { revision: ds.revision } : {}),
      },
      metrics: rows.map((r) => ({
        type: r.metric,
        value: hubValue(r.release.value, r.scale),
        name: metricName(r),
        ...(r.release.nShot !== undefined ? { args: { n_shot: r.release.nShot } } : {}),
      })),
    };
  });
  return [{ name, results }];
}

/**
 * `.eval_results/<benchmark>.yaml` files (hub-docs eval_results.yaml) for the benchmarks that are
 * registered on the Hub: those an in-house file marks with `hub_benchmark`, or that the config
 * maps in `evals.hub_benchmarks`. One file per benchmark, each a YAML list with one entry: the
 * first metric of the benchmark, or the one the mapping names. Pure.
 */
export function renderEvalResultsFiles(params: {
  report: EvalReport;
  hubBenchmarks: Record<string, { dataset: string; task_id: string; metric?: string }>;
  /** Quoted ISO date; without it the Hub uses the commit time. */
  date?: string;
}): { path: string; content: string }[] {
  const { report, hubBenchmarks, date } = params;
  const out: { path: string; content: string }[] = [];
  const done = new Set<string>();
  for (const r of report.comparison.rows) {
    if (done.has(r.benchmark) || r.slice) continue;
    const mapped = hubBenchmarks[r.benchmark];
    const target = mapped ? { datasetId: mapped.dataset, taskId: mapped.task_id } : r.release.hubBenchmark;
    if (!target) continue;
    if (mapped?.metric && mapped.metric !== r.metric && mapped.metric !== `${r.metric},${r.filter ?? "none"}`) continue;
    done.add(r.benchmark);
    const m = r.release;
    const notes = [
      // In-house files name their own tool in `version` ("drl-bench 0.4.2").
      m.harness.name === "in-house"
        ? (m.harness.version ?? "in-house")
        : `${m.harness.name}${m.harness.version ? ` ${m.harness.version}` : ""}`,
      metricName(m),
      m.nShot !== undefined ? `${m.nShot}-shot` : undefined,
      m.samples !== undefined ? `${m.samples} samples` : undefined,
    ]
      .filter(Boolean)
      .join(", ");
    const entry = [
      {
        dataset: { id: target.datasetId, task_id: target.taskId },
        value: hubValue(m.value, m.scale),
        ...(date ? { date: quoted(date) } : {}),
        notes,
      },
    ];
    out.push({
      path: `.eval_results/${r.benchmark.replace(/[^A-Za-z0-9._-]/g, "_")}.yaml`,
      content: stringify(entry, { lineWidth: 0 }),
    });
  }
  return out;
}

/** `eval-results.json`: every normalised metric of every run and the comparison, for machines. Pure. */
export function renderEvalResultsJson(params: { report: EvalReport; version: string }): string {
  const { report, version } = params;
  const run = (r: EvalReport["release"] | undefined) =>
    r ? { label: r.label, files: r.files, metrics: r.metrics } : undefined;
  const doc = {
    schema: "model-release/eval-results@1",
    version,
    threshold: report.comparison.threshold,
    allowRegression: report.comparison.allowRegression,
    runs: { release: run(report.release), base: run(report.base), previous: run(report.previous) },
    comparison: report.comparison.rows.map(({ release, ...rest }) => ({
      ...rest,
      value: release.value,
      stderr: release.stderr,
    })),
    regressions: report.comparison.regressions.map((r) => r.key),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The spec wants `date` as a quoted ISO-8601 string, so YAML 1.1 readers do not turn it into a timestamp. */
function quoted(s: string): Scalar {
  const node = new Scalar(s);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}
