import type { DetectOptions } from "./sanitize/detect-secrets.js";
import { renderSafeText } from "./sanitize/render-safe-text.js";

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

/**
 * `f` as it may be printed or published: its file, pointer, rule, message, excerpt and accepted
 * reason through `renderSafeText` (every rule's matches redacted, control characters escaped).
 * A pointer may hold a key that is itself the secret (`/log_history/2/hf_… (key)`), and an excerpt
 * may hold a neighbouring match, so nothing is trusted because it was "only a location".
 */
export function renderSafeFinding(f: Finding, opts: DetectOptions = {}): Finding {
  const safe = (s: string) => renderSafeText(s, opts);
  const out: Finding = { ...f, rule: safe(f.rule), file: safe(f.file), message: safe(f.message) };
  if (f.pointer !== undefined) out.pointer = safe(f.pointer);
  if (f.excerpt !== undefined) out.excerpt = safe(f.excerpt);
  if (f.acceptedReason !== undefined) out.acceptedReason = safe(f.acceptedReason);
  return out;
}
