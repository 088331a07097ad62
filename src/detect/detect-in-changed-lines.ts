import { mapFoldedSpan, type NormalizedText } from "./normalize-for-scan.js";
import { runRules } from "./run-rules.js";
import type { Detection, Rule } from "./types.js";

/**
 * The folded pass over text made of independent lines: the lines of `folded.text` that hold a
 * relevant change, joined into one text (one pass of every rule, gates included, however many
 * lines), with detections mapped back to offsets of the original text.
 */
export function detectInChangedLines(folded: NormalizedText, rules: readonly Rule[], filtered: boolean): Detection[] {
  const ranges = changedLines(folded);
  if (ranges.length === 0) return [];
  const starts: number[] = [];
  const parts: string[] = [];
  let at = 0;
  for (const [from, to] of ranges) {
    starts.push(at);
    parts.push(folded.text.slice(from, to));
    at += to - from + 1;
  }
  const out: Detection[] = [];
  for (const d of runRules(parts.join("\n"), rules, filtered)) {
    const i = rangeAt(starts, d.start);
    const j = rangeAt(starts, Math.max(d.start, d.end - 1));
    const [start, end] = mapFoldedSpan(
      folded,
      ranges[i]![0] + d.start - starts[i]!,
      ranges[j]![0] + d.end - starts[j]!,
    );
    out.push({ ...d, start, end });
  }
  return out;
}

/** Merged `[from, to)` line ranges (without their newline) of the folded text around relevant changes. */
function changedLines(folded: NormalizedText): [number, number][] {
  const text = folded.text;
  const out: [number, number][] = [];
  for (const s of folded.segments) {
    if (!s.relevant) continue;
    const last = out[out.length - 1];
    if (last && s.foldedStart <= last[1]) {
      if (s.foldedEnd > last[1]) last[1] = lineEnd(text, s.foldedEnd);
      continue;
    }
    out.push([text.lastIndexOf("\n", s.foldedStart - 1) + 1, lineEnd(text, s.foldedEnd)]);
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl;
}

/** Index of the last range whose start is at or before `offset`. */
function rangeAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
