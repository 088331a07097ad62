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
 * Printable runs (ASCII 0x20-0x7e, tab, and well-formed multi-byte UTF-8 sequences, so Korean
 * or accented names survive) of at least `minRun` characters. With `final` false, a run touching
 * the end of `buf` (or a UTF-8 sequence cut by it) is not reported: `carryFrom` says where it
 * starts, for the caller to prepend to the next chunk.
 */
export function extractPrintableRuns(buf: Uint8Array, final = true, minRun = MIN_STRING_RUN): { runs: StringRun[]; carryFrom: number } {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const runs: StringRun[] = [];
  const n = b.length;
  let start = -1;
  let chars = 0;
  let i = 0;
  // Tight loop, no closures or allocations per byte: this runs over every byte of a binary.
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
      if (i + need <= n && (b[i + 1]! & 0xc0) === 0x80 && (need < 3 || (b[i + 2]! & 0xc0) === 0x80) && (need < 4 || (b[i + 3]! & 0xc0) === 0x80)) {
        if (start < 0) start = i;
        chars++;
        i += need;
        continue;
      }
    }
    if (start >= 0) {
      if (chars >= minRun) runs.push({ offset: start, text: b.toString("utf8", start, i) });
      start = -1;
      chars = 0;
    }
    i++;
  }
  if (!final) return { runs, carryFrom: start >= 0 ? start : i };
  if (start >= 0 && chars >= minRun) runs.push({ offset: start, text: b.toString("utf8", start, n) });
  return { runs, carryFrom: n };
}
