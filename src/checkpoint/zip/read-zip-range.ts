import type { ZipReader } from "./types.js";

/** Reads a byte range as a Buffer (readers may hand back any Uint8Array). */
export async function readZipRange(reader: ZipReader, offset: number, length: number): Promise<Buffer> {
  const b = await reader.read(offset, length);
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
