import { readFile } from "node:fs/promises";
import path from "node:path";
import { inputError } from "../errors.js";
import type { ReleaseConfig } from "../config/schema.js";
import type { Finding } from "../findings.js";
import { compareEvals, evalMetricKey } from "./compare-evals.js";
import { parseEvalFile } from "./parse-eval-file.js";
import type { EvalReport, EvalRole, EvalRun } from "./types.js";

/**
 * Reads the evaluation files named in `config.evals` (paths relative to `baseDir`, the config's
 * folder), normalises them and compares release, base and previous.
 *
 * @returns the report; `comparison.findings` holds regressions (blocking unless `allowRegression`).
 * @throws ReleaseError `EVAL_NOT_FOUND` / `EVAL_INVALID` (input) naming the file and field;
 *   `EVAL_DUPLICATE` when two files of one run report the same metric.
 */
export async function readEvalReport(params: {
  config: ReleaseConfig;
  baseDir: string;
  allowRegression?: boolean;
  version?: string;
}): Promise<EvalReport | undefined> {
  const { config, baseDir } = params;
  const evals = config.evals;
  if (!evals || evals.results.length === 0) return undefined;
  const readRun = async (role: EvalRole, files: string[], label: string): Promise<EvalRun | undefined> => {
    if (files.length === 0) return undefined;
    const run: EvalRun = { role, label, files, metrics: [] };
    const seen = new Map<string, string>();
    for (const rel of files) {
      let text: string;
      try {
        text = await readFile(path.resolve(baseDir, rel), "utf8");
      } catch (cause) {
        throw inputError(
          "EVAL_NOT_FOUND",
          `cannot read evaluation file ${rel} (evals.${role === "release" ? "results" : role}): ${(cause as NodeJS.ErrnoException).code ?? cause}`,
          {
            hint: "paths in evals are relative to the release config's folder",
            location: { file: rel, field: `evals.${role === "release" ? "results" : role}` },
            cause,
          },
        );
      }
      for (const m of parseEvalFile({ file: rel, text }).metrics) {
        const key = evalMetricKey(m);
        const other = seen.get(key);
        if (other !== undefined) {
          throw inputError("EVAL_DUPLICATE", `${rel}: ${key} is also reported by ${other}`, {
            hint: "list each benchmark once per model, or give the in-house metric a distinct name or slice",
            location: { file: rel, field: key },
          });
        }
        seen.set(key, rel);
        run.metrics.push(m);
      }
    }
    return run;
  };
  const release = (await readRun(
    "release",
    evals.results,
    params.version ? `v${params.version.replace(/^v/, "")}` : "this release",
  ))!;
  const base = await readRun("base", evals.base, config.base_model);
  const previous = await readRun(
    "previous",
    evals.previous,
    evals.previous_version ? `v${evals.previous_version.replace(/^v/, "")}` : "previous release",
  );
  const comparison = compareEvals({
    release,
    base,
    previous,
    threshold: evals.regression_threshold,
    allowRegression: params.allowRegression,
  });
  return { release, base, previous, comparison };
}

/** The comparison's findings; re-exported for callers that only want the gate. */
export function evalFindings(report: EvalReport | undefined): Finding[] {
  return report?.comparison.findings ?? [];
}
