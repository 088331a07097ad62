/**
 * The detection engine: secrets and personal or internal data in text. Pure and synchronous, so
 * the dataset redactor and the code export run it on single records and files, and
 * `scanCheckpoint` on every string it can reach (adding secretlint's preset on top,
 * `detectWithSecretlint`).
 *
 * One call scans three views of the text, and maps every finding back to the original offsets:
 * 1. the text as it is;
 * 2. its NFKC folding without format characters (`normalizeForScan`: full-width `ｈｆ＿…`, a
 *    zero-width space or soft hyphen inside a token, NBSP, NFD Hangul);
 * 3. the bytes of base64, hex and percent-encoded runs (`findEncodedRuns`), read as UTF-8,
 *    UTF-16 or gzip (`decodeTextBytes`), two levels deep, with a cap on decoded bytes. A finding
 *    there covers the whole encoded run.
 *
 * A detection carries offsets, never the matched text: callers that need an excerpt go through
 * `renderExcerpt`, which redacts every detection in the window, so no secret can leak through the
 * context of another finding.
 *
 * Related entry points of the engine (src/detect/):
 * - `detectAssignment(key, value)`, `detectJsonAssignments(doc)`: credentials by key name in
 *   structured data (JSON members, YAML, env, Kubernetes secrets), see detect-assignment.ts;
 * - `detectSecretsInBytes(bytes)`: file contents in any text encoding or gzip;
 * - `joinAddedTokens(tokens)`: a tokenizer's added tokens as one text, for secrets split across them.
 */
import { ASSIGNMENT_RULES } from "./assignment-rules.js";
import { compileProjectPatterns } from "./compile-project-patterns.js";
import { decodeTextBytes, inflateGzipBounded, isGzip, looksLikeText } from "./decode-text-bytes.js";
import { findEncodedRuns, findLongRuns } from "./find-encoded-runs.js";
import { internalDomainRule, NETWORK_RULES } from "./network-rules.js";
import { detectInChangedLines } from "./detect-in-changed-lines.js";
import { foldedWindows, mapFoldedSpan, normalizeForScan } from "./normalize-for-scan.js";
import { PERSONAL_RULES } from "./personal-rules.js";
import { PROVIDER_RULES } from "./provider-rules.js";
import { SERVICE_RULES } from "./service-rules.js";
import { renderExcerptOf } from "./redact-text.js";
import { dedupeDetections, rulesPassingGates, runRules } from "./run-rules.js";
import type { DetectOptions, Detection, Rule, SecretPattern } from "./types.js";

export { compileUserRegex } from "./compile-project-patterns.js";
export { dedupeDetections } from "./run-rules.js";
export { createLineIndex, lineColumnAt, redactSecrets } from "./redact-text.js";
export type { DetectOptions, Detection, SecretPattern, Severity } from "./types.js";

/** Vendor tokens first, then key-context rules, then personal data and places: the first rule to match a span names it. */
const BUILTIN_RULES: readonly Rule[] = [
  ...PROVIDER_RULES,
  ...SERVICE_RULES,
  ...ASSIGNMENT_RULES,
  ...PERSONAL_RULES,
  ...NETWORK_RULES,
];

/** Nesting of encodings followed (base64 of gzip of text is two). */
const MAX_DECODE_DEPTH = 2;
/** Decoded bytes per call over all levels: at least this, or the text's own length when longer. */
const MIN_DECODE_BUDGET = 1024 * 1024;

/** Ids of the built-in rules, for documentation and `--json` consumers. */
export const BUILTIN_RULE_IDS: readonly string[] = [...new Set(BUILTIN_RULES.map((r) => r.id))];

/** The built-in rules with their provider family (`hf-token` → `huggingface`), for the detection bench. */
export const BUILTIN_RULE_FAMILIES: ReadonlyMap<string, string> = new Map(
  BUILTIN_RULES.map((r) => [r.id, r.family ?? r.id]),
);

const projectCache = new WeakMap<readonly SecretPattern[], Rule[]>();
const domainCache = new WeakMap<readonly string[], Rule | undefined>();

function rulesFor(opts: DetectOptions): readonly Rule[] {
  const extra: Rule[] = [];
  if (opts.internalDomains && opts.internalDomains.length > 0) {
    let r = domainCache.get(opts.internalDomains);
    if (!domainCache.has(opts.internalDomains)) {
      r = internalDomainRule(opts.internalDomains);
      domainCache.set(opts.internalDomains, r);
    }
    if (r) extra.push(r);
  }
  if (opts.patterns && opts.patterns.length > 0) {
    const project = projectCache.get(opts.patterns) ?? compileProjectPatterns(opts.patterns);
    projectCache.set(opts.patterns, project);
    extra.push(...project);
  }
  const all = extra.length > 0 ? [...BUILTIN_RULES, ...extra] : BUILTIN_RULES;
  return opts.disable && opts.disable.length > 0 ? all.filter((r) => !opts.disable!.includes(r.id)) : all;
}

/**
 * Finds secrets and personal or internal data in `text`, in the text as written, folded, and
 * decoded (see the module comment). Overlapping detections are merged so that each sensitive
 * span is reported once, by the rule that matched first in rule order (vendor tokens before
 * generic assignments); a folded or decoded finding is added only where the text as written had none.
 */
export function detectSecrets(text: string, opts: DetectOptions = {}): Detection[] {
  return detectIn(text, rulesFor(opts), true, 0, { bytes: Math.max(MIN_DECODE_BUDGET, text.length) });
}

/**
 * `detectSecrets` without the anchors and gates: every rule's full pattern over the whole text.
 * The reference that tests hold the fast path to; not for production use (slow on large text).
 * @internal
 */
export function detectSecretsUnfiltered(text: string, opts: DetectOptions = {}): Detection[] {
  return detectIn(text, rulesFor(opts), false, 0, { bytes: Math.max(MIN_DECODE_BUDGET, text.length) });
}

/**
 * `detectSecrets` for text whose lines are independent strings (printable runs pulled out of a
 * binary, joined by newlines): the folded view is scanned only on the lines that folding
 * changed, not in windows that reach into neighbouring strings. Random binary data is full of
 * C1 controls and compatibility characters: with windows, the folded pass re-read most of the
 * text; by line, about 2% of it.
 */
export function detectSecretsInLines(text: string, opts: DetectOptions = {}): Detection[] {
  return detectIn(text, rulesFor(opts), true, 0, { bytes: Math.max(MIN_DECODE_BUDGET, text.length) }, true);
}

function detectIn(
  text: string,
  rules: readonly Rule[],
  filtered: boolean,
  depth: number,
  budget: { bytes: number },
  independentLines = false,
): Detection[] {
  const longRuns = findLongRuns(text);
  const found = runRules(text, rules, filtered, longRuns);
  const extra: Detection[] = [];
  const folded = normalizeForScan(text);
  if (folded && independentLines) {
    for (const d of detectInChangedLines(text, folded, rules, filtered))
      extra.push({ ...d, message: `${d.message} (after Unicode folding)` });
  } else if (folded) {
    let windows = foldedWindows(folded);
    // Many small windows cost more than one pass (every rule's setup runs per window).
    if (windows.length > 8 && windows.reduce((a, [f, t]) => a + t - f, 0) > folded.text.length / 2)
      windows = [[0, folded.text.length]];
    // Gates once over the whole folded text, not once per window (exact: a window is part of it).
    const active = filtered ? rulesPassingGates(folded.text, rules) : rules;
    for (const [from, to] of active.length > 0 ? windows : []) {
      const slice = from === 0 && to === folded.text.length ? folded.text : folded.text.slice(from, to);
      for (const d of runRules(slice, active, filtered)) {
        const [start, end] = mapFoldedSpan(folded, from + d.start, from + d.end);
        extra.push({ ...d, start, end, message: `${d.message} (after Unicode folding)` });
      }
    }
  }
  if (depth < MAX_DECODE_DEPTH) {
    for (const run of findEncodedRuns(text, budget, longRuns)) {
      for (const d of detectInBytes(run.bytes, rules, filtered, depth + 1, budget))
        extra.push({ ...d, start: run.start, end: run.end, message: `${d.message} (${run.encoding}-encoded)` });
    }
  }
  if (extra.length === 0) return found;
  const out = [...found];
  for (const d of extra) if (!out.some((k) => d.start < k.end && k.start < d.end)) out.push(d);
  return dedupeDetections(out);
}

/** Detections in decoded bytes, with offsets into the decoded text (callers map them to the run). */
function detectInBytes(
  bytes: Uint8Array,
  rules: readonly Rule[],
  filtered: boolean,
  depth: number,
  budget: { bytes: number },
): Detection[] {
  if (isGzip(bytes)) {
    const inflated = inflateGzipBounded(bytes, Math.min(budget.bytes, 16 * 1024 * 1024));
    if (!inflated.bytes) return [gzipTooLarge(0, bytes.length)];
    budget.bytes -= inflated.bytes.length;
    return detectInBytes(inflated.bytes, rules, filtered, depth + 1, budget).map((d) => ({
      ...d,
      message: `${d.message} (gzip)`,
    }));
  }
  const decoded = decodeTextBytes(bytes);
  if (!looksLikeText(decoded.text)) return [];
  return detectIn(decoded.text, rules, filtered, depth, budget);
}

function gzipTooLarge(start: number, end: number): Detection {
  return {
    rule: "compressed-stream-too-large",
    severity: "block",
    start,
    end,
    message: "gzip stream that inflates past the scan bound; it cannot be checked",
  };
}

/** A detection in bytes: offsets are byte offsets into the input. */
export interface ByteDetection extends Detection {
  /** How the bytes were read: a finding inside a gzip stream covers the whole stream. */
  encoding: "utf-8" | "utf-16le" | "utf-16be" | "gzip";
}

/**
 * Finds secrets in raw bytes (a file, an archive member): UTF-16 LE/BE text (by BOM or NUL
 * pattern) is decoded as such, a gzip stream is inflated (up to 16 MiB; larger blocks with
 * `compressed-stream-too-large`), anything else is read as UTF-8. Offsets are byte offsets.
 */
export function detectSecretsInBytes(bytes: Uint8Array, opts: DetectOptions = {}): ByteDetection[] {
  const rules = rulesFor(opts);
  const budget = { bytes: Math.max(MIN_DECODE_BUDGET, bytes.length) };
  if (isGzip(bytes)) {
    const inflated = inflateGzipBounded(bytes);
    if (!inflated.bytes) return [{ ...gzipTooLarge(0, bytes.length), encoding: "gzip" }];
    return detectSecretsInBytes(inflated.bytes, opts).map((d) => ({
      ...d,
      start: 0,
      end: bytes.length,
      message: `${d.message} (gzip)`,
      encoding: "gzip",
    }));
  }
  const decoded = decodeTextBytes(bytes);
  return detectIn(decoded.text, rules, true, 0, budget).map((d) => ({
    ...d,
    start: decoded.byteOffsetOf(d.start),
    end: decoded.byteOffsetOf(d.end),
    encoding: decoded.encoding,
  }));
}

/** Text either side of an excerpt that every rule runs on again, so a match whose key or prefix lies outside the window is still found. */
const EXCERPT_RESCAN = 320;
/** Characters of context shown either side of a detection (as in `renderExcerptOf`). */
const EXCERPT_CONTEXT = 32;

/**
 * A one-line excerpt around `d` with every detection in `all` redacted and control characters
 * escaped. The secret never appears in the result, not even in part; nor does a neighbouring one:
 * every rule (with `opts`' project patterns) runs again around the window, whatever `all` holds.
 */
export function renderExcerpt(text: string, d: Detection, all: Detection[], opts: DetectOptions = {}): string {
  const from = Math.max(0, d.start - EXCERPT_CONTEXT);
  const to = Math.min(text.length, d.end + EXCERPT_CONTEXT);
  const around = Math.max(0, from - EXCERPT_RESCAN);
  const again = detectSecrets(text.slice(around, Math.min(text.length, to + EXCERPT_RESCAN)), opts).map((x) => ({
    ...x,
    start: x.start + around,
    end: x.end + around,
  }));
  return renderExcerptOf(text, d, dedupeDetections([...all.map((x) => ({ ...x })), ...again]));
}
