/**
 * Worker thread of `scanFilesParallel`: scans one checkpoint file per message with the same
 * `scanFile` as the main thread and posts its findings back (plain data).
 */
import { parentPort } from "node:worker_threads";
import type { InventoryFile } from "../checkpoint/types.js";
import type { DetectOptions } from "./detect-secrets.js";
import { scanFile } from "./scan-checkpoint.js";

export interface ScanJob {
  id: number;
  file: InventoryFile;
  opts: DetectOptions;
  secretlint: boolean;
}

const port = parentPort;
if (port) {
  port.on("message", (job: ScanJob) => {
    scanFile(job.file, { opts: job.opts, secretlint: job.secretlint }).then(
      (findings) => port.postMessage({ id: job.id, findings }),
      (err: unknown) => port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  port.postMessage({ ready: true });
}
