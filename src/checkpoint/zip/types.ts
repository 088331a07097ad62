/*
 * Shapes and named bounds of the zip reader (open-zip.ts and the files it is split into).
 */
import type { ReleaseError } from "../../errors.js";

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
