/**
 * Text detectors for secrets and personal or internal data. Pure and synchronous, so the dataset
 * redactor can run them on single records; `scanCheckpoint` runs them on every string it can
 * reach in a checkpoint and adds secretlint's maintained preset on top (`detectWithSecretlint`).
 *
 * A detection carries offsets, never the matched text: callers that need an excerpt go through
 * `renderExcerpt`, which redacts every detection in the window, so no secret can leak through the
 * context of another finding.
 */

export type Severity = "block" | "warn";

export interface Detection {
  /** Stable rule id, e.g. `hf-token`, `email`, or the config pattern's name. */
  rule: string;
  severity: Severity;
  /** UTF-16 offsets into the scanned text; `text.slice(start, end)` is the sensitive part. */
  start: number;
  end: number;
  /** Human-readable description of what was found (never the value). */
  message: string;
}

/** A project pattern from the release config (`sanitize.patterns`). */
export interface SecretPattern {
  name: string;
  values?: string[];
  regex?: string;
  severity?: Severity;
}

export interface DetectOptions {
  /** Project-specific patterns: customer, plant and line names, part numbers. */
  patterns?: SecretPattern[];
  /** Rules to skip entirely (ids). */
  disable?: string[];
}

interface Rule {
  id: string;
  severity: Severity;
  message: string;
  re: RegExp;
  /** Capture group that holds the sensitive part (default: the whole match). */
  group?: number;
  /** Return false to discard a match (placeholders, loopback addresses). */
  accept?: (value: string, match: RegExpExecArray, text: string) => boolean;
  /**
   * A cheap pattern every match contains (global flag). When set, the full pattern only runs on
   * windows of `ANCHOR_WINDOW` characters around anchor hits: the full patterns of these rules
   * try a match at every letter, which dominated scan time over binary strings and logs.
   */
  anchor?: RegExp;
  /**
   * A cheap test that every text holding a match passes (a literal or short pattern that every
   * match contains): when it fails, the rule is skipped; otherwise it runs (on the whole text,
   * or on anchor windows). Exact by construction, and most rules never match in most files.
   * Plain `includes` first where possible: V8 searches a literal far faster than a pattern.
   */
  gate?: (text: string) => boolean;
}

/** Characters either side of an anchor hit that the full pattern sees (longest match < 300). */
const ANCHOR_WINDOW = 320;

// Values that a key named like a secret commonly holds without being one: transformers writes
// `<HUB_TOKEN>` in `TrainingArguments.to_dict()`, configs use `${ENV}` and `null`.
const PLACEHOLDER =
  /^(?:<[^>]*>|\$\{?[A-Za-z_][\w]*\}?|\*+|x+|null|none|true|false|undefined|changeme|redacted|\[redacted[^\]]*\])$/i;

function isPrivateIPv4(ip: string): boolean {
  const [a, b] = ip.split(".").map(Number) as [number, number];
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254)
  );
}

const INTERNAL_TLDS = "internal|intranet|corp|lan|local|localdomain|home\\.arpa|private|cluster\\.local|svc";
// Shared mount points of training clusters: paths under them name projects, users and data sets.
const CLUSTER_ROOTS =
  "fsx|lustre|scratch|gpfs|nfs|mnt|data|datasets|shared|checkpoints|workspace|raid|beegfs|weka|projects";

const CLUSTER_ROOT_GATE = new RegExp(`\\/(?:${CLUSTER_ROOTS})\\/`);

const BUILTIN_RULES: Rule[] = [
  {
    id: "hf-token",
    severity: "block",
    message: "Hugging Face access token",
    gate: (t) => t.includes("hf_") || t.includes("api_org_"),
    re: /(?<![A-Za-z0-9])(?:hf_|api_org_)[A-Za-z0-9]{30,40}(?![A-Za-z0-9])/g,
  },
  {
    id: "github-token",
    severity: "block",
    message: "GitHub token",
    gate: (t) => t.includes("_") && /gh[pousr]_|github_pat_/.test(t),
    re: /(?<![A-Za-z0-9])(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36,255}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g,
  },
  {
    id: "aws-access-key-id",
    severity: "block",
    message: "AWS access key id",
    gate: (t) => /A3T|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA/.test(t),
    re: /(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z2-7]{16}(?![A-Z0-9])/g,
  },
  {
    id: "aws-secret-access-key",
    severity: "block",
    message: "AWS secret access key",
    gate: (t) => /aws_?secret_?access_?key/i.test(t),
    re: /aws_?secret_?access_?key["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
  },
  {
    id: "wandb-api-key",
    severity: "block",
    message: "Weights & Biases API key",
    gate: (t) => /wandb/i.test(t),
    // W&B keys have no vendor prefix (`check_api_key`: optional `<prefix>-`, then >= 40 word chars), so only in context.
    re: /(?:wandb[_-]?api[_-]?key|wandb\.login\(\s*key)["']?\s*(?::|=)?\s*["']?((?:[A-Za-z0-9]+-)?\w{40,})/gi,
    group: 1,
  },
  {
    id: "wandb-api-key",
    severity: "block",
    message: "Weights & Biases API key in a netrc entry",
    gate: (t) => /api\.wandb\.ai/i.test(t),
    re: /machine\s+api\.wandb\.ai\s+(?:login\s+\S+\s+)?password\s+((?:[A-Za-z0-9]+-)?\w{40,})/gi,
    group: 1,
  },
  {
    id: "comet-api-key",
    severity: "block",
    message: "Comet API key",
    gate: (t) => /comet/i.test(t),
    re: /comet[_.-]?api[_-]?key["']?\s*(?::|=)\s*["']?([A-Za-z0-9]{20,})/gi,
    group: 1,
  },
  {
    id: "private-key",
    severity: "block",
    message: "private key",
    gate: (t) => t.includes("-----BEGIN"),
    // Bounded body: a truncated key (no END line) is still reported, up to 16 KiB of it.
    re: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,16384}?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    id: "slack-token",
    severity: "block",
    message: "Slack token",
    gate: (t) => (t.includes("xox") && /xox[abposre]-/.test(t)) || t.includes("xapp-"),
    re: /(?<![A-Za-z0-9])(?:xox[abposre]|xapp)-(?:\d-)?[A-Za-z0-9-]{10,250}/g,
  },
  {
    id: "slack-webhook",
    severity: "block",
    message: "Slack webhook URL",
    gate: (t) => t.includes("hooks.slack.com/"),
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,80}/g,
  },
  {
    id: "password-assignment",
    severity: "block",
    message: "credential assigned in clear text",
    // Key names that hold credentials; a bare `*_token` is not enough (tokenizers have `pad_token`).
    // Every match assigns with `:`, `=` or `=>`.
    gate: (t) => t.includes(":") || t.includes("="),
    // The keyword and the separator: `tokens 4096` (every line of a training log) is no hit.
    anchor: /(?:passw(?:or)?d|pwd|passphrase|secret|api[_-]?key|access[_-]?key|private[_-]?key|token)["']?\s*[:=]/gi,
    // Starts at the keyword (a literal alternation is fast to search); the rest of the key name
    // is read backwards in `accept`.
    re: /(password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|token)["']?\s*(?::|=>|=)\s*["']?([^\s"',;}\]]{6,200})/gi,
    group: 2,
    accept: (value, m, text) => {
      let k = m.index;
      while (k > 0 && /[A-Za-z0-9_-]/.test(text[k - 1]!)) k--;
      const key = (text.slice(k, m.index) + (m[1] ?? "")).toLowerCase();
      // `token` alone is a credential only as the whole key; `eos_token: "</s>"` is vocabulary.
      if (
        /token$/.test(key) &&
        !/^(?:token|auth[_-]?token|access[_-]?token|hub[_-]?token|push[_-]?to[_-]?hub[_-]?token|bearer[_-]?token|api[_-]?token)$/.test(
          key,
        )
      )
        return false;
      return !PLACEHOLDER.test(value);
    },
  },
  {
    id: "email",
    severity: "block",
    message: "e-mail address",
    // `@`, a domain label and a dot: printable runs of binaries hold `@` every ~100 characters.
    gate: (t) => t.includes("@"),
    anchor: /@[A-Za-z0-9-]{1,63}\./g,
    re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g,
    // `user@2x.png` style asset names and package scopes are not addresses.
    accept: (value) => !/\.(?:png|jpe?g|gif|svg|webp)$/i.test(value),
  },
  {
    id: "ip-address",
    severity: "block",
    message: "IP address",
    // Dots and digits are everywhere in logs (`lr 0.0001`); only `.d.d.` can be inside an address.
    anchor: /\.\d{1,3}\.\d{1,3}\./g,
    re: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])/g,
    accept: (ip) => !/^(?:0\.0\.0\.0|127\.|255\.255\.255\.)/.test(ip),
  },
  {
    id: "internal-hostname",
    severity: "block",
    message: "internal host name",
    anchor: new RegExp(`\\.(?:${INTERNAL_TLDS})`, "gi"),
    re: new RegExp(
      // A label never holds `_`: `sanitize.internal_domains` is a config field, not a host.
      `(?<![A-Za-z0-9.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?:${INTERNAL_TLDS})(?![A-Za-z0-9_-])`,
      "gi",
    ),
  },
  {
    id: "user-path",
    severity: "block",
    message: "absolute path with a user name",
    gate: (t) =>
      (t.includes("/") || t.includes("\\")) &&
      /\/(?:home|Users|u|usr\/home)\/|:\\(?:Users|Documents and Settings)\\|\/root\//.test(t),
    re: /(?:(?<![\w.:/~-])\/(?:home|Users|u|usr\/home)\/[A-Za-z0-9._-]+|[A-Za-z]:\\(?:Users|Documents and Settings)\\[A-Za-z0-9._ -]+|(?<![\w.:/~-])\/root(?=\/))(?:[/\\][^\s"'<>|,;:)}\]]*)?/g,
  },
  {
    id: "internal-path",
    severity: "block",
    message: "path on a cluster file system",
    gate: (t) => t.includes("/") && CLUSTER_ROOT_GATE.test(t),
    re: new RegExp(`(?<![\\w.:/~-])\\/(?:${CLUSTER_ROOTS})\\/[^\\s"'<>|,;:)}\\]]+`, "g"),
  },
  {
    id: "bucket-url",
    severity: "block",
    message: "object storage URL",
    gate: (t) => t.includes("://"),
    re: /(?<![A-Za-z0-9])(?:s3a?|gs|abfss?|wasbs?|hdfs):\/\/[^\s"'<>|,;)}\]]+/g,
  },
];

// Patterns with nested quantifiers on unbounded input can take exponential time; the config's
// regexes are run on bounded slices (see scanners) and compiled once, failures reported as usage errors.
function compileProjectPatterns(patterns: SecretPattern[]): Rule[] {
  const out: Rule[] = [];
  for (const p of patterns) {
    const severity = p.severity ?? "block";
    const message = `project pattern '${p.name}'`;
    if (p.values && p.values.length > 0) {
      const alts = [...p.values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|");
      out.push({ id: p.name, severity, message, re: new RegExp(alts, "giu") });
    }
    if (p.regex !== undefined) out.push({ id: p.name, severity, message, re: compileUserRegex(p.regex) });
  }
  return out;
}

/** Compiles a config regex (`/body/flags` or a bare body) with the global flag. Throws SyntaxError. */
export function compileUserRegex(source: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(source);
  const body = m ? m[1]! : source;
  const flags = new Set((m ? m[2]! : "").split(""));
  flags.add("g");
  flags.delete("y");
  return new RegExp(body, [...flags].join(""));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const compiledCache = new WeakMap<SecretPattern[], Rule[]>();

function rulesFor(opts: DetectOptions): Rule[] {
  let project: Rule[] = [];
  if (opts.patterns && opts.patterns.length > 0) {
    project = compiledCache.get(opts.patterns) ?? compileProjectPatterns(opts.patterns);
    compiledCache.set(opts.patterns, project);
  }
  const all = [...BUILTIN_RULES, ...project];
  return opts.disable && opts.disable.length > 0 ? all.filter((r) => !opts.disable!.includes(r.id)) : all;
}

/** Ids of the built-in rules, for documentation and `--json` consumers. */
export const BUILTIN_RULE_IDS: readonly string[] = [...new Set(BUILTIN_RULES.map((r) => r.id))];

/**
 * Finds secrets and personal or internal data in `text`. Overlapping detections are merged so
 * that each sensitive span is reported once, by the rule that matched first in rule order
 * (vendor tokens before generic assignments).
 */
export function detectSecrets(text: string, opts: DetectOptions = {}): Detection[] {
  return runRules(text, rulesFor(opts), true);
}

/**
 * `detectSecrets` without the anchors and gates: every rule's full pattern over the whole text.
 * The reference that tests hold the fast path to; not for production use (slow on large text).
 * @internal
 */
export function detectSecretsUnfiltered(text: string, opts: DetectOptions = {}): Detection[] {
  return runRules(text, rulesFor(opts), false);
}

function runRules(text: string, rules: Rule[], filtered: boolean): Detection[] {
  const found: Detection[] = [];
  for (const rule of rules) {
    if (filtered && rule.gate && !rule.gate(text)) continue;
    for (const [from, to] of filtered && rule.anchor ? anchorWindows(text, rule.anchor) : [[0, text.length] as const]) {
      const slice = from === 0 && to === text.length ? text : text.slice(from, to);
      rule.re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = rule.re.exec(slice)) !== null) {
        if (m[0].length === 0) {
          rule.re.lastIndex++;
          continue;
        }
        const value = rule.group !== undefined ? m[rule.group] : m[0];
        if (value === undefined || value.length === 0) continue;
        if (rule.accept && !rule.accept(value, m, slice)) continue;
        const start = from + (rule.group !== undefined ? m.index + m[0].lastIndexOf(value) : m.index);
        found.push({ rule: rule.id, severity: rule.severity, start, end: start + value.length, message: rule.message });
      }
    }
  }
  return dedupeDetections(found);
}

/** Merged `[from, to)` windows around every anchor hit, cut at line ends where one is near. */
function anchorWindows(text: string, anchor: RegExp): [number, number][] {
  const out: [number, number][] = [];
  anchor.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = anchor.exec(text)) !== null) {
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

/** Text either side of an excerpt that every rule runs on again, so a match whose key or prefix lies outside the window is still found. */
const EXCERPT_RESCAN = 320;

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
  // Any detection that reaches into the window is redacted whole, then the window is cut around it.
  const inWindow = dedupeDetections([...all.map((x) => ({ ...x })), ...again]).filter(
    (x) => x.end > from && x.start < to,
  );
  const lo = Math.min(from, ...inWindow.map((x) => x.start));
  const hi = Math.max(to, ...inWindow.map((x) => x.end));
  const shifted = inWindow.map((x) => ({ ...x, start: x.start - lo, end: x.end - lo }));
  let out = redactSecrets(text.slice(lo, hi), shifted);
  const marker = `[REDACTED:${d.rule}]`;
  const at = out.indexOf(marker);
  // Trim context that the widening added, keeping the marker for `d` in the middle.
  if (at >= 0) out = out.slice(Math.max(0, at - EXCERPT_CONTEXT), at + marker.length + EXCERPT_CONTEXT);
  return (from > 0 ? "…" : "") + printable(out) + (to < text.length ? "…" : "");
}

function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === "\n"
      ? "\\n"
      : c === "\t"
        ? "\\t"
        : c === "\r"
          ? "\\r"
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
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
