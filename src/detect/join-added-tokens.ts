import { detectSecrets } from "./detect-secrets.js";
import type { DetectOptions, Severity } from "./types.js";

/**
 * A tokenizer's added tokens (`added_tokens` of tokenizer.json, `added_tokens_decoder` of
 * tokenizer_config.json) as one text: contents of consecutive ids joined with nothing between
 * them, so a secret split over two adjacent added tokens (`hf_abc…` + `…xyz`) is found whole.
 * Gaps in the ids start a new line.
 */

export interface AddedToken {
  id: number;
  content: string;
}

export interface JoinedAddedTokens {
  text: string;
  /** Where each token's content sits in `text`. */
  spans: { id: number; start: number; end: number }[];
}

export function joinAddedTokens(tokens: readonly AddedToken[]): JoinedAddedTokens {
  const sorted = [...tokens].sort((a, b) => a.id - b.id);
  let text = "";
  const spans: JoinedAddedTokens["spans"] = [];
  let prev: number | undefined;
  for (const t of sorted) {
    if (prev !== undefined && t.id !== prev + 1) text += "\n";
    spans.push({ id: t.id, start: text.length, end: text.length + t.content.length });
    text += t.content;
    prev = t.id;
  }
  return { text, spans };
}

export interface AddedTokenFinding {
  rule: string;
  severity: Severity;
  message: string;
  /** Ids of the added tokens the finding covers (two or more when it was split across them). */
  ids: number[];
}

/**
 * Findings in the joined added tokens (`joinAddedTokens`), each with the ids of the tokens it
 * covers. Findings inside one token are included too (a caller that already scans each token
 * can keep only those with `ids.length > 1`).
 */
export function detectInAddedTokens(tokens: readonly AddedToken[], opts: DetectOptions = {}): AddedTokenFinding[] {
  const joined = joinAddedTokens(tokens);
  return detectSecrets(joined.text, opts).map((d) => ({
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    ids: joined.spans.filter((s) => s.start < d.end && d.start < s.end).map((s) => s.id),
  }));
}
