/**
 * INTEGRATION POINT with the pickle reader (src/checkpoint/pickle/, written in parallel).
 *
 * The scanner needs the strings inside a pickle stream. Until `extractPickleStrings` from
 * src/checkpoint/pickle is on main, this uses a byte-level extraction that is a superset of what
 * an opcode walker returns: pickle stores str/bytes operands (BINUNICODE, SHORT_BINUNICODE,
 * BINBYTES, ...) as raw UTF-8, so every string operand is a run of printable bytes. It also finds
 * strings in non-pickle binaries (legacy torch storages, GGUF metadata, unknown blobs), which is
 * why the byte-level pass stays even once the opcode walker is wired in.
 */

/** Shortest run of printable bytes reported (shorter runs in binary data are mostly noise). */
export const MIN_STRING_RUN = 4;

export interface StringRun {
  /** Byte offset of the run within the scanned buffer. */
  offset: number;
  text: string;
}

/**
 * Printable runs (ASCII 0x20-0x7e, tab, and well-formed multi-byte UTF-8 sequences, so Korean
 * or accented names survive) of at least `MIN_STRING_RUN` characters. `carry` returns the bytes
 * of a run that reaches the end of `buf`, for the caller to prepend to the next chunk.
 */
export function extractPrintableRuns(buf: Uint8Array, final = true): { runs: StringRun[]; carryFrom: number } {
  const runs: StringRun[] = [];
  let start = -1;
  let chars = 0;
  let i = 0;
  const n = buf.length;
  const flush = (end: number) => {
    if (start >= 0 && chars >= MIN_STRING_RUN) runs.push({ offset: start, text: Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("utf8") });
    start = -1;
    chars = 0;
  };
  while (i < n) {
    const c = buf[i]!;
    let len = 0;
    if ((c >= 0x20 && c <= 0x7e) || c === 0x09) len = 1;
    else if (c >= 0xc2 && c <= 0xf4) {
      const need = c <= 0xdf ? 2 : c <= 0xef ? 3 : 4;
      if (i + need > n) {
        if (!final) break;
      } else {
        let ok = true;
        for (let k = 1; k < need; k++) if ((buf[i + k]! & 0xc0) !== 0x80) ok = false;
        if (ok) len = need;
      }
    }
    if (len === 0) {
      flush(i);
      i++;
      continue;
    }
    if (start < 0) start = i;
    chars++;
    i += len;
  }
  if (!final && start >= 0) {
    // The run may continue in the next chunk: hand it back instead of reporting half of it.
    return { runs, carryFrom: start };
  }
  if (!final && i < n) return { runs, carryFrom: i };
  flush(i);
  return { runs, carryFrom: n };
}

/** Strings of a pickle stream, for secret scanning (see the module comment). */
export function extractPickleStringsForScan(bytes: Uint8Array): StringRun[] {
  return extractPrintableRuns(bytes, true).runs;
}
