import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractPrintableRuns, MIN_STRING_RUN, type StringRun } from "../../src/sanitize/extract-printable-runs.js";

/**
 * The byte-by-byte loop the automaton replaced, kept verbatim as the reference: the fast path
 * must report exactly the same runs and carry point for any bytes.
 */
function referenceRuns(
  buf: Uint8Array,
  final = true,
  minRun = MIN_STRING_RUN,
): { runs: StringRun[]; carryFrom: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
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

/** Bytes rich in the cases that matter: printable ASCII, UTF-8 leads and continuations, controls. */
const interesting = fc.uint8Array({ maxLength: 400 }).chain((noise) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          [0x41],
          [0x20],
          [0x09],
          [0x00],
          [0x0a],
          [0x7f],
          [0xc3, 0xa9],
          [0xe2, 0x82, 0xac],
          [0xf0, 0x9f, 0x98, 0x80],
          [0xc3],
          [0xe2, 0x82],
          [0xf0, 0x9f],
          [0x80],
          [0xbf],
          [0xc0],
          [0xf5],
          [0xff],
        ),
        fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => [...a]),
      ),
      { maxLength: 300 },
    )
    .map((parts) => Buffer.concat([Buffer.from(parts.flat()), Buffer.from(noise)])),
);

/** Extraction over `chunks` pieces with the carry handling of the scanner, offsets made absolute. */
function chunked(bytes: Buffer, cuts: number[], minRun: number): StringRun[] {
  const out: StringRun[] = [];
  let carry = Buffer.alloc(0);
  let carryPos = 0;
  const bounds = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  for (let k = 1; k < bounds.length; k++) {
    const chunk = bytes.subarray(bounds[k - 1]!, bounds[k]!);
    const last = k === bounds.length - 1;
    const buf = Buffer.concat([carry, chunk]);
    const bufPos = carry.length > 0 ? carryPos : bounds[k - 1]!;
    const { runs, carryFrom } = extractPrintableRuns(buf, last, minRun);
    out.push(...runs.map((r) => ({ offset: r.offset + bufPos, text: r.text })));
    carry = Buffer.from(buf.subarray(carryFrom));
    carryPos = bufPos + carryFrom;
  }
  return out;
}

describe("extractPrintableRuns", () => {
  it("finds the same runs and carry point as the byte-by-byte reference, for any bytes", () => {
    fc.assert(
      fc.property(interesting, fc.boolean(), fc.integer({ min: 1, max: 12 }), (bytes, final, minRun) => {
        expect(extractPrintableRuns(bytes, final, minRun)).toEqual(referenceRuns(bytes, final, minRun));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives the same runs when the bytes arrive in chunks cut anywhere (UTF-8 sequences and runs split)", () => {
    fc.assert(
      fc.property(interesting, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        expect(chunked(bytes, cuts, MIN_STRING_RUN)).toEqual(referenceRuns(bytes, true, MIN_STRING_RUN).runs);
      }),
      { numRuns: 1000 },
    );
  });

  it("finds runs that straddle the quarters the automaton walks side by side", () => {
    // 4 quarters of 100 bytes; runs of 1-12 characters (ASCII or 2-byte UTF-8) ending at every
    // offset around the first quarter boundary, in filler of control bytes or of continuation bytes.
    for (const filler of [0x01, 0x80]) {
      for (const unit of [[0x61], [0xc3, 0xa9]]) {
        for (let chars = 1; chars <= 12; chars++) {
          for (let end = 70; end <= 140; end++) {
            const bytes = Buffer.alloc(400, filler);
            const run = Buffer.from(Array.from({ length: chars }, () => unit).flat());
            run.copy(bytes, Math.max(0, end - run.length));
            for (const final of [true, false])
              expect(extractPrintableRuns(bytes, final)).toEqual(referenceRuns(bytes, final, MIN_STRING_RUN));
          }
        }
      }
    }
  });

  it("keeps accented and Korean names whole and drops short runs", () => {
    const bytes = Buffer.concat([
      Buffer.from([0x00, 0x01]),
      Buffer.from("José Müller 김철수"),
      Buffer.from([0xff]),
      Buffer.from("short"),
      Buffer.from([0x00]),
    ]);
    expect(extractPrintableRuns(bytes)).toEqual({
      runs: [{ offset: 2, text: "José Müller 김철수" }],
      carryFrom: bytes.length,
    });
  });

  it("carries a run that touches the end of a non-final buffer, and a cut UTF-8 sequence", () => {
    const run = Buffer.concat([Buffer.from([0x00]), Buffer.from("abcdefgh")]);
    expect(extractPrintableRuns(run, false)).toEqual({ runs: [], carryFrom: 1 });
    const cut = Buffer.concat([Buffer.from([0x00, 0x00]), Buffer.from([0xe2, 0x82])]);
    expect(extractPrintableRuns(cut, false)).toEqual({ runs: [], carryFrom: 2 });
  });
});
