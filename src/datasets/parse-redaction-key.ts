import { usageError } from "../errors.js";

// Below 128 bits an attacker who knows a customer list could brute-force the key and then test
// guesses against the placeholders.
export const MIN_REDACTION_KEY_BYTES = 16;

/**
 * Turns the value of MODEL_RELEASE_REDACTION_KEY into key bytes: 32+ hex digits are decoded,
 * anything else is taken as UTF-8 text. Pure. The value never appears in an error.
 *
 * @throws ReleaseError `REDACTION_KEY_TOO_SHORT` (usage).
 */
export function parseRedactionKey(value: string): Uint8Array {
  const trimmed = value.trim();
  const bytes = /^(?:[0-9a-fA-F]{2}){16,}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "utf8");
  if (bytes.length < MIN_REDACTION_KEY_BYTES) {
    throw usageError(
      "REDACTION_KEY_TOO_SHORT",
      `MODEL_RELEASE_REDACTION_KEY has ${bytes.length} bytes; at least ${MIN_REDACTION_KEY_BYTES} are needed`,
      {
        hint: "generate one with `openssl rand -hex 32` and keep it in your secret store; unset the variable to use a random key for this run",
        location: { field: "MODEL_RELEASE_REDACTION_KEY" },
      },
    );
  }
  return new Uint8Array(bytes);
}
