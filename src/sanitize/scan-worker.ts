/**
 * Worker thread of `scanFilesParallel`: scans one checkpoint file per message with the same
 * `scanFile` as the main thread and posts its findings back (plain data).
 */
import { parentPort } from "node:worker_threads";
import { scanFile } from "./scan-checkpoint.js";
import type { ScanJob } from "./scan-source.js";

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
