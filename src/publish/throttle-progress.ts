import type { ProgressEvent, ProgressSink } from "./progress.js";

/**
 * Ten a second per file: enough for a smooth bar and an ETA, and a 250 GB release stays a few
 * thousand NDJSON lines instead of millions (the library reports every chunk it hashes or sends).
 */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Passes every event on except `file` progress that comes sooner than `intervalMs` after the
 * last one passed for the same file in the same state, or that repeats its byte count. The
 * first event of a state, a file's last bytes and `done` always pass, so the final figures are exact.
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
    if (prev && prev.state === event.state && (prev.bytes === event.bytes || (!final && t - prev.at < interval)))
      return;
    last.set(event.path, { state: event.state, bytes: event.bytes, at: t });
    sink(event);
  };
}
