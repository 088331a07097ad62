import { constants, gunzipSync } from "node:zlib";

/**
 * Bytes as the text they hold: UTF-16 (by BOM or by the NUL pattern of ASCII text), gzip (inflated
 * up to a bound, then decoded again), or UTF-8. Used on file contents and on base64/hex-decoded
 * runs, so a secret hidden in a UTF-16 script or a gzip stream is scanned as text.
 */

export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "gzip";

export interface DecodedText {
  text: string;
  /** How the bytes were read (outermost layer). */
  encoding: TextEncoding;
  /**
   * Byte offset in the input of a character offset of `text`. For gzip, every offset maps to the
   * whole stream (`0`, or the input length for an end offset): inflated bytes have no place in it.
   */
  byteOffsetOf(charOffset: number, isEnd?: boolean): number;
}

/** Inflated bytes kept from one gzip stream: past this, the rest is not scanned (and says so). */
export const MAX_GZIP_INFLATE = 16 * 1024 * 1024;
/** Bytes sampled to recognise UTF-16 without a BOM. */
const UTF16_SNIFF = 4096;

/** `utf-16le`/`utf-16be` when the bytes look like UTF-16 text, else undefined. */
export function sniffUtf16(bytes: Uint8Array): { encoding: "utf-16le" | "utf-16be"; bom: number } | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", bom: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", bom: 2 };
  const n = Math.min(bytes.length, UTF16_SNIFF) & ~1;
  if (n < 8) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) zeroEven++;
    if (bytes[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  // ASCII-range UTF-16: one byte of each pair is NUL, the other almost never.
  if (zeroOdd >= pairs * 0.7 && zeroEven <= pairs * 0.1) return { encoding: "utf-16le", bom: 0 };
  if (zeroEven >= pairs * 0.7 && zeroOdd <= pairs * 0.1) return { encoding: "utf-16be", bom: 0 };
  return undefined;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 18 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
}

/**
 * Inflates a gzip stream up to `max` bytes. `truncated` when the output was larger (then nothing
 * is returned: zlib's bound aborts the stream) or the input ended early (what inflated is kept).
 */
export function inflateGzipBounded(bytes: Uint8Array, max = MAX_GZIP_INFLATE): { bytes?: Buffer; truncated: boolean } {
  try {
    return { bytes: gunzipSync(bytes, { maxOutputLength: max }), truncated: false };
  } catch (err) {
    if (err instanceof RangeError) return { truncated: true };
    try {
      // A cut or corrupt stream: keep what inflates before the damage.
      return {
        bytes: gunzipSync(bytes, { maxOutputLength: max, finishFlush: constants.Z_SYNC_FLUSH }),
        truncated: true,
      };
    } catch {
      return { truncated: true };
    }
  }
}

/** Decodes UTF-16 or UTF-8 bytes (not gzip: see `inflateGzipBounded`). */
export function decodeTextBytes(bytes: Uint8Array): DecodedText {
  const u16 = sniffUtf16(bytes);
  if (u16) {
    const text = new TextDecoder(u16.encoding, { ignoreBOM: true }).decode(bytes.subarray(u16.bom));
    // One UTF-16 code unit (a JS character) is two bytes.
    return { text, encoding: u16.encoding, byteOffsetOf: (c) => u16.bom + 2 * c };
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString("utf8");
  return { text, encoding: "utf-8", byteOffsetOf: (c) => Buffer.byteLength(text.slice(0, c)) };
}

/**
 * Whether decoded bytes are text worth scanning: at most 5% control characters or replacement
 * characters. Random bytes (what base64-looking identifiers decode to) fail this.
 */
export function looksLikeText(text: string): boolean {
  if (text.length === 0) return false;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd || (c >= 0x80 && c < 0xa0))
      bad++;
  }
  return bad <= text.length * 0.05;
}
