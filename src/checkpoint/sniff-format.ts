import { open } from "node:fs/promises";
import { sniffPickleStream } from "./pickle/sniff-pickle-stream.js";
import type { SniffedFormat } from "./types.js";

/** Bytes read from every file to decide its format. Enough for the tar magic at 257. */
export const SNIFF_BYTES = 4096;
/**
 * Text-looking files up to this size are read whole to tell JSON from other text; larger ones are
 * reported as "text" (no checkpoint metadata file is that big, and we never load weights).
 */
export const MAX_JSON_SNIFF_BYTES = 64 * 1024 * 1024;

const startsWith = (b: Uint8Array, magic: number[], at = 0) => magic.every((m, i) => b[at + i] === m);

/** What a text-looking file is taken for: see `sniffFormat`'s `text` parameter. */
export type SniffTextMode = "parse" | "shape";

/**
 * Decides a file's (or an archive member's, or an in-memory buffer's) content type from its first
 * bytes: magic bytes and structure, never the name, so a pickle renamed to `.safetensors` or a
 * DCP `.metadata` pickle without extension is still a pickle. Pure. Used by `inspectCheckpoint`
 * and by the secret scanner, which sniffs archive members and buffers the same way.
 *
 * @param head the first bytes (at least `min(size, SNIFF_BYTES)`), or the whole content when `whole`.
 * @param tail the last bytes (up to 64 KiB), optional: a zip whose central directory names a
 *   `<archive>/data.pkl` is a PyTorch archive even when that entry is not the first.
 * @param text how text becomes "json". "parse" (default): only a whole, valid JSON document;
 *   "shape": text whose first non-space character opens an object or an array (`[section]` is
 *   INI/TOML, not JSON), and C0 control characters make it "binary" (the scanner parses JSON
 *   itself and reports invalid documents).
 */
export function sniffFormat(params: {
  head: Uint8Array;
  size: number;
  whole?: boolean;
  tail?: Uint8Array;
  text?: SniffTextMode;
}): SniffedFormat {
  const { head, size } = params;
  if (size === 0) return "empty";
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    // A PyTorch zip checkpoint's first entry is `<archive>/data.pkl` (torch/serialization.py
    // writes it first); newer versions put `<archive>/.format` or `byteorder` first.
    if (head.length >= 30) {
      const nameLen = (head[26] ?? 0) | ((head[27] ?? 0) << 8);
      const name = Buffer.from(head.subarray(30, 30 + nameLen)).toString("latin1");
      if (/(^|\/)(data\.pkl|\.format|byteorder|version|\.data\/version)$/.test(name)) return "torch-zip";
    }
    if (
      params.tail &&
      // (A plain search: `[^/]*` before the slash backtracks quadratically over 64 KiB without one.)
      /\/data\.pkl/.test(
        Buffer.from(params.tail.buffer, params.tail.byteOffset, params.tail.byteLength).toString("latin1"),
      )
    )
      return "torch-zip";
    return "zip";
  }
  if (size >= 10 && head.length >= 10) {
    // safetensors before pickle: a header length such as 0x0280 starts with the bytes of a
    // pickle PROTO 2 opcode, while no pickle can have six zero bytes at offsets 2-7 and then '{'.
    // safetensors: u64 header length that fits in the file, then '{' (possibly after padding).
    const n = Buffer.from(head.buffer, head.byteOffset, head.byteLength).readBigUInt64LE(0);
    if (n >= 2n && n <= BigInt(size - 8)) {
      let i = 8;
      while (i < head.length && i < 8 + 64 && isSpace(head[i])) i++;
      if (head[i] === 0x7b) return "safetensors";
    }
  }
  // Pickle protocols 2-5 start with PROTO (0x80) and the protocol number.
  if (head[0] === 0x80 && (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5) return "pickle";
  // Protocols 0 and 1 have no header: `pickle.load` reads any stream of opcodes, whatever the
  // file is named, so a well-formed opcode stream is a pickle (text breaks the stack discipline).
  if (sniffPickleStream(head, params.whole === true || head.length >= size)) return "pickle";
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return "numpy";
  if (startsWith(head, [0x47, 0x47, 0x55, 0x46])) return "gguf";
  if (head.length >= 262 && startsWith(head, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return "tar";
  if (head.includes(0)) return "binary";
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(params.whole ? head : trimPartialUtf8(head));
  } catch {
    return "binary";
  }
  if (params.text === "shape") return textShape(text);
  if (params.whole) {
    const t = text.trimStart();
    if (t.startsWith("{") || t.startsWith("[")) {
      try {
        JSON.parse(text);
        return "json";
      } catch {
        return "text";
      }
    }
  }
  return "text";
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** "shape" mode: C0 controls (other than tab, newline, CR, form feed) mean binary; `{` or `[value` mean JSON. */
function textShape(text: string): SniffedFormat {
  // Text files do not hold C0 controls; a BOM is allowed before the first character.
  if (/[\u0001-\u0008\u000b\u000e-\u001f]/.test(text)) return "binary";
  const t = text.replace(/^\ufeff/, "").replace(/^[ \t\r\n]+/, "");
  if (t.startsWith("{")) return "json";
  if (t.startsWith("[")) {
    // `[section]` starts an INI/TOML file; a JSON array starts with a value.
    const rest = t.slice(1).replace(/^[ \t\r\n]+/, "");
    if (rest === "" || /^["{[\]\d\-tfn]/.test(rest)) return "json";
  }
  return "text";
}

/** Drops a multi-byte UTF-8 sequence cut at the end of a prefix, so the prefix can be decoded strictly. */
function trimPartialUtf8(b: Uint8Array): Uint8Array {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && ((b[i] ?? 0) & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return b;
  const lead = b[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? b.subarray(0, i) : b;
}

/** Reads a file's first bytes (the whole file when it looks like small text) and sniffs it. */
export async function readSniffedFormat(absPath: string): Promise<SniffedFormat> {
  const fh = await open(absPath, "r");
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const first = sniffFormat({ head: head.subarray(0, bytesRead), size, whole: bytesRead === size });
    if (first !== "text" || bytesRead === size || size > MAX_JSON_SNIFF_BYTES) return first;
    const whole = Buffer.alloc(size);
    const r = await fh.read(whole, 0, size, 0);
    return sniffFormat({ head: whole.subarray(0, r.bytesRead), size, whole: r.bytesRead === size });
  } finally {
    await fh.close();
  }
}
