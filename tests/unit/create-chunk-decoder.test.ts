import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createChunkDecoder, decodeUtf8Strict, endsInsideSequence } from "../../src/sanitize/create-chunk-decoder.js";

/** Bytes mixing long ASCII stretches, Hangul, emoji, cut and invalid sequences. */
function mixedBytes(seed: number): Buffer {
  const parts: Buffer[] = [];
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  for (let i = 0; i < 60; i++) {
    const k = rnd(6);
    if (k < 3) parts.push(Buffer.from("step 12 loss=0.25 lr=3e-5 ".repeat(1 + rnd(20))));
    else if (k === 3) parts.push(Buffer.from("현대로보틱스 작업 파일 😀 ", "utf8"));
    else if (k === 4)
      parts.push(Buffer.from([0xe2, 0x82])); // a cut 3-byte sequence
    else parts.push(randomBytes(1 + rnd(8)));
  }
  return Buffer.concat(parts);
}

describe("createChunkDecoder", () => {
  it("gives exactly what a streaming TextDecoder gives, for any chunking", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = mixedBytes(seed);
      const expected = new TextDecoder("utf-8").decode(bytes);
      for (const size of [1, 2, 3, 5, 64, 777, bytes.length]) {
        const decode = createChunkDecoder();
        let out = "";
        for (let p = 0; p < bytes.length; p += size) {
          const last = p + size >= bytes.length;
          out += decode(bytes.subarray(p, p + size), last);
        }
        expect(out, `seed ${seed}, chunk ${size}`).toBe(expected);
      }
    }
  });

  it("flushes a sequence cut at the end with an empty last chunk", () => {
    const decode = createChunkDecoder();
    expect(decode(Buffer.from([0x61, 0xed, 0x95]), false)).toBe("a");
    expect(decode(new Uint8Array(0), true)).toBe("\ufffd");
  });

  it("knows when the bytes end inside a sequence", () => {
    expect(endsInsideSequence(Buffer.from("abc"))).toBe(false);
    expect(endsInsideSequence(Buffer.from("한", "utf8"))).toBe(false);
    expect(endsInsideSequence(Buffer.from("한", "utf8").subarray(0, 2))).toBe(true);
    expect(endsInsideSequence(Buffer.from([0xf0, 0x9f]))).toBe(true);
  });
});

describe("decodeUtf8Strict", () => {
  it("decodes as a fatal TextDecoder does, BOM included, and refuses invalid UTF-8", () => {
    expect(decodeUtf8Strict(Buffer.from("plain ascii"))).toBe("plain ascii");
    expect(decodeUtf8Strict(Buffer.from("\ufeff현대", "utf8"))).toBe("현대");
    expect(decodeUtf8Strict(Buffer.from([0x61, 0xff]))).toBeUndefined();
  });
});
