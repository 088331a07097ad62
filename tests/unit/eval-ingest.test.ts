import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseReleaseConfig } from "../../src/config/load-release-config.js";
import { compareEvals } from "../../src/evals/compare-evals.js";
import { parseEvalFile } from "../../src/evals/parse-eval-file.js";
import { readEvalReport } from "../../src/evals/read-eval-report.js";
import type { EvalMetric, EvalRun } from "../../src/evals/types.js";
import { releaseErrorOf } from "../lib/release-error-of.js";

const root = path.resolve(import.meta.dirname, "../..");
const sample = (p: string) => readFileSync(path.join(root, "samples/evals", p), "utf8");

describe("parseEvalFile: lm-evaluation-harness", () => {
  it("reads results_*.json: metric,filter keys, stderr, n-shot, samples, dataset, version", () => {
    const { format, metrics } = parseEvalFile({
      file: "release/results.json",
      text: sample("release/results_2026-11-01T10-00-00.json"),
    });
    expect(format).toBe("lm-evaluation-harness");
    const gsm = metrics.find((m) => m.benchmark === "gsm8k" && m.filter === "strict-match")!;
    expect(gsm).toEqual({
      benchmark: "gsm8k",
      metric: "exact_match",
      filter: "strict-match",
      scale: "fraction",
      value: 0.4511,
      stderr: expect.closeTo(0.0137, 3),
      higherIsBetter: true,
      nShot: 5,
      samples: 1319,
      dataset: { id: "openai/gsm8k", config: "main", split: "test" },
      harness: { name: "lm-evaluation-harness", version: "0.4.9.1" },
      source: "release/results.json",
    });
    expect(metrics.map((m) => `${m.benchmark}/${m.metric}${m.filter ? `/${m.filter}` : ""}`)).toEqual([
      "arc_challenge/acc",
      "arc_challenge/acc_norm",
      "gsm8k/exact_match/strict-match",
      "gsm8k/exact_match/flexible-extract",
      "humaneval/pass@1/create_test",
    ]);
  });

  it("reads the legacy flat format and treats perplexity as a raw, lower-is-better metric", () => {
    const text = JSON.stringify({
      results: {
        arc_challenge: { acc: 0.2662, acc_stderr: 0.0129 },
        lambada_openai: { ppl: 3.5, acc: 0.7, perplexity: 3.5 },
      },
      versions: { arc_challenge: "2.0" },
    });
    const ms = parseEvalFile({ file: "old.json", text }).metrics;
    expect(ms.find((m) => m.benchmark === "arc_challenge")).toMatchObject({
      metric: "acc",
      value: 0.2662,
      stderr: 0.0129,
      scale: "fraction",
    });
    expect(ms.find((m) => m.metric === "perplexity")).toMatchObject({
      scale: "raw",
      higherIsBetter: false,
      value: 3.5,
    });
    expect(ms.find((m) => m.metric === "ppl")).toMatchObject({ scale: "raw" });
  });

  it("hides subtasks of a reported group", () => {
    const text = JSON.stringify({
      results: {
        mmlu: { "acc,none": 0.6, "acc_stderr,none": 0.004 },
        mmlu_anatomy: { "acc,none": 0.5 },
        other: { "acc,none": 0.1 },
      },
      group_subtasks: { mmlu: ["mmlu_anatomy"] },
    });
    expect(parseEvalFile({ file: "g.json", text }).metrics.map((m) => m.benchmark)).toEqual(["mmlu", "other"]);
  });

  it("names the file and field of a malformed value", () => {
    const text = JSON.stringify({ results: { gsm8k: { "exact_match,strict-match": "high" } }, versions: {} });
    const err = releaseErrorOf(() => parseEvalFile({ file: "evals/r.json", text }));
    expect(err.code).toBe("EVAL_INVALID");
    expect(err.category).toBe("input");
    expect(err.message).toMatchInlineSnapshot(
      `"evals/r.json: field 'results.gsm8k.exact_match,strict-match' must be a finite number, got "high""`,
    );
    expect(err.location).toEqual({ file: "evals/r.json", field: "results.gsm8k.exact_match,strict-match" });
  });

  it("rejects broken JSON and a results field that is not an object", () => {
    expect(releaseErrorOf(() => parseEvalFile({ file: "a.json", text: "{" })).message).toMatch(
      /^a\.json: not valid JSON/,
    );
    expect(
      releaseErrorOf(() => parseEvalFile({ file: "a.json", text: '{"results": [1]}' })).message,
    ).toMatchInlineSnapshot(`"a.json: field 'results' must be an object of tasks"`);
    expect(
      releaseErrorOf(() => parseEvalFile({ file: "a.json", text: '{"results": {}}' })).message,
    ).toMatchInlineSnapshot(`"a.json: field 'results' holds no numeric metric"`);
  });
});

describe("parseEvalFile: lighteval and OpenCompass", () => {
  it("reads lighteval results: suite|task|shots keys, skips 'all'", () => {
    const text = JSON.stringify({
      config_general: { lighteval_sha: "3fd1526aabbccdd", model_name: "acme/m" },
      results: { "lighteval|gsm8k|5": { em: 0.45, em_stderr: 0.013 }, all: { em: 0.45 } },
      versions: { "lighteval|gsm8k": 0 },
      config_tasks: { "lighteval|gsm8k": { hf_repo: "openai/gsm8k", hf_subset: "main", effective_num_docs: 1319 } },
    });
    const { format, metrics } = parseEvalFile({ file: "l.json", text });
    expect(format).toBe("lighteval");
    expect(metrics).toEqual([
      {
        benchmark: "gsm8k",
        metric: "em",
        scale: "fraction",
        value: 0.45,
        stderr: 0.013,
        higherIsBetter: true,
        nShot: 5,
        samples: 1319,
        dataset: { id: "openai/gsm8k", config: "main" },
        harness: { name: "lighteval", version: "3fd1526aabbc" },
        source: "l.json",
      },
    ]);
  });

  it("reads an OpenCompass per-dataset result in percent, dropping details", () => {
    const { format, metrics } = parseEvalFile({
      file: "results/m/gsm8k.json",
      text: JSON.stringify({ accuracy: 75.3, details: { "0": {} } }),
    });
    expect(format).toBe("opencompass");
    expect(metrics).toEqual([
      expect.objectContaining({
        benchmark: "gsm8k",
        metric: "accuracy",
        value: expect.closeTo(0.753, 6),
        scale: "fraction",
      }),
    ]);
    expect(
      releaseErrorOf(() => parseEvalFile({ file: "results/m/x.json", text: '{"error": "OOM"}' })).message,
    ).toMatchInlineSnapshot(`"results/m/x.json: field 'error' records a failed evaluation: OOM"`);
  });

  it("reads an OpenCompass summary CSV, skipping '-' cells", () => {
    const csv = "dataset,version,metric,mode,acme-m\ngsm8k,1d7fe4,accuracy,gen,75.30\nmath,393424,accuracy,gen,-\n";
    expect(
      parseEvalFile({ file: "summary/summary_1.csv", text: csv }).metrics.map((m) => [m.benchmark, m.value]),
    ).toEqual([["gsm8k", expect.closeTo(0.753, 6)]]);
    expect(
      releaseErrorOf(() =>
        parseEvalFile({ file: "s.csv", text: "dataset,version,metric,mode,m\ngsm8k,1,accuracy,gen,abc\n" }),
      ).message,
    ).toMatchInlineSnapshot(`"s.csv: field 'line 2 m' must be a number or '-', got 'abc'"`);
  });
});

describe("parseEvalFile: in-house YAML", () => {
  it("normalises fractions, percentage strings and unit: percent", () => {
    const { metrics } = parseEvalFile({ file: "release/in-house.yaml", text: sample("release/in-house.yaml") });
    expect(metrics.map((m) => [m.benchmark, m.metric, m.value])).toEqual([
      ["jobfile-to-drl", "exact_match", 0.612],
      ["jobfile-to-drl", "drl_syntax_valid", expect.closeTo(0.973, 9)],
      ["jobfile-to-drl", "sim_pass_rate", 0.881],
      ["drl-to-jobfile", "exact_match", 0.547],
    ]);
    expect(metrics[0]).toMatchObject({
      samples: 412,
      nShot: 0,
      harness: { name: "in-house", version: "drl-bench 0.4.2" },
      dataset: { id: "demo-org/jobfile-drl-bench", split: "test" },
    });
    const pct =
      "format: model-release/evals@1\nharness: {name: qc}\nbenchmarks:\n  - name: defects\n    metrics:\n      - {name: f1, value: 91.5, unit: percent, slice: porosity}\n";
    expect(parseEvalFile({ file: "p.yaml", text: pct }).metrics[0]).toMatchObject({
      value: expect.closeTo(0.915, 9),
      slice: "porosity",
    });
  });

  it("refuses a bare number above 1 instead of guessing, naming file and field", () => {
    const text =
      "format: model-release/evals@1\nharness: {name: qc}\nbenchmarks:\n  - name: defects\n    metrics:\n      - {name: f1, value: 91.5}\n";
    const err = releaseErrorOf(() => parseEvalFile({ file: "q.yaml", text }));
    expect(err.message).toMatchInlineSnapshot(
      `"q.yaml: field 'benchmarks.0.metrics.0.value' is 91.5: a bare number must be a fraction in 0..1"`,
    );
    expect(err.hint).toMatch(/unit: percent/);
  });

  it("reports schema problems with line and field", () => {
    const text =
      "format: model-release/evals@1\nharness: {name: qc}\nbenchmarks:\n  - name: defects\n    metrics:\n      - {name: f1, valu: 0.9}\n";
    const err = releaseErrorOf(() => parseEvalFile({ file: "s.yaml", text }));
    expect(err.code).toBe("EVAL_INVALID");
    expect(err.message).toMatchInlineSnapshot(`
      "s.yaml is not a valid in-house results file (1 problem):
        s.yaml:6:20 benchmarks.0.metrics.0.valu: unknown field 'valu': did you mean 'value'?"
    `);
  });
});

const metric = (over: Partial<EvalMetric>): EvalMetric => ({
  benchmark: "b",
  metric: "acc",
  scale: "fraction",
  value: 0.5,
  higherIsBetter: true,
  harness: { name: "in-house" },
  source: "r.yaml",
  ...over,
});
const run = (role: EvalRun["role"], metrics: EvalMetric[], label: string = role): EvalRun => ({
  role,
  label,
  files: [],
  metrics,
});

describe("compareEvals", () => {
  it("blocks a drop beyond the threshold against the previous release, unless allowed", () => {
    const release = run("release", [metric({ value: 0.5 }), metric({ benchmark: "c", value: 0.7 })]);
    const previous = run("previous", [metric({ value: 0.53 }), metric({ benchmark: "c", value: 0.705 })], "v0.9.0");
    const c = compareEvals({ release, previous, threshold: 0.02 });
    expect(c.regressions.map((r) => r.key)).toEqual(["b/acc"]);
    expect(c.findings.map((f) => [f.rule, f.severity])).toEqual([["eval-regression", "block"]]);
    expect(c.findings[0]!.message).toMatchInlineSnapshot(
      `"b/acc dropped from 53.0% (v0.9.0) to 50.0%, beyond the regression threshold of 2 points; pass --allow-regression to release anyway, and the card will say so"`,
    );
    const allowed = compareEvals({ release, previous, threshold: 0.02, allowRegression: true });
    expect(allowed.findings.map((f) => f.severity)).toEqual(["warn"]);
    expect(allowed.regressions).toHaveLength(1);
  });

  it("respects lower-is-better and uses a relative threshold for raw metrics", () => {
    const release = run("release", [
      metric({ metric: "perplexity", scale: "raw", higherIsBetter: false, value: 10.5 }),
    ]);
    const previous = run("previous", [
      metric({ metric: "perplexity", scale: "raw", higherIsBetter: false, value: 10 }),
    ]);
    expect(compareEvals({ release, previous, threshold: 0.04 }).regressions).toHaveLength(1); // +5% > 4%
    expect(compareEvals({ release, previous, threshold: 0.06 }).regressions).toHaveLength(0);
  });

  it("reports a drop against the base as a warning only, and matches slices separately", () => {
    const release = run("release", [metric({ slice: "dent", value: 0.6 }), metric({ slice: "burr", value: 0.9 })]);
    const base = run("base", [metric({ slice: "dent", value: 0.8 }), metric({ slice: "burr", value: 0.5 })]);
    const c = compareEvals({ release, base, threshold: 0.01 });
    expect(c.rows.map((r) => [r.key, r.belowBase, r.gainOverBase])).toEqual([
      ["b/acc@dent", true, -0.2],
      ["b/acc@burr", false, 0.4],
    ]);
    expect(c.findings.map((f) => [f.rule, f.severity])).toEqual([["eval-below-base", "warn"]]);
  });
});

describe("readEvalReport", () => {
  it("reads the demo's release, base and previous results", async () => {
    const config = parseReleaseConfig(readFileSync(path.join(root, "release-configs/demo.yaml"), "utf8"));
    const report = (await readEvalReport({ config, baseDir: path.join(root, "release-configs"), version: "1.0.0" }))!;
    expect(report.release.label).toBe("v1.0.0");
    expect(report.base?.label).toBe("openai/gpt-oss-120b");
    expect(report.previous?.label).toBe("v0.9.0");
    expect(report.comparison.rows).toHaveLength(9);
    expect(report.comparison.rows.every((r) => r.base !== undefined && r.previous !== undefined)).toBe(true);
    expect(report.comparison.findings).toEqual([]);
  });

  it("names a missing file and the config field", async () => {
    const config = parseReleaseConfig(
      "name: x\ncheckpoint: c\nbase_model: a/b\ntask: text-generation\nhub: {repo: a/c}\nevals:\n  results: [nope.json]\n",
    );
    await expect(readEvalReport({ config, baseDir: root })).rejects.toMatchObject({
      code: "EVAL_NOT_FOUND",
      message: expect.stringMatching(/^cannot read evaluation file nope\.json \(evals\.results\): ENOENT/),
    });
  });
});

describe("renderEvalResultsFiles", () => {
  it("writes an in-house benchmark only once the config maps it to a registered Hub benchmark", async () => {
    const { renderEvalResultsFiles } = await import("../../src/evals/render-eval-outputs.js");
    const y = `format: model-release/evals@1
harness: {name: drl-bench, version: 0.4.2}
benchmarks:
  - name: drl-conversion
    samples: 240
    metrics:
      - {name: exact_match, value: 0.81}
      - {name: error_rate, value: 0.04}
  - name: cell-audit
    metrics:
      - {name: exact_match, value: 0.7}
`;
    const release = run("release", parseEvalFile({ file: "r.yaml", text: y }).metrics);
    const report = { release, comparison: compareEvals({ release, threshold: 0.01 }) };
    // Not registered: the Hub documents .eval_results only for Benchmark datasets.
    expect(renderEvalResultsFiles({ report, hubBenchmarks: {} })).toEqual([]);
    const files = renderEvalResultsFiles({
      report,
      hubBenchmarks: { "drl-conversion": { dataset: "acme/drl-bench", task_id: "conversion", metric: "exact_match" } },
      date: "2026-12-01",
    });
    expect(files).toEqual([
      {
        path: ".eval_results/drl-conversion.yaml",
        content:
          '- dataset:\n    id: acme/drl-bench\n    task_id: conversion\n  value: 81\n  date: "2026-12-01"\n  notes: drl-bench 0.4.2, exact_match, 240 samples\n',
      },
    ]);
  });

  it("writes one .eval_results file per registered benchmark, skipping private ones and slices", async () => {
    const { renderEvalResultsFiles } = await import("../../src/evals/render-eval-outputs.js");
    const y = `format: model-release/evals@1
harness: {name: inspect-ai, version: 0.3.140}
benchmarks:
  - name: hle
    hub_benchmark: {dataset: cais/hle, task_id: hle}
    n_shot: 0
    metrics:
      - {name: accuracy, value: "20.9%"}
      - {name: accuracy, value: 0.3, slice: math}
  - name: private-bench
    metrics:
      - {name: accuracy, value: 0.5}
`;
    const release = run("release", parseEvalFile({ file: "r.yaml", text: y }).metrics);
    const files = renderEvalResultsFiles({
      report: { release, comparison: compareEvals({ release, threshold: 0.01 }) },
      hubBenchmarks: {},
    });
    expect(files).toEqual([
      {
        path: ".eval_results/hle.yaml",
        content:
          "- dataset:\n    id: cais/hle\n    task_id: hle\n  value: 20.9\n  notes: inspect-ai 0.3.140, accuracy, 0-shot\n",
      },
    ]);
  });
});
