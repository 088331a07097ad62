/**
 * Types shared by the detection engine's rule tables and its entry points
 * (`detectSecrets` in src/sanitize/detect-secrets.ts, `detectAssignment`, `detectSecretsInBytes`).
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
  /**
   * Literal values, found case-insensitively after normalisation (NFKC, format characters
   * removed) with `_`, `-`, `.` and whitespace between words interchangeable or absent. List every
   * spelling that matters (Latin and Hangul).
   */
  values?: string[];
  regex?: string;
  severity?: Severity;
}

export interface DetectOptions {
  /** Project-specific patterns: customer, plant and line names, part numbers. */
  patterns?: SecretPattern[];
  /** Rules to skip entirely (ids). */
  disable?: string[];
  /**
   * DNS suffixes that are internal (`sanitize.internal_domains`, e.g. `hmg-ai.co.kr`): every
   * host name under them, and the domain itself, is an `internal-hostname` finding.
   */
  internalDomains?: string[];
}

export interface Rule {
  id: string;
  severity: Severity;
  message: string;
  re: RegExp;
  /** Capture group(s) that hold the sensitive part, first one set wins (default: the whole match). */
  group?: number | number[];
  /** Return false to discard a match (placeholders, loopback addresses, bad check digits). */
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
  /**
   * Token rules: every match lies inside a run of at least 20 characters of `[A-Za-z0-9+/_-]` and
   * contains one of these literals. The rule then runs only when a long run of the text holds
   * one (the runs are found once per text, for all rules and the decoder): one pass instead of
   * one `includes` per literal per rule over the whole text. Replaces `gate`.
   */
  runLiterals?: string[];
  /** Provider or class, for the detection bench and documentation (e.g. `openai`, `kr-pii`). */
  family?: string;
}
