/**
 * The text the rules see a second time: NFKC-folded (full-width `ｈｆ＿` becomes `hf_`, NBSP and
 * ideographic spaces become spaces, NFD Hangul is composed, mathematical and circled letters
 * become letters) with format characters (`\p{Cf}`: zero-width space and joiner, BOM, soft
 * hyphen, bidi marks) and hidden control characters (ESC, NUL, C1) removed. `mapFoldedSpan` maps folded offsets back to the original text, so
 * a finding points at what is really there.
 */
export interface NormalizedText {
  /** The folded text (built on first access). */
  readonly text: string;
  /** Changed pieces, in order: `[foldedStart, foldedEnd)` came from `[origStart, origEnd)`. */
  segments: { foldedStart: number; foldedEnd: number; origStart: number; origEnd: number; relevant: boolean }[];
}

/**
 * Characters that compose with their neighbours under NFKC: conjoining jamo, kana voicing marks.
 * Combining marks on Latin letters are left alone: no rule or customer name here needs `é`, and
 * random bytes are full of them (folding them doubled the scan time of binary strings).
 */
const COMPOSING = /[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u3099-\u309c\uff9e\uff9f]/u;
const FORMAT_CHARS = /\p{Cf}/gu;
/**
 * Control characters that hide inside a word (an ESC or NUL in a token or a file name): C0 other
 * than tab and line breaks, DEL and C1. Removed like format characters.
 */
const HIDDEN_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;
const HAS_HIDDEN_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
/** What the rules and config patterns are written in: printable ASCII and Hangul syllables. */
const RULE_CHARS = /[\x21-\x7e\uac00-\ud7a3]/;

let table: Uint8Array | undefined;
/**
 * Characters that NFKC changes in a way the rules care about (an approximation of
 * NFKC_Quick_Check=No that a table tests fast): spaces, format characters (`\p{Cf}` of the BMP,
 * listed out), conjoining jamo (NFD Hangul), kana voicing marks, compatibility jamo,
 * super/subscripts, letterlike and enclosed forms, ligatures, full-width and half-width forms;
 * outside the BMP, mathematical alphanumerics (U+1D400-) and enclosed alphanumerics (U+1F100-).
 * A table, not a regex: testing 65,536 characters against a Unicode-property regex took most of
 * a second per process.
 */
const FOLDABLE_RANGES: [number, number][] = [
  [0x0080, 0x009f],
  [0x00a0, 0x00a0],
  [0x00aa, 0x00aa],
  [0x00ad, 0x00ad],
  [0x00b2, 0x00b5],
  [0x00b9, 0x00ba],
  [0x00bc, 0x00be],
  [0x02b0, 0x02b8],
  [0x0600, 0x0605],
  [0x061c, 0x061c],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x0890, 0x0891],
  [0x08e2, 0x08e2],
  [0x1100, 0x11ff],
  [0x180e, 0x180e],
  [0x2000, 0x200f],
  [0x2011, 0x2011],
  [0x2024, 0x2026],
  [0x2028, 0x202f],
  [0x205f, 0x206f],
  [0x2070, 0x209f],
  [0x2100, 0x214f],
  [0x2150, 0x218b],
  [0x2460, 0x24ff],
  [0x3000, 0x3000],
  [0x3099, 0x309c],
  [0x3131, 0x318e],
  [0x3200, 0x33ff],
  [0xa960, 0xa97f],
  [0xd7b0, 0xd7ff],
  [0xfb00, 0xfb4f],
  [0xfe10, 0xfe6f],
  [0xfeff, 0xfeff],
  [0xff00, 0xffef],
  [0xfff9, 0xfffb],
];
function foldableTable(): Uint8Array {
  if (table) return table;
  table = new Uint8Array(0x10000);
  for (const [lo, hi] of FOLDABLE_RANGES) table.fill(1, lo, hi + 1);
  return table;
}

/**
 * No-break spaces glue what they stand between: read as nothing, so a token with an NBSP inside is
 * found whole (names still match: config patterns take any separator or none).
 */
const NO_BREAK_SPACES = /[\u00a0\u2007\u202f]/g;
const fold = (s: string) =>
  s.replace(NO_BREAK_SPACES, "").normalize("NFKC").replace(FORMAT_CHARS, "").replace(HIDDEN_CONTROLS, "");

/**
 * `fold` of one foldable character, remembered: random binary strings hold thousands of C1
 * controls and compatibility characters, and each fold is four passes of string work. Bounded:
 * only characters of FOLDABLE_RANGES (and two surrogate blocks) get here.
 */
const foldedChars = new Map<string, string>();
function foldChar(ch: string): string {
  let f = foldedChars.get(ch);
  if (f === undefined) {
    f = fold(ch);
    foldedChars.set(ch, f);
  }
  return f;
}

/**
 * Folds `text`, or returns undefined when folding changes nothing (ASCII text, or text without a
 * foldable character: the common case, kept to one regex pass).
 *
 * Only foldable characters are folded, one code point at a time (exact offsets); a run with
 * composing characters is folded whole, with the ASCII character before it (a base letter that
 * a combining mark attaches to).
 */
export function normalizeForScan(text: string): NormalizedText | undefined {
  const pieces: string[] = [];
  const segments: NormalizedText["segments"] = [];
  let copied = 0; // original offset copied up to
  let anyRelevant = false;
  let outLen = 0;
  const change = (from: number, to: number, folded: string) => {
    if (from > copied) {
      pieces.push(text.slice(copied, from));
      outLen += from - copied;
    }
    // A change can create a match only if it yields ASCII or Hangul, or removes or turns into a
    // space what separated two characters (format characters, NBSP). Folding one CJK or symbol
    // character into another (common in random bytes) cannot.
    const relevant = folded.length === 0 || RULE_CHARS.test(folded) || /^\s+$/.test(folded);
    segments.push({ foldedStart: outLen, foldedEnd: outLen + folded.length, origStart: from, origEnd: to, relevant });
    anyRelevant ||= relevant;
    pieces.push(folded);
    outLen += folded.length;
    copied = to;
  };
  // Pure ASCII (the byte length is the character count): nothing to fold. Native and fast.
  if (Buffer.byteLength(text, "utf8") === text.length && !HAS_HIDDEN_CONTROL.test(text)) return undefined;
  // A character-code walk: only non-ASCII characters are tested (a Unicode-property regex over the
  // whole text costs ~100 ns a character).
  const n = text.length;
  const tbl = foldableTable();
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) change(i, i + 1, "");
      continue;
    }
    const w = code >= 0xd800 && code <= 0xdbff && i + 1 < n ? 2 : 1;
    if (w === 1 ? tbl[code] === 0 : code !== 0xd835 && code !== 0xd83c) {
      i += w - 1;
      continue;
    }
    const ch = text.slice(i, i + w);
    if (COMPOSING.test(ch)) {
      // Fold the whole non-ASCII run around it, with the ASCII base letter before it.
      let from = i;
      while (from > copied && text.charCodeAt(from - 1) >= 0x80) from--;
      // (Not a space or line break: nothing composes with those, and a finding must not start there.)
      if (from > copied && from > 0 && text.charCodeAt(from - 1) > 0x20) from--;
      let to = i + w;
      while (to < n && text.charCodeAt(to) >= 0x80) to++;
      const whole = text.slice(from, to);
      const f = fold(whole);
      if (f !== whole) change(from, to, f);
      i = to - 1;
      continue;
    }
    const f = foldChar(ch);
    if (f !== ch) change(i, i + w, f);
    i += w - 1;
  }
  if (!anyRelevant) return undefined;
  pieces.push(text.slice(copied));
  // The folded text is built when asked for: the by-line pass folds only the lines it needs.
  let joined: string | undefined;
  return {
    get text() {
      joined ??= pieces.join("");
      return joined;
    },
    segments,
  };
}

/** Original offset of folded offset `o`; inside a changed piece, its start (or end, for `isEnd`). */
export function mapFoldedOffset(n: NormalizedText, o: number, isEnd: boolean): number {
  const segs = n.segments;
  let lo = 0;
  let hi = segs.length - 1;
  let found = -1;
  // Last segment whose folded start is before `o` (for an end offset, strictly before).
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (isEnd ? segs[mid]!.foldedStart < o : segs[mid]!.foldedStart <= o) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return o;
  const s = segs[found]!;
  if (isEnd ? o <= s.foldedEnd : o < s.foldedEnd) return isEnd ? s.origEnd : s.origStart;
  return s.origEnd + (o - s.foldedEnd);
}

/** Maps a `[start, end)` span of the folded text back to the original text. */
export function mapFoldedSpan(n: NormalizedText, start: number, end: number): [number, number] {
  const s = mapFoldedOffset(n, start, false);
  return [s, Math.max(mapFoldedOffset(n, end, true), s + 1)];
}

/** Characters either side of a changed piece that the folded pass re-reads (longest match < 300). */
const FOLD_WINDOW = 320;

/**
 * `[start, end)` windows of the folded text around its changed pieces, merged: everything else
 * reads as in the original, where the first pass already looked.
 */
export function foldedWindows(n: NormalizedText): [number, number][] {
  const out: [number, number][] = [];
  for (const s of n.segments) {
    if (!s.relevant) continue;
    const from = Math.max(0, s.foldedStart - FOLD_WINDOW);
    const to = Math.min(n.text.length, s.foldedEnd + FOLD_WINDOW);
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}
