/** Small pure helpers that several rule tables share. */

// Values that a key named like a secret commonly holds without being one: transformers writes
// `<HUB_TOKEN>` in `TrainingArguments.to_dict()`, configs use `${ENV}`, `{{ secrets.X }}` and `null`.
export const PLACEHOLDER =
  /^(?:<[^>]*>|\$\{?[A-Za-z_][\w.]*\}?|\$\{[A-Za-z_]\w*:?[-=?+][^}]*\}?|\$\(\s*[\w .-]+\)|\{\{[^}]*\}\}|%\(?[A-Za-z_]\w*\)?s?%?|\*+|x+|X+|\.+|-+|null|nil|none|true|false|undefined|changeme|change[_-]?me|redacted|secret|password|passwd|your[_-][\w-]*|my[_-][\w-]*|example[\w-]*|dummy[\w-]*|placeholder|todo|tbd|fixme|\[redacted[^\]]*\]|os\.environ.*|process\.env.*|getenv.*|env\(.*)$/i;

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A token body that is not a visible placeholder: `hf_xxxx…`, `AKIAXXXX…` and `sk-…0000` fill
 * documentation; real tokens are random (gitleaks gates its rules the same way).
 */
export function isRandomLooking(s: string, minEntropy = 3): boolean {
  return shannonEntropy(s) >= minEntropy;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Reads the identifier that ends at `end` backwards (letters, digits, `_`, `-`, `.`). */
export function identifierBefore(text: string, end: number): string {
  let k = end;
  while (k > 0 && /[A-Za-z0-9_.-]/.test(text[k - 1]!)) k--;
  return text.slice(k, end);
}
