import type { Writable } from "node:stream";
import type { ProgressEvent } from "../publish/progress.js";
import { throttleProgress } from "../publish/throttle-progress.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { renderSafeJson, renderSafeText } from "../sanitize/render-safe-text.js";

export type ProgressMode = "tty" | "plain" | "json";

/** `tty` when stderr is a terminal, `json` with --json, `plain` lines otherwise (CI logs). */
export function pickProgressMode(params: {
  json: boolean;
  isTTY: boolean | undefined;
  env: Record<string, string | undefined>;
}): ProgressMode {
  if (params.json) return "json";
  if (params.isTTY && params.env.TERM !== "dumb" && !params.env.CI) return "tty";
  return "plain";
}

import { formatBytes } from "./format-bytes.js";
export { formatBytes };

/** `1:05`, `2:03:04`; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * Renders progress events: a redrawn bar (bytes, files, rate, ETA) on a terminal, one line per
 * step and file otherwise, NDJSON on stdout with --json. Returns the sink and a `finish` that
 * clears the bar.
 */
export function createProgressRenderer(params: {
  mode: ProgressMode;
  stdout: Writable;
  stderr: Writable & { columns?: number };
  now?: () => number;
  /** The config's project patterns: file names, URLs and messages are redacted of them and of every rule. */
  patterns?: SecretPattern[];
}) {
  const now = params.now ?? Date.now;
  const patterns = params.patterns ?? [];
  // Paths, steps, URLs and warnings come from the bundle and the servers: never printed raw.
  const safe = (s: string) => renderSafeText(s, { patterns });
  const { mode, stderr } = params;
  let step = "";
  let totalBytes = 0;
  let totalFiles = 0;
  let started = now();
  let lastDraw = 0;
  const perFile = new Map<string, number>();
  const doneFiles = new Set<string>();
  const sent = () => [...perFile.values()].reduce((a, b) => a + b, 0);

  const draw = (force = false) => {
    const t = now();
    if (!force && t - lastDraw < 100) return;
    lastDraw = t;
    const bytes = sent();
    const elapsed = Math.max(0.001, (t - started) / 1000);
    const rate = bytes / elapsed;
    const width = 24;
    const frac = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
    const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "░");
    const eta = rate > 0 && totalBytes > 0 ? formatDuration((totalBytes - bytes) / rate) : "--:--";
    const line = `${safe(step).padEnd(14)} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(bytes)}/${formatBytes(totalBytes)}  ${doneFiles.size}/${totalFiles} files  ${formatBytes(rate)}/s  ETA ${eta}`;
    stderr.write(`\r\x1b[2K${line.slice(0, (params.stderr.columns ?? 120) - 1)}`);
  };

  // Whatever a stage emits, NDJSON carries at most ten lines a second per file (a 2 GiB upload
  // used to print 32,784); the bar redraws at most as often anyway.
  const writeJson = throttleProgress((event) => params.stdout.write(`${renderSafeJson(event, { patterns })}\n`), {
    now,
  });
  const sink = (event: ProgressEvent): void => {
    if (mode === "json") {
      writeJson(event);
      return;
    }
    switch (event.type) {
      case "step":
        if (mode === "tty") stderr.write("\r\x1b[2K");
        if (event.status === "start") step = event.step;
        stderr.write(
          `${event.status === "start" ? "→" : event.status === "done" ? "✓" : "·"} ${safe(event.step)}${event.status === "skipped" ? " (already done)" : ""}${event.detail ? ` ${safe(event.detail)}` : ""}\n`,
        );
        return;
      case "totals":
        totalBytes = event.bytes;
        totalFiles = event.files;
        perFile.clear();
        doneFiles.clear();
        started = now();
        if (mode === "plain")
          stderr.write(`  ${event.files} file${event.files === 1 ? "" : "s"}, ${formatBytes(event.bytes)}\n`);
        return;
      case "file":
        if (event.state === "hashing") return;
        perFile.set(event.path, event.bytes);
        if (event.state === "done" || event.bytes >= event.size) {
          if (!doneFiles.has(event.path) && mode === "plain")
            stderr.write(`  ${safe(event.path)} (${formatBytes(event.size)})\n`);
          doneFiles.add(event.path);
        }
        if (mode === "tty") draw();
        return;
      case "retry":
        if (mode === "tty") stderr.write("\r\x1b[2K");
        stderr.write(
          `  retry ${event.attempt} of ${safe(event.method)} ${safe(event.url)}${event.status ? ` (HTTP ${event.status})` : " (connection lost)"} in ${(event.delayMs / 1000).toFixed(1)} s\n`,
        );
        return;
      case "warning":
        stderr.write(`warning: ${safe(event.message)}\n`);
        return;
    }
  };
  const finish = () => {
    if (mode === "tty") stderr.write("\r\x1b[2K");
  };
  return { sink, finish };
}
