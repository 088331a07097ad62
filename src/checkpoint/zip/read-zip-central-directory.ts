import { corruptZipError as corrupt } from "./corrupt-zip-error.js";
import { readZipRange as readAt } from "./read-zip-range.js";
import { MAX_CENTRAL_DIRECTORY_BYTES, MAX_ZIP_ENTRIES, type ZipEntry, type ZipReader } from "./types.js";

/** The EOCD record is 22 bytes plus a comment of at most 65535 bytes: search no further back. */
const MAX_EOCD_SEARCH = 22 + 0xffff;

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;

function u64(buf: Buffer, at: number, file: string, fileOffset: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(file, "a 64-bit size or offset beyond 2^53", fileOffset + at);
  return Number(v);
}

/**
 * Reads the central directory (ZIP64 included) and checks every entry against the file: inside
 * it, not overlapping another entry or the directory, a UTF-8 name. Throws ZIP_CORRUPT otherwise.
 */
export async function readZipCentralDirectory(fh: ZipReader, size: number, file: string): Promise<ZipEntry[]> {
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
