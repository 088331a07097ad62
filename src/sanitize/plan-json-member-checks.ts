import { detectAssignment } from "../detect/detect-assignment.js";
import { detectInAddedTokens, type AddedToken } from "../detect/join-added-tokens.js";
import type { DetectOptions, Detection } from "../detect/types.js";

/** Where an added token's content sits: tokenizer.json's list, or tokenizer_config.json's map by id. */
const ADDED_TOKEN_CONTENT = /^\/(?:added_tokens|added_tokens_decoder)\/(\d+)\/content$/;

/**
 * Checks of a JSON document that need more than one string at a time, fed while the document is
 * parsed string by string: a credential recognised by the key it is assigned to
 * (`{"wandb_api_key": "…"}`, `{"db_password": "…"}`), and a secret split over adjacent added
 * tokens of a tokenizer. Pure.
 */
export function planJsonMemberChecks(opts: DetectOptions): {
  /** Findings for one string value, by its member's key; offsets are into `value`. */
  onValue: (pointer: string, value: string) => Detection[];
  /** Findings across added tokens once the document is parsed (each covers two or more tokens). */
  finish: () => { pointer: string; detection: Omit<Detection, "start" | "end"> }[];
} {
  const tokens: (AddedToken & { pointer: string })[] = [];
  return {
    onValue(pointer, value) {
      const added = ADDED_TOKEN_CONTENT.exec(pointer);
      if (added) tokens.push({ id: Number(added[1]), content: value, pointer });
      const key = lastSegment(pointer);
      return key === undefined || /^\d+$/.test(key) ? [] : detectAssignment(key, value, opts);
    },
    finish() {
      if (tokens.length < 2) return [];
      const byId = new Map(tokens.map((t) => [t.id, t.pointer]));
      return detectInAddedTokens(tokens, opts)
        .filter((f) => f.ids.length > 1)
        .map((f) => ({
          pointer: `${byId.get(f.ids[0]!) ?? "/added_tokens"} (joined with the next ${f.ids.length - 1} added token(s))`,
          detection: { rule: f.rule, severity: f.severity, message: `${f.message}, split across added tokens` },
        }));
    },
  };
}

/** The member name a JSON pointer ends in (RFC 6901 unescaped), or undefined at the root. */
function lastSegment(pointer: string): string | undefined {
  const at = pointer.lastIndexOf("/");
  if (at < 0) return undefined;
  return pointer
    .slice(at + 1)
    .replace(/~1/g, "/")
    .replace(/~0/g, "~");
}
