import { createHmac } from "node:crypto";
import type { RedactionCategory } from "./dataset-config-schema.js";

/** Maps a sensitive value to its placeholder. Same key and value, same placeholder. */
export interface Pseudonymizer {
  /** `<CUSTOMER_1a2b3c4d>`: for comments, strings and headers. */
  placeholder(category: RedactionCategory, value: string): string;
  /** `gLoop_1a2b3c4d`: a valid identifier, for names in statements. */
  identifier(prefix: string, value: string): string;
  /** `rec_0123456789abcdef`: a record id that does not reveal the source id (64 bits: no collisions in practice). */
  recordId(sourceId: string): string;
}

// 32 bits of HMAC: a few thousand distinct values per category give a collision probability
// well under 1e-3, and a short placeholder keeps comment columns readable. The key, not the
// length, is what stops dictionary attacks on the placeholders.
const HEX_CHARS = 8;

/** Matches a placeholder this module writes; the redactor never re-redacts one. */
export const PLACEHOLDER_RE = /<[A-Z_]+_[0-9a-f]{8}>/g;

/** Case, Unicode form and spacing do not make a value different. */
function normalize(value: string): string {
  return value.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * A keyed-hash pseudonymizer (HMAC-SHA256). The key comes from the caller (the CLI reads
 * MODEL_RELEASE_REDACTION_KEY, or draws a random one per run) and is never stored or returned.
 */
export function createPseudonymizer(key: Uint8Array): Pseudonymizer {
  if (key.length < 16) throw new RangeError("the redaction key must have at least 16 bytes");
  const keyCopy = Buffer.from(key);
  const digest = (domain: string, value: string, chars = HEX_CHARS) =>
    createHmac("sha256", keyCopy)
      .update(`${domain}\u0000${normalize(value)}`)
      .digest("hex")
      .slice(0, chars);
  return {
    placeholder: (category, value) => `<${category}_${digest(category, value)}>`,
    identifier: (prefix, value) => `${prefix}_${digest(`id:${prefix}`, value)}`,
    recordId: (sourceId) =>
      `rec_${createHmac("sha256", keyCopy).update(`record\u0000${sourceId}`).digest("hex").slice(0, 16)}`,
  };
}
