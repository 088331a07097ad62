import type { StageProgress } from "../bundle/stage-bundle.js";
import { formatBytes } from "../bundle/format-bytes.js";
import { formatDuration } from "./render-progress.js";

/** Redraws at most ten times a second: enough to look live, cheap on a slow terminal. */
const REDRAW_MS = 100;

/**
 * The build's hashing line on a terminal: files and bytes done, bytes inside the files being
 * hashed, rate and time left for those. Each redraw starts with `\r\x1b[2K` (return, erase the
 * line), so a shorter line never leaves the end of a longer one behind (`3.2 GBB`). Only for a
 * TTY: CI logs and --json get no progress from build. `finish` erases the line.
 */
export function createHashProgress(params: {
  stderr: { write(s: string): unknown; columns?: number };
  now?: () => number;
}): { sink: (e: StageProgress) => void; finish: () => void } {
  const now = params.now ?? Date.now;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let doneFiles = 0;
  let doneBytes = 0;
  let hashedBytes = 0;
  let drawn = false;
  const inFlight = new Map<string, { bytes: number; size: number }>();

  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < REDRAW_MS) return;
    lastDraw = t;
    let bytes = 0;
    let size = 0;
    for (const f of inFlight.values()) {
      bytes += f.bytes;
      size += f.size;
    }
    const elapsed = Math.max(0.001, (t - started) / 1000);
    const rate = (hashedBytes + bytes) / elapsed;
    const parts = [`  hashed ${doneFiles} file${doneFiles === 1 ? "" : "s"}, ${formatBytes(doneBytes)}`];
    if (inFlight.size > 0)
      parts.push(
        `hashing ${inFlight.size}: ${formatBytes(bytes)} of ${formatBytes(size)}`,
        `${formatBytes(rate)}/s`,
        `${formatDuration(rate > 0 ? (size - bytes) / rate : Number.NaN)} left`,
      );
    const line = parts.join(" · ");
    params.stderr.write(`\r\x1b[2K${line.slice(0, (params.stderr.columns ?? 120) - 1)}`);
    drawn = true;
  };

  return {
    sink: (e) => {
      if (e.kind === "hashing") {
        inFlight.set(e.path, { bytes: e.bytes, size: e.size });
        draw(false);
      } else if (e.kind === "hashed") {
        inFlight.delete(e.path);
        doneFiles++;
        doneBytes += e.bytes;
        if (!e.cached) hashedBytes += e.bytes;
        draw(false);
      }
    },
    finish: () => {
      if (drawn) {
        draw(true);
        params.stderr.write("\n");
      }
    },
  };
}
