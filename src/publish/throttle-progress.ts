import type { ProgressEvent, ProgressSink } from "./progress.js";

/**
 * Under ten a second per file, whatever the size: a smooth bar and an ETA, and a 250 GB release
 * stays a few thousand NDJSON lines instead of millions (the library reports every chunk it
 * hashes or sends). 150 ms leaves room for the final events, which always pass: at most 6 paced
 * events and the last of hashing, of uploading and `done` fall in any one second.
 */
export const PROGRESS_INTERVAL_MS = 150;

/**
 * Passes every event on except `file` progress that comes sooner than `intervalMs` after the
 * last one passed for the same file (a new state waits its turn too), or that repeats the last
 * one. The last bytes of a state and `done` always pass, so the final figures are exact.
 */
export function throttleProgress(
  sink: ProgressSink,
  params: { intervalMs?: number; now?: () => number } = {},
): ProgressSink {
  const interval = params.intervalMs ?? PROGRESS_INTERVAL_MS;
  const now = params.now ?? Date.now;
  const last = new Map<string, { state: string; bytes: number; at: number }>();
  return (event: ProgressEvent) => {
    if (event.type !== "file") return sink(event);
    const t = now();
    const prev = last.get(event.path);
    const final = event.state === "done" || event.bytes >= event.size;
    if (prev && prev.state === event.state && prev.bytes === event.bytes) return;
    if (prev && !final && t - prev.at < interval) return;
    last.set(event.path, { state: event.state, bytes: event.bytes, at: t });
    sink(event);
  };
}
