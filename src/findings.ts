/**
 * A finding: something in the checkpoint or data that blocks a release or deserves a warning.
 * Produced by the sanitizer's scanners, the pickle reader, the licence rules and the card
 * checks; rendered in reports, `scan` output and GitHub annotations.
 *
 * A finding never holds the secret it found: `excerpt` is redacted at the source.
 */
export interface Finding {
  /** Stable rule id, e.g. `hf-token`, `unsafe-pickle-global`, `customer-name`. */
  rule: string;
  severity: "block" | "warn";
  /** Checkpoint- or bundle-relative path. */
  file: string;
  /** Where in the file: any that apply. */
  line?: number;
  column?: number;
  /** JSON pointer (RFC 6901) into a JSON document. */
  pointer?: string;
  offset?: number;
  /** Short context with the sensitive part replaced, e.g. `token = "hf_****...a1"`. */
  excerpt?: string;
  message: string;
  /** Set when the config accepted this finding; the reason is recorded in the report. */
  acceptedReason?: string;
}

export function isBlocking(f: Finding): boolean {
  return f.severity === "block" && f.acceptedReason === undefined;
}
