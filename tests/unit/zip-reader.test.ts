import path from "node:path";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openZip, MAX_COMPRESSION_RATIO, type ZipArchive } from "../../src/checkpoint/zip/open-zip.js";
import { ReleaseError } from "../../src/errors.js";
import { encodeZip } from "../fixtures/lib/encode-zip.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mr-zip-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function zipFile(bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, `z${n++}.zip`);
  await writeFile(file, bytes);
  return file;
}
async function rejection(p: Promise<unknown>): Promise<ReleaseError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReleaseError);
  return err as ReleaseError;
}
async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}
async function withZip<T>(bytes: Uint8Array, fn: (z: ZipArchive) => Promise<T>): Promise<T> {
  const z = await openZip(await zipFile(bytes), { displayName: "t.zip" });
  try {
    return await fn(z);
  } finally {
    await z.close();
  }
}

const text = Buffer.from("hello zip ".repeat(500));

describe("openZip", () => {
  it("lists entries and reads stored and deflated ones, whole or by range", async () => {
    for (const zip64 of [false, true]) {
      await withZip(
        encodeZip(
          [
            { name: "a/stored", data: text },
            { name: "a/deflated", data: text, deflate: true },
          ],
          { zip64 },
        ),
        async (z) => {
          expect(z.entries.map((e) => [e.name, e.method, e.uncompressedSize])).toEqual([
            ["a/stored", 0, 5000],
            ["a/deflated", 8, 5000],
          ]);
          for (const e of z.entries) {
            expect(Buffer.from(await z.readEntry(e)).equals(text)).toBe(true);
            expect((await collect(z.streamEntry(e, 1234, 4321))).equals(text.subarray(1234, 4321))).toBe(true);
            expect((await collect(z.streamEntry(e))).equals(text)).toBe(true);
          }
        },
      );
    }
  });

  it("rejects files that are not zips or whose directory lies", async () => {
    const good = encodeZip([{ name: "x", data: text }]);
    const cdAt = good.length - 22 - (46 + 1);
    const pointPast = Buffer.from(good);
    pointPast.writeUInt32LE(good.length + 100, good.length - 22 + 16); // central directory offset
    const badLocal = Buffer.from(good);
    badLocal.writeUInt32LE(0x12345678, 0);
    const entryOutside = Buffer.from(good);
    entryOutside.writeUInt32LE(1_000_000, cdAt + 42);
    const cases = {
      tiny: Buffer.from("PK\x05\x06"),
      noEocd: Buffer.concat([good.subarray(0, good.length - 22), Buffer.alloc(22)]),
      pointPast,
      entryOutside,
    };
    const messages: Record<string, string> = {};
    for (const [k, bytes] of Object.entries(cases)) {
      const err = await rejection(openZip(await zipFile(bytes), { displayName: "t.zip" }));
      expect(err.code).toBe("ZIP_CORRUPT");
      messages[k] = err.message;
    }
    expect(messages).toMatchInlineSnapshot(`
      {
        "entryOutside": "t.zip: corrupt zip: entry "x" points outside the file (at byte 5031)",
        "noEocd": "t.zip: corrupt zip: no end-of-central-directory record (at byte 5100)",
        "pointPast": "t.zip: corrupt zip: central directory extends past the end of the file (at byte 5078)",
        "tiny": "t.zip: corrupt zip: file of 4 bytes is too small to be a zip (at byte 0)",
      }
    `);
    const local = await withZip(badLocal, (z) => rejection(z.readEntry(z.entries[0]!)));
    expect(local.message).toBe('t.zip: corrupt zip: bad local header for "x" (at byte 0)');
  });

  it("checks CRC-32, declared sizes and duplicate names", async () => {
    const flipped = encodeZip([{ name: "x", data: text }]);
    flipped[40] = flipped[40]! ^ 1;
    expect((await withZip(flipped, (z) => rejection(z.readEntry(z.entries[0]!)))).message).toBe(
      't.zip: corrupt zip: CRC-32 mismatch in entry "x" (at byte 31)',
    );
    expect((await withZip(flipped, (z) => rejection(collect(z.streamEntry(z.entries[0]!))))).message).toBe(
      't.zip: corrupt zip: CRC-32 mismatch in entry "x" (at byte 31)',
    );
    const flippedDeflate = encodeZip([{ name: "x", data: text, deflate: true }]);
    const cdCrc = flippedDeflate.length - 22 - 47 + 16;
    flippedDeflate.writeUInt32LE((flippedDeflate.readUInt32LE(cdCrc) ^ 1) >>> 0, cdCrc); // the central directory's CRC is the one checked
    expect((await withZip(flippedDeflate, (z) => rejection(collect(z.streamEntry(z.entries[0]!))))).message).toMatch(
      /CRC-32 mismatch in entry "x"/,
    );
    const lying = encodeZip([{ name: "x", data: text, deflate: true, declaredSize: 100 }]);
    const short = await withZip(lying, (z) => rejection(z.readEntry(z.entries[0]!)));
    expect(short.code).toBe("ZIP_CORRUPT");
    const streamed = await withZip(lying, (z) => rejection(collect(z.streamEntry(z.entries[0]!))));
    expect(streamed.code).toBe("ZIP_BOMB");
    const dup = await rejection(
      openZip(
        await zipFile(
          encodeZip([
            { name: "x", data: text },
            { name: "x", data: text },
          ]),
        ),
        { displayName: "t.zip" },
      ),
    );
    expect(dup.message).toBe('t.zip: the zip holds two entries named "x"');
  });

  it("refuses zip bombs by ratio before inflating anything, and caps what it inflates", async () => {
    // 1 byte of compressed data claiming 1 GiB (ZIP64 lets the size be anything).
    const bomb = encodeZip([{ name: "bomb", data: Buffer.alloc(2000), deflate: true, declaredSize: 1024 ** 3 }], {
      zip64: true,
    });
    const err = await withZip(bomb, (z) => rejection(z.readEntry(z.entries[0]!, Number.MAX_SAFE_INTEGER)));
    expect(err.code).toBe("ZIP_BOMB");
    expect(err.message).toMatch(
      /^t\.zip: entry "bomb" claims 1073741824 bytes from \d+ compressed; refusing a likely zip bomb$/,
    );
    await withZip(bomb, async (z) =>
      expect((await rejection(collect(z.streamEntry(z.entries[0]!)))).code).toBe("ZIP_BOMB"),
    );
    // Highly compressible but honest data just under the ratio still reads.
    const zeros = Buffer.alloc(200_000);
    expect(zeros.length / deflateRawSync(zeros).length).toBeLessThan(MAX_COMPRESSION_RATIO);
    await withZip(encodeZip([{ name: "z", data: zeros, deflate: true }]), async (z) =>
      expect((await z.readEntry(z.entries[0]!)).length).toBe(200_000),
    );
  });

  it("refuses encrypted entries, unknown methods and entries too large for memory", async () => {
    const enc = encodeZip([{ name: "x", data: text }]);
    const cd = enc.length - 22 - 47;
    enc.writeUInt16LE(1, cd + 8);
    expect((await withZip(enc, (z) => rejection(z.readEntry(z.entries[0]!)))).code).toBe("ZIP_ENCRYPTED");
    const bz = encodeZip([{ name: "x", data: text }]);
    bz.writeUInt16LE(12, cd + 10);
    expect((await withZip(bz, (z) => rejection(z.readEntry(z.entries[0]!)))).message).toBe(
      't.zip: entry "x" uses compression method 12; only stored (0) and deflate (8) are read',
    );
    expect(
      (await withZip(encodeZip([{ name: "x", data: text }]), (z) => rejection(z.readEntry(z.entries[0]!, 100)))).code,
    ).toBe("ZIP_ENTRY_TOO_LARGE");
  });
});

describe("overlapping entries", () => {
  it("refuses two central directory entries that point at the same data (Fifield's overlapping zip bomb)", async () => {
    const zip = encodeZip([
      { name: "a", data: text, deflate: true },
      { name: "b", data: text, deflate: true },
    ]);
    // Point entry b's central record at entry a's local header.
    const cdStart = zip.readUInt32LE(zip.length - 22 + 16);
    const secondCd = cdStart + 46 + 1;
    zip.writeUInt32LE(0, secondCd + 42);
    const err = await rejection(openZip(await zipFile(zip), { displayName: "t.zip" }));
    expect(err.message).toMatch(
      /^t\.zip: corrupt zip: entry "[ab]" overlaps the next entry or the central directory \(at byte 0\)$/,
    );
  });
});

describe("streaming large deflated entries", () => {
  it("stops inflating after the requested range without hanging, and reads the tail correctly", async () => {
    // ~3 MiB that deflate cannot shrink much, so the compressed data spans several read chunks.
    const big = Buffer.alloc(3 * 1024 * 1024);
    let x = 1;
    for (let i = 0; i < big.length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      big[i] = x & 0xff;
    }
    await withZip(encodeZip([{ name: "big", data: big, deflate: true }]), async (z) => {
      const e = z.entries[0]!;
      expect(e.compressedSize).toBeGreaterThan(2 * 1024 * 1024);
      expect((await collect(z.streamEntry(e, 10, 20))).equals(big.subarray(10, 20))).toBe(true);
      expect((await collect(z.streamEntry(e, big.length - 5))).equals(big.subarray(big.length - 5))).toBe(true);
      expect((await collect(z.streamEntry(e))).equals(big)).toBe(true);
    });
  });
});
