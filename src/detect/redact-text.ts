import { escapeControlChars } from "./escape-control-chars.js";
import type { Detection } from "./types.js";

/**
 * Rendering detections without their values: redaction, one-line excerpts, line and column.
 */

/** `text` with every detected span replaced by `[REDACTED:<rule>]`. */
export function redactSecrets(
  text: string,
  detections: Detection[],
  mask: (d: Detection) => string = (d) => `[REDACTED:${d.rule}]`,
): string {
  let out = "";
  let pos = 0;
  for (const d of [...detections].sort((a, b) => a.start - b.start)) {
    if (d.start < pos) continue;
    out += text.slice(pos, d.start) + mask(d);
    pos = d.end;
  }
  return out + text.slice(pos);
}

/** Characters of context shown either side of a detection. */
const EXCERPT_CONTEXT = 32;

/**
 * A one-line excerpt around `d` with every detection in `all` redacted and control characters
 * escaped. The secret never appears in the result, not even in part. Callers use `renderExcerpt`
 * (detect-secrets.ts), which adds every rule's matches around the window to `all` first.
 */
export function renderExcerptOf(text: string, d: Detection, all: Detection[]): string {
  const from = Math.max(0, d.start - EXCERPT_CONTEXT);
  const to = Math.min(text.length, d.end + EXCERPT_CONTEXT);
  // Any detection that reaches into the window is redacted whole, then the window is cut around it.
  const inWindow = all.filter((x) => x.end > from && x.start < to);
  const lo = Math.min(from, ...inWindow.map((x) => x.start));
  const hi = Math.max(to, ...inWindow.map((x) => x.end));
  const shifted = inWindow.map((x) => ({ ...x, start: x.start - lo, end: x.end - lo }));
  let out = redactSecrets(text.slice(lo, hi), shifted);
  const marker = `[REDACTED:${d.rule}]`;
  const at = out.indexOf(marker);
  // Trim context that the widening added, keeping the marker for `d` in the middle.
  if (at >= 0) out = out.slice(Math.max(0, at - EXCERPT_CONTEXT), at + marker.length + EXCERPT_CONTEXT);
  return (from > 0 ? "…" : "") + escapeControlChars(out) + (to < text.length ? "…" : "");
}

/**
 * A lookup of 1-based line and column by offset: the newline index is built once per text, so
 * many findings in one large file cost a binary search each, not a rescan.
 */
export function createLineIndex(text: string): (offset: number) => { line: number; column: number } {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
