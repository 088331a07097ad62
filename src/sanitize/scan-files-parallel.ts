import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { InventoryFile } from "../checkpoint/types.js";
import type { Finding } from "../findings.js";
import { DEFAULT_SCAN_BUDGET } from "./scan-budget.js";
import type { ScanContext, ScanJob } from "./scan-source.js";

/** Below this many bytes to read in all, a worker's start-up (a fresh isolate loading the rules and secretlint) does not pay. */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/** Threads that scan at once, the main thread included: one per core (the scan is CPU-bound). */
export function defaultScanConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Scans `files` with `scanOne` on the main thread and, when there is enough to read, in worker
 * threads too (one per extra core), costliest files first so a big binary does not finish last.
 * Returns each file's findings at that file's index. A worker that cannot start (sources run
 * by a test runner without a loader for workers) or dies leaves its files to the main thread.
 */
export async function scanFilesParallel(
  files: InventoryFile[],
  ctx: ScanContext,
  scanOne: (file: InventoryFile, ctx: ScanContext) => Promise<Finding[]>,
  params: {
    concurrency?: number;
    /** Start workers only from this many bytes in all (default 64 MiB). */
    minBytes?: number;
    /** With false, the main thread only scans what no worker could (tests of the workers). */
    mainThread?: boolean;
  } = {},
): Promise<Finding[][]> {
  const results: Finding[][] = new Array<Finding[]>(files.length);
  // Workers share the checkpoint's deadline: fix it before the first job is sent.
  ctx.deadline ??= Date.now() + (ctx.budget ?? DEFAULT_SCAN_BUDGET).msPerCheckpoint;
  const order = files.map((_, i) => i).sort((a, b) => scanCost(files[b]!) - scanCost(files[a]!));
  const retry: number[] = [];
  let next = 0;
  const take = (): number | undefined => retry.pop() ?? (next < order.length ? order[next++] : undefined);
  const total = files.reduce((a, f) => a + scanCost(f), 0);
  const extra =
    total >= (params.minBytes ?? PARALLEL_MIN_BYTES)
      ? Math.min(files.length, params.concurrency ?? defaultScanConcurrency()) - 1
      : 0;

  const workers: Worker[] = [];
  const runWorker = async (): Promise<void> => {
    let worker: Worker;
    try {
      worker = startWorker();
    } catch {
      return;
    }
    workers.push(worker);
    worker.unref();
    let pending: { id: number; resolve: (f: Finding[] | undefined) => void } | undefined;
    let ready: (ok: boolean) => void = () => {};
    const started = new Promise<boolean>((r) => (ready = r));
    let dead = false;
    const die = () => {
      dead = true;
      ready(false);
      pending?.resolve(undefined);
    };
    worker.on("error", die);
    worker.on("exit", die);
    worker.on(
      "message",
      (msg: { ready?: true; id?: number; findings?: Finding[]; error?: string; inflated?: number }) => {
        if (msg.ready) return ready(true);
        if (pending && msg.id === pending.id) {
          // The worker's inflated bytes count against the checkpoint's budget like the main thread's.
          if (ctx.usage && msg.error === undefined) ctx.usage.inflated += msg.inflated ?? 0;
          pending.resolve(msg.error === undefined ? msg.findings : undefined);
        }
      },
    );
    if (!(await started)) return;
    for (let i = take(); i !== undefined; i = take()) {
      if (ctx.signal?.aborted) return;
      const id = i;
      const found = await new Promise<Finding[] | undefined>((resolve) => {
        pending = { id, resolve };
        const job: ScanJob = {
          id,
          file: files[id]!,
          opts: ctx.opts,
          secretlint: ctx.secretlint,
          budget: ctx.budget,
          deadline: ctx.deadline,
          inflated: ctx.usage?.inflated ?? 0,
        };
        worker.postMessage(job);
      });
      pending = undefined;
      if (found === undefined) {
        // The worker failed on this file (or died): the main thread scans it and reports why.
        retry.push(id);
        if (dead) return;
        continue;
      }
      results[id] = found;
    }
  };
  const runMain = async (): Promise<void> => {
    for (let i = take(); i !== undefined; i = take()) {
      ctx.signal?.throwIfAborted();
      results[i] = await scanOne(files[i]!, ctx);
    }
  };
  const allWorkers = Promise.all(Array.from({ length: Math.max(0, extra) }, runWorker));
  // On abort, a worker's current file is not waited for: the worker is stopped.
  const onAbort = () => workers.forEach((w) => void w.terminate());
  ctx.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (params.mainThread !== false || extra <= 0) await runMain();
    await allWorkers;
    // Files a worker handed back (it failed or died) are scanned here.
    await runMain();
    ctx.signal?.throwIfAborted();
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** Bytes the scan reads in full, roughly: a safetensors file's tensor data is never read. */
function scanCost(file: InventoryFile): number {
  return file.format === "safetensors" ? 0 : file.size;
}

/**
 * The worker's module next to this one: `.js` under dist/. When the sources run as `.ts` (tsx,
 * the benchmarks, tests), a worker does not inherit the TypeScript loader, so it registers tsx's
 * (a dev dependency) before importing the module; without tsx, no worker starts.
 */
function startWorker(): Worker {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const url = new URL(`./scan-worker${ext}`, import.meta.url);
  // A small young generation: the scan's garbage is short-lived strings and run lists, and the
  // default lets each worker's heap grow by tens of MB before collecting (peak RSS).
  const resourceLimits = { maxYoungGenerationSizeMb: 8 };
  if (ext === ".js") return new Worker(url, { resourceLimits });
  const api = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, resourceLimits });
}
