import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * The worker's source, run with `eval: true` so the pool works the same from `dist/` (node), from
 * sources under tsx/vitest, and from a bundler: there is no second file to resolve.
 * Each file streams through a fixed-size buffer with positional reads, so memory per worker is
 * one buffer whatever the file size. Progress (when asked for) is posted every 64 MiB: about
 * twenty messages a second at SHA-256 speed, which the caller throttles further.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const CHUNK = 4 * 1024 * 1024;
const PROGRESS_EVERY = 16 * CHUNK;
const buf = Buffer.allocUnsafe(CHUNK);
parentPort.on("message", (job) => {
  let fd;
  try {
    fd = fs.openSync(job.path, "r");
    const hash = createHash("sha256");
    let pos = 0, n, reported = 0;
    while ((n = fs.readSync(fd, buf, 0, CHUNK, pos)) > 0) {
      hash.update(buf.subarray(0, n));
      pos += n;
      if (job.progress && pos - reported >= PROGRESS_EVERY) { reported = pos; parentPort.postMessage({ id: job.id, progress: pos }); }
    }
    parentPort.postMessage({ id: job.id, sha256: hash.digest("hex"), size: pos });
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: { code: e && e.code, message: String(e && e.message) } });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

export interface HashResult {
  sha256: string;
  /** Bytes hashed (the size at the time of reading). */
  size: number;
}

export interface HashPool {
  /** SHA-256 of a file, streamed by one worker. Rejects with the fs error (with `code`). */
  hashFile(path: string, options?: { onProgress?: (bytes: number) => void }): Promise<HashResult>;
  /** Stops the workers; pending jobs reject. */
  close(): Promise<void>;
}

/** One worker per core: SHA-256 is CPU-bound at ~1-2 GB/s per core, so more would only contend. */
export function defaultHashConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Starts a pool of hashing worker threads. Files are handed out one at a time to the first
 * idle worker, so a few large shards and many small files balance themselves.
 */
export function createHashPool(params: { concurrency?: number; signal?: AbortSignal } = {}): HashPool {
  const size = Math.max(1, params.concurrency ?? defaultHashConcurrency());
  type Job = {
    id: number;
    path: string;
    onProgress: ((bytes: number) => void) | undefined;
    resolve: (r: HashResult) => void;
    reject: (e: unknown) => void;
  };
  const queue: Job[] = [];
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  const workers: Worker[] = [];
  let nextId = 0;
  let closed = false;

  const pump = () => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop() as Worker;
      const job = queue.shift() as Job;
      running.set(w, job);
      w.postMessage({ id: job.id, path: job.path, progress: job.onProgress !== undefined });
    }
  };
  const failAll = (e: unknown) => {
    for (const j of queue.splice(0)) j.reject(e);
    for (const j of running.values()) j.reject(e);
    running.clear();
  };
  // Workers start on the first job: a rebuild served entirely from the hash cache starts none.
  const start = () => {
    if (workers.length > 0) return;
    for (let i = 0; i < size; i++) spawn();
  };
  const spawn = () => {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on(
      "message",
      (msg: {
        id: number;
        sha256?: string;
        size?: number;
        progress?: number;
        error?: { code?: string; message: string };
      }) => {
        if (msg.progress !== undefined) {
          running.get(w)?.onProgress?.(msg.progress);
          return;
        }
        const job = running.get(w);
        running.delete(w);
        idle.push(w);
        if (job) {
          if (msg.error) job.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
          else job.resolve({ sha256: msg.sha256 as string, size: msg.size as number });
        }
        pump();
      },
    );
    w.on("error", (e) => failAll(e));
    workers.push(w);
    idle.push(w);
  };
  const onAbort = () => {
    failAll(params.signal?.reason ?? new Error("aborted"));
    void close();
  };
  params.signal?.addEventListener("abort", onAbort, { once: true });

  const close = async () => {
    if (closed) return;
    closed = true;
    params.signal?.removeEventListener("abort", onAbort);
    failAll(new Error("hash pool closed"));
    await Promise.all(workers.map((w) => w.terminate()));
  };

  return {
    hashFile(path: string, options?: { onProgress?: (bytes: number) => void }) {
      if (closed) return Promise.reject(new Error("hash pool closed"));
      return new Promise<HashResult>((resolve, reject) => {
        queue.push({ id: nextId++, path, onProgress: options?.onProgress, resolve, reject });
        start();
        pump();
      });
    },
    close,
  };
}
