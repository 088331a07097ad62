/**
 * Worker thread of `scanFilesParallel`: scans one checkpoint file per message with the same
 * `scanFile` as the main thread and posts its findings back (plain data).
 */
import { parentPort } from "node:worker_threads";
import type { InventoryFile } from "../checkpoint/types.js";
import type { DetectOptions } from "./detect-secrets.js";
import type { ScanBudget } from "./scan-budget.js";
import { scanFile } from "./scan-checkpoint.js";

export interface ScanJob {
  id: number;
  file: InventoryFile;
  opts: DetectOptions;
  secretlint: boolean;
  budget?: ScanBudget;
  /** The checkpoint's deadline (epoch ms) and the bytes it inflated before this job. */
  deadline?: number;
  inflated: number;
}

const port = parentPort;
if (port) {
  port.on("message", (job: ScanJob) => {
    const usage = { inflated: job.inflated };
    const ctx = { opts: job.opts, secretlint: job.secretlint, budget: job.budget, deadline: job.deadline, usage };
    scanFile(job.file, ctx).then(
      (findings) => port.postMessage({ id: job.id, findings, inflated: usage.inflated - job.inflated }),
      (err: unknown) => port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  port.postMessage({ ready: true });
}
