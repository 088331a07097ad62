/**
 * A read-only zip reader over a file handle, enough for PyTorch checkpoints (`torch.save` zip
 * format) and other archives found in checkpoint folders. It reads the central directory (ZIP64
 * included), never trusts the local headers for sizes, and streams entry data: stored entries are
 * read by byte range straight from the file, deflated ones through node:zlib with a hard cap on
 * the inflated size and on the compression ratio. Nothing is ever extracted to disk.
 */
import { open, type FileHandle } from "node:fs/promises";
import { inputError } from "../../errors.js";
import { createZipArchive } from "./create-zip-archive.js";
import { readZipCentralDirectory } from "./read-zip-central-directory.js";
import type { ZipArchive, ZipEntry, ZipReader } from "./types.js";

export {
  MAX_CENTRAL_DIRECTORY_BYTES,
  MAX_COMPRESSION_RATIO,
  MAX_IN_MEMORY_ENTRY_BYTES,
  MAX_INFLATED_ENTRY_BYTES,
  MAX_ZIP_ENTRIES,
  ZipMethod,
  type ZipArchive,
  type ZipEntry,
  type ZipReader,
} from "./types.js";

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
 * Opens a zip archive (a file path, or any `ZipReader`) and reads its central directory. Corrupt
 * or hostile archives (bad signatures, entries pointing outside the file or overlapping, two
 * entries with one name, encrypted or unsupported methods, ratios that only a zip bomb reaches)
 * throw `ReleaseError` (category input) naming the file and byte offset.
 */
export async function openZip(source: string | ZipReader, params: { displayName?: string } = {}): Promise<ZipArchive> {
  const name = params.displayName ?? (typeof source === "string" ? source : "zip archive");
  const reader = typeof source === "string" ? await fileReader(source) : source;
  try {
    const entries = await readZipCentralDirectory(reader, reader.size, name);
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
    return createZipArchive(reader, name, reader.size, entries, byName);
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
