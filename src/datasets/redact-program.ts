import type { RedactionCategory } from "./dataset-config-schema.js";
import type { RedactionRules, ValueRule } from "./compile-redaction-rules.js";
import type { GenericDetection } from "./detect-generic-sensitive.js";
import { PLACEHOLDER_RE, type Pseudonymizer } from "./create-pseudonymizer.js";
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
}

interface Span {
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

function applySpans(text: string, spans: Span[], pseudo: Pseudonymizer, hits: RedactionHit[]): string {
  let out = "";
  let cursor = 0;
  for (const s of spans) {
    out += text.slice(cursor, s.start) + pseudo.placeholder(s.category, text.slice(s.start, s.end));
    hits.push({ rule: s.rule, category: s.category });
    cursor = s.end;
  }
  return out + text.slice(cursor);
}

const CREDENTIAL_BEFORE =
  /(?:^|[^A-Za-z0-9])(?:[A-Za-z0-9]+_)?(?:password|passwd|pwd|passphrase|secret|token|api_?key|ftp_?pass|credentials?)\s*[=:]\s*[A-Za-z]{0,2}$/i;
const PLACEHOLDER_ONLY = /^<[A-Z_]+_[0-9a-f]{8}>$/;

/**
 * Redacts one program. Only comments, string bodies and the header are rewritten; statements
 * keep every token except identifiers that encode sensitive data, which get a consistent valid
 * name. A list value, pattern or generic detection inside a statement cannot be replaced safely:
 * it is reported as a leak and the caller excludes the record. Pure.
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
  // The generic detectors run once over the whole program and are handed to each region (clipped
  // and shifted): per-region calls cost twice the time of the whole redaction. Regions start
  // after a comment character or a quote, so no detector's look-behind sees a different context.
  const generic = rules.generic(text);
  const genericIn = (start: number, end: number): GenericDetection[] =>
    generic
      .filter((d) => d.start < end && d.end > start)
      .map((d) => ({ ...d, start: Math.max(d.start, start) - start, end: Math.min(d.end, end) - start }));
  let out = "";
  let cursor = 0;
  for (const r of regions) {
    out += text.slice(cursor, r.start);
    const body = text.slice(r.start, r.end);
    if (r.kind === "comment") {
      out +=
        body[0]! +
        applySpans(
          body.slice(1),
          findSensitiveSpans(body.slice(1), rules, {
            labels: true,
            header: false,
            generic: genericIn(r.start + 1, r.end),
          }),
          pseudonymizer,
          hits,
        );
    } else if (r.kind === "string") {
      const q = dialect === "drl" && (body.startsWith('"""') || body.startsWith("'''")) && body.length >= 6 ? 3 : 1;
      const closed = body.length >= 2 * q && body.endsWith(body.slice(0, q));
      const inner = body.slice(q, closed ? body.length - q : body.length);
      // A literal assigned to a credential name (`password='…'`, `var ftp_pass="…"`) is a secret
      // whatever it looks like; the name sits in the code just before the literal.
      const secret =
        inner.length > 0 &&
        !PLACEHOLDER_ONLY.test(inner) &&
        CREDENTIAL_BEFORE.test(text.slice(Math.max(0, r.start - 48), r.start));
      const spans = secret
        ? [{ start: 0, end: inner.length, rule: "credential-literal", category: "SECRET" as const }]
        : findSensitiveSpans(inner, rules, {
            labels: true,
            header: false,
            generic: genericIn(r.start + q, r.start + q + inner.length),
          });
      out +=
        body.slice(0, q) + applySpans(inner, spans, pseudonymizer, hits) + (closed ? body.slice(body.length - q) : "");
    } else if (r.kind === "header") {
      out += applySpans(
        body,
        findSensitiveSpans(body, rules, { labels: false, header: true, generic: genericIn(r.start, r.end) }),
        pseudonymizer,
        hits,
      );
    } else {
      let code = body;
      for (const c of rules.code) {
        c.re.lastIndex = 0;
        code = code.replace(c.re, (m) => {
          hits.push({ rule: c.id, category: "DATE" });
          return pseudonymizer.identifier(c.prefix, m);
        });
      }
      // A renamed identifier shifts offsets: detect afresh in that (rare) case.
      const codeGeneric = code === body ? genericIn(r.start, r.end) : undefined;
      for (const s of findSensitiveSpans(code, rules, {
        labels: false,
        header: false,
        ...(codeGeneric ? { generic: codeGeneric } : {}),
      })) {
        leaks.push({ line: r.line + countNewlines(code.slice(0, s.start)), rule: s.rule, category: s.category });
      }
      out += code;
    }
    cursor = r.end;
  }
  out += text.slice(cursor);
  return { text: out, hits, leaks };
}

/** Redacts free text such as a file name, as if it were a string literal. Pure. */
export function redactFreeText(params: { text: string; rules: RedactionRules; pseudonymizer: Pseudonymizer }): {
  text: string;
  hits: RedactionHit[];
} {
  const hits: RedactionHit[] = [];
  const text = applySpans(
    params.text,
    findSensitiveSpans(params.text, params.rules, { labels: true, header: false }),
    params.pseudonymizer,
    hits,
  );
  return { text, hits };
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === "\n") n++;
  return n;
}
