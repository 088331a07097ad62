import type { SniffedFormat } from "../checkpoint/types.js";

/** Largest safetensors header accepted (the reference implementation caps it at 100 MB). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/**
 * Content type from the first bytes of a file (at least 512 when the file is that long), never
 * from its name: a renamed pickle or a DCP `.metadata` (a pickle without extension) is caught.
 * `tail` (the last bytes, up to 64 KiB) lets a zip's central directory tell a PyTorch archive.
 */
export function sniffFormat(head: Uint8Array, size: number, tail?: Uint8Array): SniffedFormat {
  if (size === 0) return "empty";
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 9 && size >= 10) {
    const n = b.readBigUInt64LE(0);
    if (n > 1n && n <= BigInt(MAX_SAFETENSORS_HEADER) && n + 8n <= BigInt(size) && b[8] === 0x7b /* { */) return "safetensors";
  }
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06)) {
    const probe = Buffer.concat([b, tail ? Buffer.from(tail) : Buffer.alloc(0)]).toString("latin1");
    return /[^/]*\/data\.pkl/.test(probe) ? "torch-zip" : "zip";
  }
  if (b.length >= 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5) return "pickle";
  if (b.length >= 6 && b.subarray(0, 6).toString("latin1") === "\x93NUMPY") return "numpy";
  if (b.length >= 4 && b.subarray(0, 4).toString("latin1") === "GGUF") return "gguf";
  if (b.length >= 262 && b.subarray(257, 262).toString("latin1") === "ustar") return "tar";
  if (b.includes(0)) return "binary";
  if (!isUtf8Prefix(b)) return "binary";
  let i = 0;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (b[i] === 0x7b) return "json";
  if (b[i] === 0x5b) {
    // `[section]` starts an INI/TOML file; a JSON array starts with a value.
    let j = i + 1;
    while (j < b.length && (b[j] === 0x20 || b[j] === 0x0a || b[j] === 0x0d || b[j] === 0x09)) j++;
    if (j >= b.length || /["{[\]\d\-tfn]/.test(String.fromCharCode(b[j]!))) return "json";
  }
  return "text";
}

/** Valid UTF-8, allowing a sequence cut off by the end of the sample. */
function isUtf8Prefix(b: Buffer): boolean {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0) return false;
    for (let k = 1; k < len; k++) {
      if (i + k >= b.length) return true;
      if ((b[i + k]! & 0xc0) !== 0x80) return false;
    }
    // Disallow C0 controls other than tab/newline/CR/FF: text files do not hold them.
    if (len === 1 && c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return false;
    i += len;
  }
  return true;
}
