import { findLongRuns } from "./find-encoded-runs.js";
import type { Detection, Rule } from "./types.js";

/** Characters either side of an anchor hit that the full pattern sees (longest match < 300). */
const ANCHOR_WINDOW = 320;

/**
 * Runs `rules` over `text` and returns their detections, overlaps merged (`dedupeDetections`).
 * `filtered` uses gates and anchors; unfiltered runs every full pattern over the whole text (the
 * reference the fast path is tested against).
 */
export function runRules(
  text: string,
  rules: readonly Rule[],
  filtered: boolean,
  longRuns?: readonly [number, number][],
): Detection[] {
  const found: Detection[] = [];
  let runsText: string | undefined;
  for (const rule of rules) {
    if (filtered && rule.runLiterals) {
      runsText ??= (longRuns ?? findLongRuns(text)).map(([s, e]) => text.slice(s, e)).join("\n");
      const t = runsText;
      if (!rule.runLiterals.some((l) => t.includes(l))) continue;
    }
    if (filtered && rule.gate && !rule.gate(text)) continue;
    for (const [from, to] of filtered && rule.anchor ? anchorWindows(text, rule.anchor) : [[0, text.length] as const]) {
      const slice = from === 0 && to === text.length ? text : text.slice(from, to);
      rule.re.lastIndex = 0;
      for (let m = rule.re.exec(slice); m !== null; m = rule.re.exec(slice)) {
        if (m[0].length === 0) {
          rule.re.lastIndex++;
          continue;
        }
        let value: string | undefined;
        let group: number | undefined;
        if (rule.group === undefined) value = m[0];
        else
          for (const g of typeof rule.group === "number" ? [rule.group] : rule.group)
            if (m[g] !== undefined) {
              value = m[g];
              group = g;
              break;
            }
        if (value === undefined || value.length === 0) continue;
        if (rule.accept && !rule.accept(value, m, slice)) continue;
        const start = from + (group !== undefined ? m.index + m[0].lastIndexOf(value) : m.index);
        found.push({ rule: rule.id, severity: rule.severity, start, end: start + value.length, message: rule.message });
      }
    }
  }
  return dedupeDetections(found);
}

/**
 * The rules whose gates (and `runLiterals`) pass on `text`: a window of `text` needs no others.
 * Lets a caller that scans many windows of one text evaluate the gates once.
 */
export function rulesPassingGates(text: string, rules: readonly Rule[]): Rule[] {
  let runsText: string | undefined;
  return rules.filter((rule) => {
    if (rule.runLiterals) {
      runsText ??= findLongRuns(text)
        .map(([s, e]) => text.slice(s, e))
        .join("\n");
      const t = runsText;
      if (!rule.runLiterals.some((l) => t.includes(l))) return false;
    }
    return !rule.gate || rule.gate(text);
  });
}

/** Merged `[from, to)` windows around every anchor hit, cut at line ends where one is near. */
function anchorWindows(text: string, anchor: RegExp): [number, number][] {
  const out: [number, number][] = [];
  anchor.lastIndex = 0;
  for (let m = anchor.exec(text); m !== null; m = anchor.exec(text)) {
    let from = Math.max(0, m.index - ANCHOR_WINDOW);
    // Start the window at a line start when there is one, so lookbehinds see real boundaries.
    const nl = text.lastIndexOf("\n", m.index);
    if (nl >= from) from = nl + 1;
    const to = Math.min(text.length, m.index + m[0].length + ANCHOR_WINDOW);
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
    if (m[0].length === 0) anchor.lastIndex++;
  }
  return out;
}

/** Keeps the first detection of every overlapping group (input order = priority). */
export function dedupeDetections(found: Detection[]): Detection[] {
  const kept: Detection[] = [];
  for (const d of found) {
    const clash = kept.find((k) => d.start < k.end && k.start < d.end);
    if (!clash) kept.push(d);
    else if (d.start < clash.start || d.end > clash.end) {
      // Widen the kept span so redaction covers both matches.
      clash.start = Math.min(clash.start, d.start);
      clash.end = Math.max(clash.end, d.end);
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}
