import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isReleaseError, type ReleaseError } from "../../src/errors.js";
import { MAX_HEADER_LENGTH, parseSafetensorsHeader } from "../../src/checkpoint/parse-safetensors-header.js";
import { parseStrictJson } from "../../src/checkpoint/parse-strict-json.js";
import { encodeSafetensors } from "../fixtures/lib/write-safetensors.js";

/** A file made of an 8-byte length, the given header text and `data` bytes. */
function withHeader(header: string | Uint8Array, dataBytes: number, lengthOverride?: bigint): Uint8Array {
  const h = typeof header === "string" ? Buffer.from(header, "utf8") : Buffer.from(header);
  const out = Buffer.alloc(8 + h.length + dataBytes, 7);
  out.writeBigUInt64LE(lengthOverride ?? BigInt(h.length), 0);
  h.copy(out, 8);
  return out;
}

const parse = (bytes: Uint8Array, fileSize = bytes.length) =>
  parseSafetensorsHeader({ prefix: bytes, fileSize, file: "model.safetensors" });

function failure(fn: () => unknown): { code: string; message: string; offset?: number } {
  try {
    fn();
  } catch (e) {
    if (!isReleaseError(e)) throw e;
    const err = e as ReleaseError;
    return { code: err.code, message: err.message, offset: err.location?.offset };
  }
  throw new Error("expected a ReleaseError");
}

describe("parseSafetensorsHeader", () => {
  it("reads tensors and metadata of a file written like the reference writer", () => {
    const bytes = encodeSafetensors([
      { name: "a", dtype: "F32", shape: [2, 3] },
      { name: "b", dtype: "BF16", shape: [4] },
      { name: "empty", dtype: "I64", shape: [0] },
    ]);
    const s = parse(bytes);
    expect(s.metadata).toEqual({ format: "pt" });
    expect(s.tensors.map((t) => [t.name, t.dtype, t.shape, t.dataOffsets])).toEqual([
      ["a", "F32", [2, 3], [0, 24]],
      ["b", "BF16", [4], [24, 32]],
      ["empty", "I64", [0], [32, 32]],
    ]);
    expect(s.headerLength % 8).toBe(0);
  });

  it("accepts leading whitespace padding and rank-0 tensors", () => {
    const s = parse(withHeader('   {"x":{"dtype":"F16","shape":[],"data_offsets":[0,2]}}', 2));
    expect(s.tensors[0]?.shape).toEqual([]);
  });

  it("accepts sub-byte dtypes that end on a byte boundary", () => {
    expect(parse(withHeader('{"x":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}', 2)).tensors).toHaveLength(1);
    expect(failure(() => parse(withHeader('{"x":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', 2))).code).toBe(
      "SAFETENSORS_BAD_OFFSETS",
    );
  });

  it.each([
    ["a file shorter than 8 bytes", new Uint8Array([1, 2, 3])],
    ["a header length of 2^63", withHeader("{}", 0, 2n ** 63n)],
    ["a header length just over the cap", withHeader("{}", 0, BigInt(MAX_HEADER_LENGTH) + 1n)],
    ["a header length past the end of the file", withHeader("{}", 0, 100n)],
    [
      "invalid UTF-8",
      withHeader(Buffer.concat([Buffer.from('{"a\u00e9'), Buffer.from([0xff, 0xfe]), Buffer.from('":1}')]), 0),
    ],
    ["a header that is not an object", withHeader("[1, 2]", 0)],
    ["bad JSON", withHeader('{"x": {"dtype": "F32",}}', 0)],
    [
      "duplicate keys",
      withHeader(
        '{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        8,
      ),
    ],
    ["an unknown dtype", withHeader('{"x":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', 16)],
    ["a negative dimension", withHeader('{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4)],
    ["non-string metadata", withHeader('{"__metadata__":{"step":10}}', 0)],
    ["an unknown tensor field", withHeader('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', 4)],
    [
      "overlapping offsets",
      withHeader(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        12,
      ),
    ],
    [
      "a hole between tensors",
      withHeader(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
        12,
      ),
    ],
    ["a header that lies about the byte size", withHeader('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}', 8)],
    [
      "a shape whose product overflows",
      withHeader('{"a":{"dtype":"F32","shape":[9007199254740991,9007199254740991],"data_offsets":[0,8]}}', 8),
    ],
    [
      "trailing bytes after the data (polyglot)",
      withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 12),
    ],
    ["a truncated data section", withHeader('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 10)],
  ])("rejects %s with a typed error, the file and a byte offset", (_name, bytes) => {
    const f = failure(() => parse(bytes));
    expect(f.code).toMatch(/^SAFETENSORS_[A-Z0-9_]+$/);
    expect(f.message).toContain("model.safetensors");
    expect(typeof f.offset).toBe("number");
  });

  it("says exactly what is wrong and where", () => {
    const messages = [
      withHeader("{}", 0, 2n ** 63n),
      withHeader(
        '{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        8,
      ),
      withHeader(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        12,
      ),
      withHeader('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}', 8),
      withHeader(Buffer.concat([Buffer.from('{"ab'), Buffer.from([0xc3, 0x28]), Buffer.from('":1}')]), 0),
      withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 12),
    ].map((b) => failure(() => parse(b)));
    expect(messages).toMatchInlineSnapshot(`
      [
        {
          "code": "SAFETENSORS_HEADER_TOO_LARGE",
          "message": "model.safetensors: header length 9223372036854775808 exceeds the limit of 100000000 bytes (at byte 0)",
          "offset": 0,
        },
        {
          "code": "SAFETENSORS_DUPLICATE_KEY",
          "message": "model.safetensors: header JSON: duplicate key "x" (at byte 62)",
          "offset": 62,
        },
        {
          "code": "SAFETENSORS_BAD_OFFSETS",
          "message": "model.safetensors: tensor "b" data_offsets [4, 12] overlaps the previous tensor (at byte 120)",
          "offset": 120,
        },
        {
          "code": "SAFETENSORS_SIZE_MISMATCH",
          "message": "model.safetensors: tensor "a" has 8 data bytes, but shape [4] x F32 needs 16 (at byte 62)",
          "offset": 62,
        },
        {
          "code": "SAFETENSORS_HEADER_UTF8",
          "message": "model.safetensors: header is not valid UTF-8 (at byte 12)",
          "offset": 12,
        },
        {
          "code": "SAFETENSORS_TRAILING_BYTES",
          "message": "model.safetensors: 8 bytes after the last tensor are not described by the header (at byte 66)",
          "offset": 66,
        },
      ]
    `);
  });

  it("never crashes or hangs on random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        try {
          parse(bytes);
        } catch (e) {
          expect(isReleaseError(e)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("never crashes on random headers after a plausible length (property)", () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string(),
      fc
        .record({
          x: fc.record({
            dtype: fc.constantFrom("F32", "BF16", "U8", "F4", "Q"),
            shape: fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }),
            data_offsets: fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 3 }),
          }),
        })
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(jsonish, fc.nat({ max: 64 }), (header, data) => {
        try {
          const s = parse(withHeader(header, data));
          // Whatever parses must satisfy the invariants the validator promises.
          let end = 0;
          for (const t of [...s.tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0])) {
            expect(t.dataOffsets[0]).toBe(end);
            end = t.dataOffsets[1];
          }
          expect(end).toBe(data);
        } catch (e) {
          expect(isReleaseError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseStrictJson", () => {
  it("agrees with JSON.parse on valid JSON without duplicate keys (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(JSON.stringify(parseStrictJson(text))).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it("treats __proto__ as an ordinary key", () => {
    const v = parseStrictJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(["__proto__"]);
  });
});
