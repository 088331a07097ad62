/**
 * The text the rules see a second time: NFKC-folded (full-width `ｈｆ＿` becomes `hf_`, NBSP and
 * ideographic spaces become spaces, NFD Hangul is composed) with format characters (`\p{Cf}`:
 * zero-width space and joiner, BOM, soft hyphen, bidi marks) removed. `startOf`/`endOf` map every
 * folded offset back to the original text, so a finding points at what is really there.
 */
export interface NormalizedText {
  text: string;
  /** `startOf[i]`: offset in the original of the segment that produced folded character `i`. */
  startOf: Int32Array;
  /** `endOf[i]`: end offset in the original of that segment. */
  endOf: Int32Array;
}

const FORMAT_CHAR = /\p{Cf}/u;
const NON_ASCII = /[^\x00-\x7f]/;
const FORMAT_CHARS = /\p{Cf}/gu;
/** Characters that compose with their neighbours under NFKC: combining marks, conjoining jamo, kana voicing marks. */
const COMPOSING = /[\p{M}\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u3099-\u309c\uff9e\uff9f]/u;

/**
 * Folds `text`, or returns undefined when folding changes nothing (pure ASCII text, or text
 * already in its folded form: the common case, kept cheap).
 *
 * Folding works segment by segment: a segment is a run of non-ASCII characters together with
 * the ASCII character before it (a base letter that a combining mark may attach to), so
 * composition across a segment boundary cannot happen and each folded character maps to the
 * segment it came from.
 */
export function normalizeForScan(text: string): NormalizedText | undefined {
  if (!NON_ASCII.test(text)) return undefined;
  if (!FORMAT_CHAR.test(text) && text.normalize("NFKC") === text) return undefined;
  let out = "";
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Copy the ASCII run up to the character before the next non-ASCII one.
    let j = i;
    while (j < n && text.charCodeAt(j) < 0x80) j++;
    const asciiEnd = j < n && j > i ? j - 1 : j;
    for (let k = i; k < asciiEnd; k++) {
      starts.push(k);
      ends.push(k + 1);
    }
    out += text.slice(i, asciiEnd);
    if (asciiEnd >= n) break;
    // Segment: optional ASCII base, then every non-ASCII character up to the next ASCII one.
    let e = j;
    while (e < n && text.charCodeAt(e) >= 0x80) e++;
    if (!COMPOSING.test(text.slice(j, e))) {
      // Nothing composes (full-width forms, format characters, precomposed Hangul): fold code
      // point by code point, so each folded character maps to exactly its source.
      for (let k = asciiEnd; k < j; k++) {
        starts.push(k);
        ends.push(k + 1);
      }
      out += text.slice(asciiEnd, j);
      for (let k = j; k < e; ) {
        const cp = text.codePointAt(k)!;
        const w = cp > 0xffff ? 2 : 1;
        const f = text
          .slice(k, k + w)
          .normalize("NFKC")
          .replace(FORMAT_CHARS, "");
        for (let x = 0; x < f.length; x++) {
          starts.push(k);
          ends.push(k + w);
        }
        out += f;
        k += w;
      }
    } else {
      const seg = text.slice(asciiEnd, e).normalize("NFKC").replace(FORMAT_CHARS, "");
      for (let k = 0; k < seg.length; k++) {
        starts.push(asciiEnd);
        ends.push(e);
      }
      out += seg;
    }
    i = e;
  }
  const startOf = Int32Array.from(starts);
  const endOf = Int32Array.from(ends);
  return out === text ? undefined : { text: out, startOf, endOf };
}

/** Maps a `[start, end)` span of the folded text back to the original text. */
export function mapFoldedSpan(n: NormalizedText, start: number, end: number): [number, number] {
  const s = n.startOf[Math.min(start, n.startOf.length - 1)] ?? 0;
  const e = n.endOf[Math.max(0, Math.min(end, n.endOf.length) - 1)] ?? s;
  return [s, Math.max(e, s + 1)];
}
