import { mapFoldedOffset, type NormalizedText, normalizeForScan } from "./normalize-for-scan.js";
import { runRules } from "./run-rules.js";
import type { Detection, Rule } from "./types.js";

/**
 * The folded pass over text made of independent lines (`text`, folded as `folded`): every line
 * that holds a relevant change is folded on its own, the folded lines are joined into one text
 * (one pass of every rule, gates included, however many lines), and detections are mapped back
 * to offsets of `text`. The whole folded text is never built.
 */
export function detectInChangedLines(
  text: string,
  folded: NormalizedText,
  rules: readonly Rule[],
  filtered: boolean,
): Detection[] {
  const lines: { start: number; folded: NormalizedText | undefined; at: number }[] = [];
  const parts: string[] = [];
  let at = 0;
  for (const [from, to] of changedLines(text, folded)) {
    const line = text.slice(from, to);
    const f = normalizeForScan(line);
    const piece = f ? f.text : line;
    lines.push({ start: from, folded: f, at });
    parts.push(piece);
    at += piece.length + 1;
  }
  if (lines.length === 0) return [];
  const out: Detection[] = [];
  for (const d of runRules(parts.join("\n"), rules, filtered)) {
    const a = lines[lineAt(lines, d.start)]!;
    const b = lines[lineAt(lines, Math.max(d.start, d.end - 1))]!;
    const start = a.start + original(a.folded, d.start - a.at, false);
    const end = b.start + original(b.folded, d.end - b.at, true);
    out.push({ ...d, start, end: Math.max(end, start + 1) });
  }
  return out;
}

/** Offset in the original line of offset `o` of its folded form. */
function original(f: NormalizedText | undefined, o: number, isEnd: boolean): number {
  if (!f) return o;
  return mapFoldedOffset(f, o, isEnd);
}

/** Merged `[from, to)` ranges of whole lines (without their newline) of `text` that hold a relevant change. */
function changedLines(text: string, folded: NormalizedText): [number, number][] {
  const out: [number, number][] = [];
  for (const s of folded.segments) {
    if (!s.relevant) continue;
    const last = out[out.length - 1];
    if (last && s.origStart <= last[1]) {
      if (s.origEnd > last[1]) last[1] = lineEnd(text, s.origEnd);
      continue;
    }
    out.push([text.lastIndexOf("\n", s.origStart - 1) + 1, lineEnd(text, s.origEnd)]);
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl;
}

/** Index of the last line whose folded start is at or before `offset`. */
function lineAt(lines: readonly { at: number }[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.at <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
