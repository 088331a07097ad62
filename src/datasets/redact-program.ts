import type { RedactionCategory } from "./dataset-config-schema.js";
import type { RedactionRules, ValueRule } from "./compile-redaction-rules.js";
import type { GenericDetection } from "./create-dataset-detector.js";
import { PLACEHOLDER_RE, type Pseudonymizer } from "./create-pseudonymizer.js";
import { groupProgramRegions, type RegionGroup } from "./group-program-regions.js";
import { scanProgramRegions, type ProgramDialect } from "./scan-program-regions.js";

/** One redaction: which rule, which placeholder category. Never the value. */
export interface RedactionHit {
  rule: string;
  category: RedactionCategory;
}

/** A sensitive value found in a statement, where it cannot be replaced without changing the program. */
export interface CodeLeak {
  line: number;
  rule: string;
  category: RedactionCategory;
}

export interface RedactedProgram {
  text: string;
  hits: RedactionHit[];
  /** Non-empty means the record must not be published: see `CodeLeak`. */
  leaks: CodeLeak[];
  /** Comments emptied by the comment allowlist. */
  commentsDropped: number;
}

export interface Span {
  start: number;
  end: number;
  rule: string;
  category: RedactionCategory;
}

// Group offsets need the `d` flag; rules are written without it, so add it once per regex.
const withIndices = new WeakMap<RegExp, RegExp>();
function indexed(re: RegExp): RegExp {
  let out = withIndices.get(re);
  if (!out) {
    out = new RegExp(re.source, re.flags.includes("d") ? re.flags : `${re.flags}d`);
    withIndices.set(re, out);
  }
  out.lastIndex = 0;
  return out;
}

function matchRule(text: string, rule: ValueRule): Span[] {
  const out: Span[] = [];
  if (rule.group === 0) {
    // The `d` flag takes V8 off its fast path; whole-match rules do not need it.
    rule.re.lastIndex = 0;
    for (const m of text.matchAll(rule.re))
      if (m[0].length > 0)
        out.push({ start: m.index, end: m.index + m[0].length, rule: rule.id, category: rule.category });
    return out;
  }
  for (const m of text.matchAll(indexed(rule.re))) {
    const range = m.indices?.[rule.group];
    if (!range || range[1] <= range[0]) continue;
    out.push({ start: range[0], end: range[1], rule: rule.id, category: rule.category });
  }
  return out;
}

/**
 * Finds the sensitive spans of one comment, string body or header. Pure. Value spans win over
 * label spans; overlapping value spans are merged (nothing half-redacted); placeholders already in
 * the text are never matched again, so redacting twice changes nothing.
 */
export function findSensitiveSpans(
  text: string,
  rules: RedactionRules,
  opts: { labels: boolean; header: boolean; generic?: GenericDetection[] },
): Span[] {
  const protectedSpans: [number, number][] = [...text.matchAll(PLACEHOLDER_RE)].map((m) => [
    m.index,
    m.index + m[0].length,
  ]);
  const inProtected = (s: Span) => protectedSpans.some(([a, b]) => s.start >= a && s.end <= b);

  const high: Span[] = [];
  for (const r of rules.value) high.push(...matchRule(text, r));
  if (opts.header) for (const r of rules.header) high.push(...matchRule(text, r));
  for (const d of opts.generic ?? rules.generic(text))
    high.push({ start: d.start, end: d.end, rule: d.rule, category: d.category });
  const merged = mergeSpans(high.filter((s) => !inProtected(s)));

  if (!opts.labels) return merged;
  const blockers: [number, number][] = [
    ...protectedSpans,
    ...merged.map((s): [number, number] => [s.start, s.end]),
  ].sort((a, b) => a[0] - b[0]);
  const low: Span[] = [];
  for (const r of rules.label) {
    for (const s of matchRule(text, r)) {
      // The parts of a label's value that no value rule claimed, trimmed of spacing and brackets.
      let cursor = s.start;
      const pieces: [number, number][] = [];
      for (const [a, b] of blockers) {
        if (b <= cursor || a >= s.end) continue;
        if (a > cursor) pieces.push([cursor, a]);
        cursor = Math.max(cursor, b);
      }
      if (cursor < s.end) pieces.push([cursor, s.end]);
      // When known values explain part of the label's value, lower-case words between them are
      // connectives ("plant", "line", "end-of-line"), not names; otherwise the whole value goes.
      const explained = pieces.length !== 1 || pieces[0]![0] !== s.start || pieces[0]![1] !== s.end;
      for (let [a, b] of pieces) {
        while (a < b && /[\s()[\]{},;:/&+-]/.test(text[a]!)) a++;
        while (b > a && /[\s()[\]{},;:/&+-]/.test(text[b - 1]!)) b--;
        const piece = text.slice(a, b);
        if (b <= a || !/[\p{L}\p{N}]/u.test(piece)) continue;
        if (explained && /^[\p{Ll}\s\p{P}]+$/u.test(piece)) continue;
        low.push({ start: a, end: b, rule: s.rule, category: s.category });
      }
    }
  }
  return mergeSpans([...merged, ...low]);
}

/** Unions overlapping spans; the longest contributes rule and category. */
function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: (Span & { len: number })[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start < last.end) {
      if (s.end - s.start > last.len) Object.assign(last, { rule: s.rule, category: s.category, len: s.end - s.start });
      last.end = Math.max(last.end, s.end);
    } else out.push({ ...s, len: s.end - s.start });
  }
  return out.map(({ len: _len, ...s }) => s);
}

const PLACEHOLDER_ONLY = /^<[A-Z_]+_[0-9a-f]{8}>$/;
const IDENT_CHAR = /[\p{L}\p{N}_]/u;

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Redacts one program. Only comments, string bodies and the header are rewritten; statements
 * keep every token except identifiers that carry a sensitive value (a customer in a label or a
 * camelCase name, a loop counter named after a timestamp), which get a consistent valid name, so
 * jumps and calls still meet their targets. A value inside any other part of a statement cannot be
 * replaced safely: it is reported as a leak and the caller excludes the record.
 *
 * Detection runs on groups, not single regions: consecutive comment lines are read as one text
 * (a name split over two lines), and string literals joined by `+` as their concatenation. Pure.
 */
export function redactProgram(params: {
  text: string;
  dialect: ProgramDialect;
  rules: RedactionRules;
  pseudonymizer: Pseudonymizer;
}): RedactedProgram {
  const { text, dialect, rules, pseudonymizer } = params;
  const { regions } = scanProgramRegions(text, dialect);
  const hits: RedactionHit[] = [];
  const leaks: CodeLeak[] = [];
  const edits: Edit[] = [];
  let commentsDropped = 0;

  const groups = groupProgramRegions({ text, regions, dialect });
  if (rules.comments.mode === "allowlist") {
    for (const g of groups) {
      if (g.kind !== "comment") continue;
      const kept = g.segments.filter((seg) => {
        const body = text.slice(seg.start, seg.end).trim();
        if (
          body === "" ||
          rules.comments.keep.some((re) => new RegExp(`^(?:${re.source})$`, re.flags.replace("g", "")).test(body))
        )
          return true;
        edits.push({ start: seg.start, end: seg.end, text: "" });
        commentsDropped++;
        return false;
      });
      g.segments = kept;
    }
  }
  // One engine call for every comment, string and header of the program: each group's text on its
  // own line of a combined document, so look-behinds see a line start at every group.
  const virtual = groups.map((g) => g.segments.map((seg) => text.slice(seg.start, seg.end)).join(g.separator));
  const offsets: number[] = [];
  let doc = "";
  for (const v of virtual) {
    offsets.push(doc.length);
    doc += `${v}\n`;
  }
  const docGeneric = doc.length > 0 ? rules.generic(doc) : [];
  groups.forEach((g, i) => {
    const v = virtual[i]!;
    if (g.segments.length === 0 || v.length === 0) return;
    const generic = clip(docGeneric, offsets[i]!, offsets[i]! + v.length);
    let spans: Span[];
    if (g.kind === "string" && g.credential && !PLACEHOLDER_ONLY.test(v))
      spans = [{ start: 0, end: v.length, rule: "credential-literal", category: "SECRET" }];
    else spans = findSensitiveSpans(v, rules, { labels: g.kind !== "header", header: g.kind === "header", generic });
    for (const s of spans) {
      const placeholder = pseudonymizer.placeholder(s.category, v.slice(s.start, s.end));
      hits.push({ rule: s.rule, category: s.category });
      for (const piece of toSegments(g, s)) edits.push({ ...piece, text: placeholder });
    }
  });

  // Statements: identifiers that encode values are renamed; anything else is a leak.
  // One engine call over the statements only (each code region on its own line): the comments and
  // strings were scanned above, and scanning the whole program again doubled the engine's time.
  const code = regions.filter((r) => r.kind === "code");
  const codeOffsets: number[] = [];
  let codeDoc = "";
  for (const r of code) {
    codeOffsets.push(codeDoc.length);
    codeDoc += `${text.slice(r.start, r.end)}\n`;
  }
  const codeDocGeneric = codeDoc.length > 0 ? rules.generic(codeDoc) : [];
  for (const [ci, r] of code.entries()) {
    const body = text.slice(r.start, r.end);
    const renamed: [number, number][] = [];
    for (const c of rules.code) {
      c.re.lastIndex = 0;
      for (const m of body.matchAll(c.re)) {
        hits.push({ rule: c.id, category: "DATE" });
        edits.push({
          start: r.start + m.index,
          end: r.start + m.index + m[0].length,
          text: pseudonymizer.identifier(c.prefix, m[0]),
        });
        renamed.push([m.index, m.index + m[0].length]);
      }
    }
    const spans = findSensitiveSpans(body, rules, {
      labels: false,
      header: false,
      generic: clip(codeDocGeneric, codeOffsets[ci]!, codeOffsets[ci]! + (r.end - r.start)),
      // A match that reaches into a statement only with spacing or punctuation (a listed name
      // whose words stand on two comment lines) is the comments' business, already redacted there.
    }).filter(
      (s) => !renamed.some(([a, b]) => s.start >= a && s.end <= b) && /[\p{L}\p{N}]/u.test(body.slice(s.start, s.end)),
    );
    for (const s of spans) {
      let a = s.start;
      let b = s.end;
      while (a > 0 && IDENT_CHAR.test(body[a - 1]!)) a--;
      while (b < body.length && IDENT_CHAR.test(body[b]!)) b++;
      const token = body.slice(a, b);
      const inside = /^[\p{L}_][\p{L}\p{N}_]*$/u.test(token) && !renamed.some(([x, y]) => x < b && a < y);
      if (inside) {
        hits.push({ rule: s.rule, category: s.category });
        edits.push({
          start: r.start + s.start,
          end: r.start + s.end,
          text: pseudonymizer.identifier(s.category, body.slice(s.start, s.end)),
        });
      } else leaks.push({ line: r.line + countNewlines(body.slice(0, s.start)), rule: s.rule, category: s.category });
    }
  }
  return { text: applyEdits(text, edits), hits, leaks, commentsDropped };
}

/** Redacts free text such as a file name, as if it were a string literal. Pure. */
export function redactFreeText(params: { text: string; rules: RedactionRules; pseudonymizer: Pseudonymizer }): {
  text: string;
  hits: RedactionHit[];
} {
  const hits: RedactionHit[] = [];
  const edits: Edit[] = findSensitiveSpans(params.text, params.rules, { labels: true, header: false }).map((s) => {
    hits.push({ rule: s.rule, category: s.category });
    return {
      start: s.start,
      end: s.end,
      text: params.pseudonymizer.placeholder(s.category, params.text.slice(s.start, s.end)),
    };
  });
  return { text: applyEdits(params.text, edits), hits };
}

function clip(found: GenericDetection[], start: number, end: number): GenericDetection[] {
  return found
    .filter((d) => d.start < end && d.end > start)
    .map((d) => ({ ...d, start: Math.max(d.start, start) - start, end: Math.min(d.end, end) - start }));
}

/** The parts of a span over a group's joined text that fall in its segments, in program offsets. */
function toSegments(g: RegionGroup, s: Span): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let v = 0;
  for (const seg of g.segments) {
    const len = seg.end - seg.start;
    const a = Math.max(s.start, v);
    const b = Math.min(s.end, v + len);
    if (b > a) out.push({ start: seg.start + (a - v), end: seg.start + (b - v) });
    v += len + g.separator.length;
  }
  return out;
}

/** Applies non-overlapping edits (overlaps are merged into the first); pure. */
function applyEdits(text: string, edits: Edit[]): string {
  let out = "";
  let cursor = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start || b.end - a.end)) {
    if (e.start < cursor) continue;
    out += text.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  return out + text.slice(cursor);
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === "\n") n++;
  return n;
}
