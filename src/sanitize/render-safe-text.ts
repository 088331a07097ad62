import { escapeControlChars, INVISIBLE_CHARS } from "../detect/escape-control-chars.js";
import { maskRunHosts } from "./mask-run-hosts.js";
import {
  compileUserRegex,
  type SecretPattern,
  type DetectOptions,
  detectSecrets,
  redactSecrets,
} from "./detect-secrets.js";

/**
 * The one way anything found in a checkpoint (a file, member, tensor or key name, a JSON pointer,
 * an excerpt, a message that quotes one of them) becomes printable or publishable: stdout,
 * stderr, `--json`, the reports, `::error` annotations and the step summary all go through here.
 * GitHub Actions logs of public repositories are public, so "printed" means "published".
 */
export interface SafeTextOptions extends DetectOptions {
  /**
   * Keep line feeds. `true` (messages): only those followed by indentation, the form every
   * multi-line message of this code base has (`blocked by 2 finding(s):\n  hf-token in …`), so a
   * line feed inside a quoted name shows as `\n` and cannot forge a line. `"document"` (a diff, a
   * Markdown report): every line feed and tab. Either way a line that would start a workflow
   * command (`::`) is defused. Default false: a name is one line, and every `\n` shows as `\n`.
   */
  multiline?: boolean | "document";
}

/**
 * `text` with every span that any rule (built-in or the config's `sanitize.patterns`) matches
 * replaced by `[REDACTED:<rule>]`, in the text as written and in its folded and decoded forms,
 * and with every control, format and bidi character escaped (`\x1b`, `\n`, `\u202e`), so the
 * result can neither leak what was found nor drive the terminal or a log parser. Pure.
 */
export function renderSafeText(text: string, opts: SafeTextOptions = {}): string {
  const redacted = redactEverything(text, opts);
  return escapeControlChars(redacted, opts.multiline ?? false);
}

/**
 * `value` with every string and object key redacted (`renderSafeText` without the escaping: JSON
 * serialisation escapes control characters itself, see `renderSafeJson`). Numbers, booleans and
 * null pass. Cycles are not expected (plain data) and end at depth 64.
 */
export function renderSafeValue<T>(value: T, opts: DetectOptions = {}): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return redactEverything(v, opts);
    if (v === null || typeof v !== "object" || depth > 64) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Uint8Array) return `[${v.length} bytes]`;
    // What JSON.stringify would write (a Date's ISO string, an error's fields), then redacted.
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return walk(toJSON.call(v), depth + 1);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      out[redactEverything(k, opts)] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}

/**
 * `JSON.stringify` of `renderSafeValue(value)`, with the characters JSON leaves raw but a terminal
 * or a reader's eye acts on (DEL, C1 controls, bidi overrides, line separators, zero-width
 * characters) written as `\uXXXX` escapes: still valid JSON that parses to the same strings.
 */
export function renderSafeJson(value: unknown, opts: DetectOptions = {}, indent?: number): string {
  return JSON.stringify(renderSafeValue(value, opts), null, indent).replace(
    INVISIBLE_CHARS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const usable = new WeakMap<SecretPattern[], SecretPattern[]>();

/**
 * The patterns whose regex compiles: output is rendered even when the config is wrong (the
 * error that says so is printed through here), so a broken pattern is skipped, never thrown.
 */
function usablePatterns(patterns: SecretPattern[]): SecretPattern[] {
  let ok = usable.get(patterns);
  if (!ok) {
    ok = patterns.filter((p) => {
      try {
        if (p.regex !== undefined) compileUserRegex(p.regex);
        return true;
      } catch {
        return false;
      }
    });
    usable.set(patterns, ok);
  }
  return ok;
}

function redactEverything(raw: string, given: DetectOptions): string {
  if (raw.length === 0) return raw;
  const text = maskRunHosts(raw);
  const opts = given.patterns ? { ...given, patterns: usablePatterns(given.patterns) } : given;
  // The engine reads the text as written, folded and decoded (base64, hex, percent, UTF-16, gzip).
  const found = detectSecrets(text, opts);
  return found.length === 0 ? text : redactSecrets(text, found);
}
