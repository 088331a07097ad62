import path from "node:path";
import type { Inventory } from "../checkpoint/types.js";
import type { SanitizeConfig } from "../config/schema.js";
import { isBlocking, type Finding } from "../findings.js";
import { planSanitize } from "./plan-sanitize.js";
import { readCheckpointFiles, sniffFile } from "./read-checkpoint-files.js";
import type { ScanBudget } from "./scan-budget.js";
import type { SanitizePlan } from "./types.js";

/** The sanitize section a build uses when the release config says nothing. */
const DEFAULT_SANITIZE: SanitizeConfig = { allow: [], drop: [], patterns: [], allow_findings: [] };

export interface PlanScanParams {
  /** Checkpoint folder, or one file (scanned as a checkpoint holding only that file). */
  dir?: string;
  inventory?: Pick<Inventory, "files">;
  /** The release config's `sanitize` section (default: none of its overrides). */
  config?: SanitizeConfig;
  /** The release config's `base_model` (local `*_name_or_path` values are rewritten to it). */
  baseModel?: string;
  secretlint?: boolean;
  budget?: ScanBudget;
  signal?: AbortSignal;
  concurrency?: number;
}

export interface ScanResult {
  plan: SanitizePlan;
  /** Every finding of the plan, in file order; findings in dropped files are warnings. */
  findings: Finding[];
  /** The findings that would block `build`. */
  blocking: Finding[];
}

/**
 * What `model-release scan` decides: the build's own sanitize plan (`planSanitize`, the one
 * decision engine), so `scan` blocks exactly when `build` would, on the same findings. It differs
 * from a build only in scanning every dropped file whatever its size (`scanDropped: "all"`): their
 * findings are reported as warnings ("in a dropped file"), so they never change the verdict.
 */
export async function planScan(params: PlanScanParams): Promise<ScanResult> {
  let inventory = params.inventory;
  if (!inventory) {
    if (params.dir === undefined) throw new TypeError("planScan needs dir or inventory");
    const { stat } = await import("node:fs/promises");
    const st = await stat(params.dir).catch(() => undefined);
    inventory = st?.isFile()
      ? {
          files: [
            {
              path: path.basename(params.dir),
              absPath: params.dir,
              size: st.size,
              format: await sniffFile(params.dir, st.size),
            },
          ],
        }
      : { files: await readCheckpointFiles(params.dir) };
  }
  const plan = await planSanitize({
    inventory,
    config: params.config ?? DEFAULT_SANITIZE,
    baseModel: params.baseModel,
    secretlint: params.secretlint,
    scanDropped: "all",
    budget: params.budget,
    signal: params.signal,
    concurrency: params.concurrency,
  });
  return { plan, findings: plan.findings, blocking: plan.findings.filter(isBlocking) };
}
