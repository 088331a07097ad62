/**
 * A read-only zip reader over a file handle, enough for PyTorch checkpoints (`torch.save` zip
 * format) and other archives found in checkpoint folders. It reads the central directory (ZIP64
 * included), never trusts the local headers for sizes, and streams entry data: stored entries are
 * read by byte range straight from the file, deflated ones through node:zlib with a hard cap on
 * the inflated size and on the compression ratio. Nothing is ever extracted to disk.
 */
import { open, type FileHandle } from "node:fs/promises";
import { createInflateRaw, inflateRawSync, crc32 } from "node:zlib";
import { inputError, type ReleaseError } from "../../errors.js";

/** The EOCD record is 22 bytes plus a comment of at most 65535 bytes: search no further back. */
const MAX_EOCD_SEARCH = 22 + 0xffff;
/** A central directory larger than this is not a checkpoint; refuse before allocating it. */
export const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;
/** Checkpoints hold one entry per storage; a million entries is far beyond any real model. */
export const MAX_ZIP_ENTRIES = 1_000_000;
/** Largest entry `readZipEntry` will hold in memory (data.pkl of a 70B model is a few MB). */
export const MAX_IN_MEMORY_ENTRY_BYTES = 256 * 1024 * 1024;
/** Deflate reaches ~1000:1 at best on real data; more than this is a zip bomb. */
export const MAX_COMPRESSION_RATIO = 1000;
/** Hard cap on any single inflated entry, whatever its header claims (zip bomb guard). */
export const MAX_INFLATED_ENTRY_BYTES = 64 * 1024 * 1024 * 1024;
/** Read stored entries in chunks of this size so memory stays flat. */
const CHUNK_BYTES = 1024 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

export const ZipMethod = { stored: 0, deflate: 8 } as const;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  /** Offset of the local file header. */
  localHeaderOffset: number;
  /** General purpose flags; bit 0 = encrypted. */
  flags: number;
}

export interface ZipArchive {
  /** The path given to `openZip`, used in error messages. */
  file: string;
  size: number;
  entries: ZipEntry[];
  /** Looks an entry up by exact name. */
  get(name: string): ZipEntry | undefined;
  /**
   * Reads a whole entry into memory; refuses entries larger than `maxBytes` (default
   * MAX_IN_MEMORY_ENTRY_BYTES). Verifies size and CRC-32; with `onCrcMismatch` a CRC mismatch is
   * handed to it and the bytes are returned anyway (the secret scanner must see what `unzip`
   * would extract, checksum or not).
   */
  readEntry(
    entry: ZipEntry,
    maxBytes?: number,
    opts?: { onCrcMismatch?: (err: ReleaseError) => void },
  ): Promise<Uint8Array>;
  /**
   * Checks that an entry can be read (method, encryption, ratio, local header) and returns the
   * file offset of its data, so a plan can fail before anything is written.
   */
  locate(entry: ZipEntry): Promise<number>;
  /**
   * Streams `[start, end)` of an entry's uncompressed bytes in chunks; never buffers the entry.
   * When the whole entry is streamed its CRC-32 is verified at the end.
   */
  streamEntry(entry: ZipEntry, start?: number, end?: number): AsyncGenerator<Uint8Array>;
  close(): Promise<void>;
}

/** True when the first bytes are a zip local header or an empty archive's EOCD. */
export function isZipMagic(head: Uint8Array): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
  );
}

/**
 * Random-access bytes a zip is read from: a file, a byte range of one, or an in-memory buffer
 * (an archive nested in another, as the secret scanner meets them). `read` may return fewer
 * bytes than asked only at the end of the data.
 */
export interface ZipReader {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/**
 * Opens a zip archive (a file path, or any `ZipReader`) and reads its central directory. Corrupt
 * or hostile archives (bad signatures, entries pointing outside the file or overlapping, two
 * entries with one name, encrypted or unsupported methods, ratios that only a zip bomb reaches)
 * throw `ReleaseError` (category input) naming the file and byte offset.
 */
export async function openZip(source: string | ZipReader, params: { displayName?: string } = {}): Promise<ZipArchive> {
  const name = params.displayName ?? (typeof source === "string" ? source : "zip archive");
  const reader = typeof source === "string" ? await fileReader(source) : source;
  try {
    const entries = await readCentralDirectory(reader, reader.size, name);
    const byName = new Map<string, ZipEntry>();
    for (const e of entries) {
      if (byName.has(e.name)) {
        throw inputError("ZIP_DUPLICATE_ENTRY", `${name}: the zip holds two entries named "${e.name}"`, {
          hint: "Two entries with one name let different readers see different files; re-create the archive.",
          location: { file: name, offset: e.localHeaderOffset },
        });
      }
      byName.set(e.name, e);
    }
    return makeArchive(reader, name, reader.size, entries, byName);
  } catch (err) {
    await reader.close?.();
    throw err;
  }
}

async function fileReader(file: string): Promise<ZipReader> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    return { size, read: (offset, length) => readFully(fh, offset, length), close: () => fh.close() };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

function corrupt(file: string, what: string, offset: number) {
  return inputError("ZIP_CORRUPT", `${file}: corrupt zip: ${what} (at byte ${offset})`, {
    hint: "The archive is damaged or truncated; re-save the checkpoint (torch.save) or copy it again.",
    location: { file, offset },
  });
}

async function readFully(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

async function readAt(reader: ZipReader, offset: number, length: number): Promise<Buffer> {
  const b = await reader.read(offset, length);
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function u64(buf: Buffer, at: number, file: string, fileOffset: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(file, "a 64-bit size or offset beyond 2^53", fileOffset + at);
  return Number(v);
}

async function readCentralDirectory(fh: ZipReader, size: number, file: string): Promise<ZipEntry[]> {
  if (size < 22) throw corrupt(file, `file of ${size} bytes is too small to be a zip`, 0);
  const tailLen = Math.min(size, MAX_EOCD_SEARCH);
  const tailStart = size - tailLen;
  const tail = await readAt(fh, tailStart, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    // The comment length must reach exactly to the end of the file, or this is a stray signature.
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt(file, "no end-of-central-directory record", size);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdAbs = tailStart + eocd;

  // ZIP64: the locator sits right before the EOCD; torch writes it for checkpoints over 4 GiB.
  if (eocdAbs >= 20) {
    const loc = await readAt(fh, eocdAbs - 20, 20);
    if (loc.length === 20 && loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      const z64Offset = u64(loc, 8, file, eocdAbs - 20);
      if (z64Offset + 56 > eocdAbs - 20) throw corrupt(file, "ZIP64 end record points past its locator", eocdAbs - 20);
      const z64 = await readAt(fh, z64Offset, 56);
      if (z64.length < 56 || z64.readUInt32LE(0) !== SIG_ZIP64_EOCD)
        throw corrupt(file, "bad ZIP64 end-of-central-directory signature", z64Offset);
      count = u64(z64, 32, file, z64Offset);
      cdSize = u64(z64, 40, file, z64Offset);
      cdOffset = u64(z64, 48, file, z64Offset);
    }
  }
  if (count > MAX_ZIP_ENTRIES) throw corrupt(file, `${count} entries exceed the limit of ${MAX_ZIP_ENTRIES}`, eocdAbs);
  if (cdSize > MAX_CENTRAL_DIRECTORY_BYTES)
    throw corrupt(
      file,
      `central directory of ${cdSize} bytes exceeds the limit of ${MAX_CENTRAL_DIRECTORY_BYTES}`,
      eocdAbs,
    );
  if (cdOffset + cdSize > size) throw corrupt(file, "central directory extends past the end of the file", eocdAbs);

  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    const at = cdOffset + p;
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL)
      throw corrupt(file, `bad central directory entry ${i}`, at);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw corrupt(file, `central directory entry ${i} runs past the directory`, at);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    let entryName: string;
    try {
      entryName = new TextDecoder("utf-8", { fatal: true }).decode(nameBytes);
    } catch {
      throw corrupt(file, `entry ${i} has a name that is not UTF-8`, at);
    }
    // ZIP64 extended information (id 1): the 64-bit values appear only for fields saturated at 0xffffffff.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (x + 4 + len > xEnd) throw corrupt(file, `entry "${entryName}" has a malformed extra field`, cdOffset + x);
      if (id === 1) {
        let q = x + 4;
        const take = (): number => {
          if (q + 8 > x + 4 + len)
            throw corrupt(file, `entry "${entryName}" has a short ZIP64 extra field`, cdOffset + q);
          const v = u64(cd, q, file, cdOffset);
          q += 8;
          return v;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      x += 4 + len;
    }
    if (localHeaderOffset + 30 > size || localHeaderOffset + compressedSize > size) {
      throw corrupt(file, `entry "${entryName}" points outside the file`, at);
    }
    entries.push({ name: entryName, method, compressedSize, uncompressedSize, crc32: crc, localHeaderOffset, flags });
    p = end;
  }
  // Entries must not share bytes with each other or the directory: overlapping entries are how
  // "better zip bombs" multiply one compressed kernel into terabytes (Fifield, WOOT 2019).
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!;
    const minEnd = e.localHeaderOffset + 30 + Buffer.byteLength(e.name) + e.compressedSize;
    const next = byOffset[i + 1]?.localHeaderOffset ?? cdOffset;
    if (minEnd > next)
      throw corrupt(file, `entry "${e.name}" overlaps the next entry or the central directory`, e.localHeaderOffset);
  }
  return entries;
}

function makeArchive(
  fh: ZipReader,
  file: string,
  size: number,
  entries: ZipEntry[],
  byName: Map<string, ZipEntry>,
): ZipArchive {
  const dataStart = new Map<ZipEntry, number>();

  async function dataOffset(e: ZipEntry): Promise<number> {
    const known = dataStart.get(e);
    if (known !== undefined) return known;
    const h = await readAt(fh, e.localHeaderOffset, 30);
    if (h.length < 30 || h.readUInt32LE(0) !== SIG_LOCAL)
      throw corrupt(file, `bad local header for "${e.name}"`, e.localHeaderOffset);
    // Sizes come from the central directory; the local header only tells where the data starts.
    const start = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
    if (start + e.compressedSize > size)
      throw corrupt(file, `data of "${e.name}" runs past the end of the file`, e.localHeaderOffset);
    dataStart.set(e, start);
    return start;
  }

  function assertReadable(e: ZipEntry): void {
    const loc = { file: `${file}:${e.name}`, offset: e.localHeaderOffset };
    if (e.flags & 1)
      throw inputError("ZIP_ENCRYPTED", `${file}: entry "${e.name}" is encrypted`, {
        hint: "Encrypted archives cannot be scanned; store the checkpoint unencrypted.",
        location: loc,
      });
    if (e.method !== ZipMethod.stored && e.method !== ZipMethod.deflate) {
      throw inputError(
        "ZIP_UNSUPPORTED_METHOD",
        `${file}: entry "${e.name}" uses compression method ${e.method}; only stored (0) and deflate (8) are read`,
        {
          hint: "Re-create the archive with deflate or no compression (torch.save writes stored entries).",
          location: loc,
        },
      );
    }
    if (e.method === ZipMethod.stored && e.compressedSize !== e.uncompressedSize) {
      throw corrupt(
        file,
        `stored entry "${e.name}" has different compressed and uncompressed sizes`,
        e.localHeaderOffset,
      );
    }
    if (
      e.uncompressedSize > MAX_INFLATED_ENTRY_BYTES ||
      (e.method === ZipMethod.deflate && e.uncompressedSize > Math.max(1, e.compressedSize) * MAX_COMPRESSION_RATIO)
    ) {
      throw inputError(
        "ZIP_BOMB",
        `${file}: entry "${e.name}" claims ${e.uncompressedSize} bytes from ${e.compressedSize} compressed; refusing a likely zip bomb`,
        {
          hint: `Entries may inflate at most ${MAX_COMPRESSION_RATIO}:1 and to at most ${MAX_INFLATED_ENTRY_BYTES} bytes.`,
          location: loc,
        },
      );
    }
  }

  async function readEntry(
    e: ZipEntry,
    maxBytes = MAX_IN_MEMORY_ENTRY_BYTES,
    opts: { onCrcMismatch?: (err: ReleaseError) => void } = {},
  ): Promise<Uint8Array> {
    assertReadable(e);
    if (e.uncompressedSize > maxBytes) {
      throw inputError(
        "ZIP_ENTRY_TOO_LARGE",
        `${file}: entry "${e.name}" has ${e.uncompressedSize} bytes, more than the ${maxBytes} read into memory`,
        {
          hint: "This entry is too large to be a pickle of a state dict.",
          location: { file: `${file}:${e.name}`, offset: e.localHeaderOffset },
        },
      );
    }
    const start = await dataOffset(e);
    const raw = await readAt(fh, start, e.compressedSize);
    let out: Uint8Array;
    if (e.method === ZipMethod.stored) out = raw;
    else {
      try {
        // maxOutputLength makes zlib stop instead of allocating what a lying header hides.
        out = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.uncompressedSize) });
      } catch (cause) {
        throw corrupt(
          file,
          `entry "${e.name}" does not inflate to its declared ${e.uncompressedSize} bytes (${(cause as Error).message})`,
          start,
        );
      }
    }
    if (out.length !== e.uncompressedSize)
      throw corrupt(file, `entry "${e.name}" has ${out.length} bytes, its header says ${e.uncompressedSize}`, start);
    if (crc32(out) !== e.crc32) {
      const err = corrupt(file, `CRC-32 mismatch in entry "${e.name}"`, start);
      if (!opts.onCrcMismatch) throw err;
      opts.onCrcMismatch(err);
    }
    return out;
  }

  async function* streamEntry(e: ZipEntry, from = 0, to = e.uncompressedSize): AsyncGenerator<Uint8Array> {
    assertReadable(e);
    if (from < 0 || to > e.uncompressedSize || from > to) {
      throw corrupt(
        file,
        `range [${from}, ${to}) is outside entry "${e.name}" of ${e.uncompressedSize} bytes`,
        e.localHeaderOffset,
      );
    }
    const start = await dataOffset(e);
    const whole = from === 0 && to === e.uncompressedSize;
    let crc = 0;
    if (e.method === ZipMethod.stored) {
      for (let p = from; p < to; p += CHUNK_BYTES) {
        const n = Math.min(CHUNK_BYTES, to - p);
        const chunk = await readAt(fh, start + p, n);
        if (chunk.length !== n) throw corrupt(file, `entry "${e.name}" is truncated`, start + p);
        if (whole) crc = crc32(chunk, crc);
        yield chunk;
      }
      if (whole && crc !== e.crc32) throw corrupt(file, `CRC-32 mismatch in entry "${e.name}"`, start);
      return;
    }
    // Deflate: inflate from the start, drop bytes before `from`, stop at `to`, cap the total.
    const inflate = createInflateRaw();
    let produced = 0;
    const feed = (async () => {
      try {
        for (let p = 0; p < e.compressedSize; p += CHUNK_BYTES) {
          if (inflate.destroyed) return;
          const chunk = await readAt(fh, start + p, Math.min(CHUNK_BYTES, e.compressedSize - p));
          if (!inflate.write(chunk)) {
            // The consumer may stop early (range read) and destroy the stream: "close" then
            // stands in for the "drain" that will never come.
            await new Promise<void>((r) => {
              inflate.once("drain", r);
              inflate.once("close", r);
            });
          }
        }
        if (!inflate.destroyed) inflate.end();
      } catch (err) {
        inflate.destroy(err as Error);
      }
    })();
    try {
      for await (const chunk of inflate as AsyncIterable<Buffer>) {
        const begin = produced;
        produced += chunk.length;
        if (produced > e.uncompressedSize)
          throw inputError(
            "ZIP_BOMB",
            `${file}: entry "${e.name}" inflates past its declared ${e.uncompressedSize} bytes`,
            {
              hint: "The archive lies about its sizes; refusing it.",
              location: { file: `${file}:${e.name}`, offset: start },
            },
          );
        const lo = Math.max(from, begin) - begin;
        const hi = Math.min(to, produced) - begin;
        if (whole) crc = crc32(chunk, crc);
        if (hi > lo) yield chunk.subarray(lo, hi);
        if (produced >= to) break;
      }
    } catch (err) {
      if (err instanceof Error && err.name === "ReleaseError") throw err;
      throw corrupt(file, `entry "${e.name}" does not inflate (${(err as Error).message})`, start);
    } finally {
      inflate.destroy();
      await feed;
    }
    if (produced < to) throw corrupt(file, `entry "${e.name}" inflates to fewer bytes than declared`, start);
    if (whole && crc !== e.crc32) throw corrupt(file, `CRC-32 mismatch in entry "${e.name}"`, start);
  }

  return {
    file,
    size,
    entries,
    get: (n) => byName.get(n),
    readEntry,
    locate: async (e) => {
      assertReadable(e);
      return dataOffset(e);
    },
    streamEntry,
    close: async () => {
      await fh.close?.();
    },
  };
}
