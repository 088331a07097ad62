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
  /**
   * The version of the release passed as `build --previous`: it labels the previous column (one
   * source of truth), and a warning finding names both when `evals.previous_version` disagrees.
   */
  previousVersion?: string;
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
  const given = params.previousVersion?.replace(/^v/, "");
  const configured = evals.previous_version?.replace(/^v/, "");
  const previousVersion = given ?? configured;
  const previous = await readRun(
    "previous",
    evals.previous,
    previousVersion ? `v${previousVersion}` : "previous release",
  );
  const comparison = compareEvals({
    release,
    base,
    previous,
    threshold: evals.regression_threshold,
    allowRegression: params.allowRegression,
  });
  if (given !== undefined && configured !== undefined && given !== configured) {
    comparison.findings.push(previousVersionMismatch(given, configured));
  }
  return { release, base, previous, comparison };
}

/** Rule id of the warning when `--previous` and `evals.previous_version` name different versions. */
export const PREVIOUS_VERSION_MISMATCH = "previous-version-mismatch";

function previousVersionMismatch(given: string, configured: string): Finding {
  return {
    rule: PREVIOUS_VERSION_MISMATCH,
    severity: "warn",
    file: "release config",
    pointer: "/evals/previous_version",
    message: `--previous is v${given} but evals.previous_version says v${configured}; the card labels the previous release v${given} (update evals.previous_version and evals.previous to match)`,
  };
}

/** The comparison's findings; re-exported for callers that only want the gate. */
export function evalFindings(report: EvalReport | undefined): Finding[] {
  return report?.comparison.findings ?? [];
}
