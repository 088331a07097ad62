/**
 * Printable strings of any binary (the `strings` tool's job): the scanner's pass over pickles,
 * legacy torch storages, GGUF metadata, event files and unknown blobs. Pickles are also walked
 * opcode by opcode (`extractPickleStrings` from src/checkpoint/pickle); this pass stays as the
 * safety net for bytes the walker does not reach.
 */

/**
 * Shortest run of printable characters reported. In random bytes (tensor data) about 1.3% of
 * positions start a run of 4, 0.2% a run of 6: 6 keeps the scanned text ~1/7 of what 4 would,
 * and every credential, address and path rule needs more than 6 characters anyway.
 */
export const MIN_STRING_RUN = 6;

export interface StringRun {
  /** Byte offset of the run within the scanned buffer. */
  offset: number;
  text: string;
}

/**
 * Transition tables of the run automaton, per `minRun`. State `c * 4 + r`: `c` characters of the
 * current run so far (< minRun), `r` UTF-8 continuation bytes still expected after a lead byte.
 * State `4 * minRun` (QUALIFIED) means the run just reached `minRun` characters.
 */
const tables = new Map<number, Uint16Array>();

function runTable(minRun: number): Uint16Array {
  let t = tables.get(minRun);
  if (t) return t;
  const qualified = 4 * minRun;
  t = new Uint16Array((qualified + 1) * 256);
  const fromStart = (x: number): number => step(0, 0, x);
  const step = (c: number, r: number, x: number): number => {
    if (r > 0) {
      if ((x & 0xc0) === 0x80) return r > 1 ? c * 4 + r - 1 : c + 1 >= minRun ? qualified : (c + 1) * 4;
      // The sequence broke: the run ended before its lead byte, and the bytes after the lead
      // were continuation bytes (never a start), so `x` is looked at afresh.
      return fromStart(x);
    }
    if ((x >= 0x20 && x <= 0x7e) || x === 0x09) return c + 1 >= minRun ? qualified : (c + 1) * 4;
    if (x >= 0xc2 && x <= 0xdf) return c * 4 + 1;
    if (x >= 0xe0 && x <= 0xef) return c * 4 + 2;
    if (x >= 0xf0 && x <= 0xf4) return c * 4 + 3;
    return 0;
  };
  for (let c = 0; c < minRun; c++)
    for (let r = 0; r < 4; r++) for (let x = 0; x < 256; x++) t[((c * 4 + r) << 8) | x] = step(c, r, x);
  for (let x = 0; x < 256; x++) t[(qualified << 8) | x] = t[x]!;
  tables.set(minRun, t);
  return t;
}

/**
 * Printable runs (ASCII 0x20-0x7e, tab, and well-formed multi-byte UTF-8 sequences, so Korean
 * or accented names survive) of at least `minRun` characters. With `final` false, a run touching
 * the end of `buf` (or a UTF-8 sequence cut by it) is not reported: `carryFrom` says where it
 * starts, for the caller to prepend to the next chunk.
 *
 * Speed: random bytes (tensor data, event files) are mostly not strings, and a byte-by-byte loop
 * that branches on every byte's class runs at ~40 MB/s there (the branches cannot be predicted).
 * So a table-driven automaton walks the bytes with one predictable branch per byte, and only
 * when a run reaches `minRun` characters does the exact loop (`exactRuns`) take over, a few bytes
 * before the run, up to its end. The exact loop re-synchronises on any byte that is not a UTF-8
 * continuation byte (what it does at a position depends only on the bytes from there on), so
 * restarting it `4 * minRun` bytes back, which is before the run's first character, gives the
 * same runs as one pass over the whole buffer.
 */
export function extractPrintableRuns(
  buf: Uint8Array,
  final = true,
  minRun = MIN_STRING_RUN,
): { runs: StringRun[]; carryFrom: number } {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const runs: StringRun[] = [];
  const n = b.length;
  const minChars = Math.max(1, minRun);
  const table = runTable(minChars);
  const qualified = 4 * minChars;
  const back = 4 * minChars + 4;
  // Bytes before `resume` are done.
  let resume = 0;
  for (const q of qualifyingPositions(b, table, qualified, back)) {
    if (q < resume) continue;
    const lo = Math.max(resume, q - back);
    // Most runs are ASCII: walk back over printable ASCII to the run's first byte. The byte
    // before it ends the previous run for certain (so the exact loop can start right after it)
    // unless it completes a valid UTF-8 sequence, which belongs to this run: any other byte
    // there is one the exact loop visits (lead bytes are always visited, and a continuation
    // byte that ends no sequence is visited too) and is not printable.
    // (Not within 4 bytes of the end, where the exact loop stops at a cut lead byte.)
    let from = lo;
    if (q + 4 <= n && isAsciiPrintable(b[q]!)) {
      from = q;
      while (from > lo && isAsciiPrintable(b[from - 1]!)) from--;
      if (from > lo && (b[from - 1]! & 0xc0) === 0x80 && endsSequence(b, from)) from = lo;
    }
    const next = exactRuns(b, from, q, final, minRun, runs);
    if (next < 0) return { runs, carryFrom: -1 - next };
    resume = next;
  }
  // The run (or UTF-8 sequence) in progress at the end, if any, is shorter than `minRun`: the
  // exact loop finds where it starts (and reports nothing new unless `final` says it ended).
  const next = exactRuns(b, Math.max(resume, n - back), n, final, minRun, runs);
  return { runs, carryFrom: next < 0 ? -1 - next : n };
}

/** Whether a well-formed 2-, 3- or 4-byte UTF-8 sequence ends right before `end`. */
function endsSequence(b: Buffer, end: number): boolean {
  for (let k = 2; k <= 4 && end - k >= 0; k++) {
    const lead = b[end - k]!;
    if ((lead & 0xc0) === 0x80) continue;
    return k === 2
      ? lead >= 0xc2 && lead <= 0xdf
      : k === 3
        ? lead >= 0xe0 && lead <= 0xef
        : lead >= 0xf0 && lead <= 0xf4;
  }
  return false;
}

function isAsciiPrintable(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || c === 0x09;
}

/**
 * Positions where the automaton saw a run reach `minRun` characters, in the order to check them
 * (ascending within each quarter). The automaton is a chain of dependent table loads, so four
 * of them walk the four quarters of the buffer side by side: the CPU overlaps the chains. Each
 * quarter's automaton starts `back` bytes early, so a run that starts just before a quarter and
 * qualifies inside it is counted from its start; any position it reports for a run that started
 * even earlier comes after that run's true position (found by the previous quarter) and is
 * skipped by the caller. After a hit the automaton restarts at its start state.
 */
function qualifyingPositions(b: Buffer, table: Uint16Array, qualified: number, back: number): number[] {
  const n = b.length;
  const out: number[][] = [[], [], [], []];
  const seg = Math.floor(n / 4);
  if (seg <= back) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s = table[(s << 8) | b[i]!]!;
      if (s === qualified) {
        out[0]!.push(i);
        s = 0;
      }
    }
    return out[0]!;
  }
  const [o0, o1, o2, o3] = out as [number[], number[], number[], number[]];
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = seg - back; i < seg; i++) {
    s1 = table[(s1 << 8) | b[i]!]!;
    if (s1 === qualified) {
      o1.push(i);
      s1 = 0;
    }
    s2 = table[(s2 << 8) | b[i + seg]!]!;
    if (s2 === qualified) {
      o2.push(i + seg);
      s2 = 0;
    }
    s3 = table[(s3 << 8) | b[i + 2 * seg]!]!;
    if (s3 === qualified) {
      o3.push(i + 2 * seg);
      s3 = 0;
    }
  }
  for (let i = 0; i < seg; i++) {
    s0 = table[(s0 << 8) | b[i]!]!;
    s1 = table[(s1 << 8) | b[i + seg]!]!;
    s2 = table[(s2 << 8) | b[i + 2 * seg]!]!;
    s3 = table[(s3 << 8) | b[i + 3 * seg]!]!;
    if (s0 === qualified) {
      o0.push(i);
      s0 = 0;
    }
    if (s1 === qualified) {
      o1.push(i + seg);
      s1 = 0;
    }
    if (s2 === qualified) {
      o2.push(i + 2 * seg);
      s2 = 0;
    }
    if (s3 === qualified) {
      o3.push(i + 3 * seg);
      s3 = 0;
    }
  }
  for (let i = 4 * seg; i < n; i++) {
    s3 = table[(s3 << 8) | b[i]!]!;
    if (s3 === qualified) {
      o3.push(i);
      s3 = 0;
    }
  }
  return o0.concat(o1, o2, o3);
}

/**
 * The reference loop, from byte `from`: runs until the run covering byte `through` has ended,
 * then returns the next byte to look at, or, at the end of the buffer, `-1 - carryFrom` (one
 * number, no object: this runs once per string found). Runs of `minRun` characters or more are
 * appended to `runs`.
 */
function exactRuns(
  b: Buffer,
  from: number,
  through: number,
  final: boolean,
  minRun: number,
  runs: StringRun[],
): number {
  const n = b.length;
  let start = -1;
  let chars = 0;
  let i = from;
  while (i < n) {
    const c = b[i]!;
    if ((c >= 0x20 && c <= 0x7e) || c === 0x09) {
      if (start < 0) start = i;
      chars++;
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xf4) {
      const need = c <= 0xdf ? 2 : c <= 0xef ? 3 : 4;
      if (i + need > n && !final) break;
      if (
        i + need <= n &&
        (b[i + 1]! & 0xc0) === 0x80 &&
        (need < 3 || (b[i + 2]! & 0xc0) === 0x80) &&
        (need < 4 || (b[i + 3]! & 0xc0) === 0x80)
      ) {
        if (start < 0) start = i;
        chars++;
        i += need;
        continue;
      }
    }
    if (start >= 0) {
      if (chars >= minRun) runs.push({ offset: start, text: decode(b, start, i, chars) });
      start = -1;
      chars = 0;
    }
    i++;
    if (i > through) return i;
  }
  if (!final) return -1 - (start >= 0 ? start : i);
  if (start >= 0 && chars >= minRun) runs.push({ offset: start, text: decode(b, start, n, chars) });
  return -1 - n;
}

/** Node's unchecked slice decoders: `toString` validates its arguments on every call, once per run. */
type FastBuffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
};

/** The run's text: ASCII (as many characters as bytes) decodes as latin-1, the cheapest path. */
function decode(b: Buffer, start: number, end: number, chars: number): string {
  const fb = b as FastBuffer;
  return end - start === chars ? fb.latin1Slice(start, end) : fb.utf8Slice(start, end);
}
