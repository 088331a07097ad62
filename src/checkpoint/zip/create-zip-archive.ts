import { createInflateRaw, inflateRawSync, crc32 } from "node:zlib";
import { inputError, type ReleaseError } from "../../errors.js";
import { corruptZipError as corrupt } from "./corrupt-zip-error.js";
import { readZipRange as readAt } from "./read-zip-range.js";
import {
  MAX_COMPRESSION_RATIO,
  MAX_IN_MEMORY_ENTRY_BYTES,
  MAX_INFLATED_ENTRY_BYTES,
  ZipMethod,
  type ZipArchive,
  type ZipEntry,
  type ZipReader,
} from "./types.js";

/** Read stored entries in chunks of this size so memory stays flat. */
const CHUNK_BYTES = 1024 * 1024;

const SIG_LOCAL = 0x04034b50;

/**
 * The archive over a read central directory: entry lookup, whole-entry reads and range streams,
 * each checking method, encryption, ratio and the local header before reading data.
 */
export function createZipArchive(
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
