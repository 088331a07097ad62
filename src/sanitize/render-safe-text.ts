import {
  compileUserRegex,
  dedupeDetections,
  type SecretPattern,
  type DetectOptions,
  type Detection,
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
  return escapeForTerminal(redacted, opts.multiline ?? false);
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
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Characters JSON.stringify does not escape but that must not reach a terminal or a log raw. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
/** Everything `escapeForTerminal` writes as a visible escape: C0 controls too. */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeForTerminal(text: string, multiline: boolean | "document"): string {
  const escaped = text.replace(UNSAFE, (c, at: number) => {
    if (multiline === "document" && (c === "\n" || c === "\t")) return c;
    if (multiline && c === "\n" && (text[at + 1] === " " || text[at + 1] === "\t")) return c;
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  // GitHub's runner takes `##[command]` anywhere in a line (the old syntax) and `::command::` at
  // the start of a (trimmed) line: neither may come out of a printed name.
  const defused = escaped.replaceAll("##[", "##\\x5b");
  return multiline ? defused.replace(/^(\s*):/gm, "$1\\x3a") : defused;
}

// Text longer than this is scanned as written only: folding and decoding are for names and
// messages, and a long document (a diff) has already been through the scanner.
const MAX_DEEP_SCAN = 64 * 1024;
/** Encoded runs worth decoding: long enough to hold a token, short enough to stay cheap. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,4096}={0,2}/g;
const HEX_RUN = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){8,2048}(?![0-9A-Fa-f])/g;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9._~+@:/-])*%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9._~+@:/-])*/g;

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

function redactEverything(text: string, given: DetectOptions): string {
  if (text.length === 0) return text;
  const opts = given.patterns ? { ...given, patterns: usablePatterns(given.patterns) } : given;
  const found = [...detectSecrets(text, opts)];
  if (text.length <= MAX_DEEP_SCAN) {
    found.push(...detectFolded(text, opts, false));
    if (opts.patterns && opts.patterns.length > 0) found.push(...detectFolded(text, opts, true));
    found.push(...detectEncodedRuns(text, opts));
  }
  return found.length === 0 ? text : redactSecrets(text, dedupeDetections(found));
}

/**
 * Detections in the NFKC-folded text with format and control characters removed (full-width
 * `ｈｆ＿…`, a zero-width space or an ESC inside a token), mapped back to the original offsets.
 * With `underscores`, `_` also reads as a space, for project names written `Kanary_Motors`.
 */
function detectFolded(text: string, opts: DetectOptions, underscores: boolean): Detection[] {
  let folded = "";
  const from: number[] = [];
  const to: number[] = [];
  let changed = false;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const next = i + ch.length;
    let out: string;
    // Line breaks and tabs separate words; other controls and format characters hide inside one.
    if (/[\s\u001c-\u001f\u0085]/u.test(ch)) out = ch === " " ? ch : " ";
    else if (/[\p{Cc}\p{Cf}]/u.test(ch)) out = "";
    else if (underscores && ch === "_") out = " ";
    else out = ch.normalize("NFKC");
    if (out !== ch) changed = true;
    for (let k = 0; k < out.length; k++) {
      from.push(i);
      to.push(next);
    }
    folded += out;
    i = next;
  }
  if (!changed) return [];
  return detectSecrets(folded, opts)
    .filter((d) => d.end > d.start)
    .map((d) => ({ ...d, start: from[d.start]!, end: to[d.end - 1]! }));
}

/** Base64, hex and percent-encoded runs whose decoded text holds a detection: the whole run goes. */
function detectEncodedRuns(text: string, opts: DetectOptions): Detection[] {
  const out: Detection[] = [];
  const tryRun = (start: number, run: string, decode: (s: string) => string | undefined) => {
    const decoded = decode(run);
    if (decoded === undefined || decoded.length < 4) return;
    const [d] = detectSecrets(decoded, opts);
    if (d) out.push({ ...d, start, end: start + run.length, message: `${d.message} (encoded)` });
  };
  for (const m of text.matchAll(BASE64_RUN)) {
    tryRun(m.index, m[0], decodeBase64Text);
    // `/` is base64 and a path separator: each component may be a run of its own.
    if (!m[0].includes("/")) continue;
    let at = m.index;
    for (const part of m[0].split("/")) {
      if (part.length >= 16) tryRun(at, part, decodeBase64Text);
      at += part.length + 1;
    }
  }
  for (const m of text.matchAll(HEX_RUN)) tryRun(m.index, m[0], (s) => printableUtf8(Buffer.from(s, "hex")));
  if (text.includes("%"))
    for (const m of text.matchAll(PERCENT_RUN))
      tryRun(m.index, m[0], (s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return printableUtf8(
            Buffer.from(
              s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
              "latin1",
            ),
          );
        }
      });
  return out;
}

function decodeBase64Text(run: string): string | undefined {
  const bytes = Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return printableUtf8(bytes);
}

/** The bytes as UTF-8 text when they mostly are text (a random run decodes to noise). */
function printableUtf8(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return undefined;
  const s = bytes.toString("utf8");
  let bad = 0;
  for (const c of s) if (c === "\uFFFD" || /[\u0000-\u0008\u000e-\u001f]/.test(c)) bad++;
  return bad * 10 <= s.length ? s : undefined;
}
