import type { RedactionCategory } from "./dataset-config-schema.js";

/**
 * Generic (format-independent) detectors: IP addresses, e-mails, URLs with a host, user and
 * Windows paths, secrets. This is the one integration point with the sanitizer: when
 * `detectSecrets` from src/sanitize is available, the caller passes it in as `detect` and its
 * rule ids are mapped to placeholder categories by `categoryOfSanitizeRule`; the fallback rules
 * below cover what robot programs carry so the dataset stage works on its own.
 */

export interface GenericDetection {
  rule: string;
  category: RedactionCategory;
  start: number;
  end: number;
}

/** The shape of the sanitizer's `detectSecrets(text, opts)` result that the redactor needs. */
export type SecretDetector = (text: string) => { rule: string; start: number; end: number }[];

/** Placeholder category of a sanitizer rule id (tokens and keys become SECRET). */
export function categoryOfSanitizeRule(rule: string): RedactionCategory {
  switch (rule) {
    case "ip-address":
      return "IP";
    case "email":
      return "EMAIL";
    case "internal-hostname":
      return "HOST";
    case "user-path":
    case "internal-path":
      return "PATH";
    case "bucket-url":
      return "URL";
    default:
      return "SECRET";
  }
}

interface FallbackRule {
  rule: string;
  category: RedactionCategory;
  re: RegExp;
}

const FALLBACK_RULES: FallbackRule[] = [
  // Loopback and the unspecified address name no machine; everything else is a real peer.
  { rule: "ip-address", category: "IP", re: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])/g },
  { rule: "email", category: "EMAIL", re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g },
  { rule: "url", category: "URL", re: /\b(?:https?|ftp|sftp|opc\.tcp|smb):\/\/[^\s"'<>)\]]+/gi },
  { rule: "mac-address", category: "SERIAL", re: /(?<![0-9A-Fa-f:-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])/g },
  { rule: "user-path", category: "PATH", re: /(?<![\w.:/~-])\/(?:home|Users|root)\/[^\s"'<>|,;)]+/g },
  { rule: "password-assignment", category: "SECRET", re: /(?<=\b(?:password|passwd|pwd|ftp_pass|secret|api[_-]?key|token)\s*[:=]\s*["']?)[^\s"',;)]{4,}/gi },
];

/** Runs the fallback rules; pure. */
export function detectGenericSensitive(text: string): GenericDetection[] {
  const out: GenericDetection[] = [];
  for (const r of FALLBACK_RULES) {
    r.re.lastIndex = 0;
    for (const m of text.matchAll(r.re)) {
      if (r.rule === "ip-address" && /^(?:0\.0\.0\.0|127\.)/.test(m[0])) continue;
      out.push({ rule: r.rule, category: r.category, start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

/** Adapts the sanitizer's detector to generic detections. */
export function fromSecretDetector(detect: SecretDetector): (text: string) => GenericDetection[] {
  return (text) => detect(text).map((d) => ({ rule: d.rule, category: categoryOfSanitizeRule(d.rule), start: d.start, end: d.end }));
}
