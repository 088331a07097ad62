/**
 * A pickle disassembler: walks the opcode stream of protocols 0–5 and yields each opcode with
 * its byte offset and decoded argument, like Python's `pickletools.genops`. It never builds
 * objects and never imports anything; it is the only place that parses pickle bytes.
 */
import { inputError } from "../../errors.js";

/** Argument encodings, named as in CPython's `pickletools`. */
type ArgKind =
  | "none"
  | "uint1"
  | "uint2"
  | "int4"
  | "uint4"
  | "uint8"
  | "float8"
  | "long1"
  | "long4"
  | "string1"
  | "string4" // BINSTRING family: raw bytes
  | "bytes1"
  | "bytes4"
  | "bytes8"
  | "unicode1"
  | "unicode4"
  | "unicode8"
  | "decimalnl"
  | "floatnl"
  | "stringnl"
  | "unicodenl"
  | "noescapenl"
  | "noescapenl_pair";

/** Opcode byte → name and argument kind (CPython `Lib/pickletools.py`, `opcodes`). */
const OPCODES: Record<number, readonly [string, ArgKind]> = {
  0x28: ["MARK", "none"],
  0x2e: ["STOP", "none"],
  0x30: ["POP", "none"],
  0x31: ["POP_MARK", "none"],
  0x32: ["DUP", "none"],
  0x46: ["FLOAT", "floatnl"],
  0x49: ["INT", "decimalnl"],
  0x4a: ["BININT", "int4"],
  0x4b: ["BININT1", "uint1"],
  0x4c: ["LONG", "decimalnl"],
  0x4d: ["BININT2", "uint2"],
  0x4e: ["NONE", "none"],
  0x50: ["PERSID", "noescapenl"],
  0x51: ["BINPERSID", "none"],
  0x52: ["REDUCE", "none"],
  0x53: ["STRING", "stringnl"],
  0x54: ["BINSTRING", "string4"],
  0x55: ["SHORT_BINSTRING", "string1"],
  0x56: ["UNICODE", "unicodenl"],
  0x58: ["BINUNICODE", "unicode4"],
  0x61: ["APPEND", "none"],
  0x62: ["BUILD", "none"],
  0x63: ["GLOBAL", "noescapenl_pair"],
  0x64: ["DICT", "none"],
  0x7d: ["EMPTY_DICT", "none"],
  0x65: ["APPENDS", "none"],
  0x67: ["GET", "decimalnl"],
  0x68: ["BINGET", "uint1"],
  0x69: ["INST", "noescapenl_pair"],
  0x6a: ["LONG_BINGET", "uint4"],
  0x6c: ["LIST", "none"],
  0x5d: ["EMPTY_LIST", "none"],
  0x6f: ["OBJ", "none"],
  0x70: ["PUT", "decimalnl"],
  0x71: ["BINPUT", "uint1"],
  0x72: ["LONG_BINPUT", "uint4"],
  0x73: ["SETITEM", "none"],
  0x74: ["TUPLE", "none"],
  0x29: ["EMPTY_TUPLE", "none"],
  0x75: ["SETITEMS", "none"],
  0x47: ["BINFLOAT", "float8"],
  // protocol 2
  0x80: ["PROTO", "uint1"],
  0x81: ["NEWOBJ", "none"],
  0x82: ["EXT1", "uint1"],
  0x83: ["EXT2", "uint2"],
  0x84: ["EXT4", "int4"],
  0x85: ["TUPLE1", "none"],
  0x86: ["TUPLE2", "none"],
  0x87: ["TUPLE3", "none"],
  0x88: ["NEWTRUE", "none"],
  0x89: ["NEWFALSE", "none"],
  0x8a: ["LONG1", "long1"],
  0x8b: ["LONG4", "long4"],
  // protocol 3
  0x42: ["BINBYTES", "bytes4"],
  0x43: ["SHORT_BINBYTES", "bytes1"],
  // protocol 4
  0x8c: ["SHORT_BINUNICODE", "unicode1"],
  0x8d: ["BINUNICODE8", "unicode8"],
  0x8e: ["BINBYTES8", "bytes8"],
  0x8f: ["EMPTY_SET", "none"],
  0x90: ["ADDITEMS", "none"],
  0x91: ["FROZENSET", "none"],
  0x92: ["NEWOBJ_EX", "none"],
  0x93: ["STACK_GLOBAL", "none"],
  0x94: ["MEMOIZE", "none"],
  0x95: ["FRAME", "uint8"],
  // protocol 5
  0x96: ["BYTEARRAY8", "bytes8"],
  0x97: ["NEXT_BUFFER", "none"],
  0x98: ["READONLY_BUFFER", "none"],
};

/** Highest pickle protocol this reader understands (Python 3.8+ writes up to 5). */
export const MAX_PICKLE_PROTOCOL = 5;
/** Text arguments (protocol 0 lines) longer than this are not real pickles; stop scanning early. */
export const MAX_PICKLE_LINE_BYTES = 1024 * 1024;
/** LONG1/LONG4 wider than this are yielded as raw bytes: decoding huge ints is quadratic. */
const MAX_DECODED_LONG_BYTES = 64;

export type PickleArg = null | number | bigint | string | Uint8Array | readonly [string, string];

export interface PickleOp {
  /** Opcode name as in `pickletools`, e.g. `GLOBAL`, `BINUNICODE`. */
  name: string;
  /** The opcode byte. */
  code: number;
  /** Byte offset of the opcode within the input. */
  offset: number;
  /**
   * Decoded argument: integers as number (bigint for LONG/LONG1/LONG4 and values beyond 2^53),
   * text as string, BINSTRING/BINBYTES payloads as bytes (views, not copies), GLOBAL/INST as
   * [module, name].
   */
  arg: PickleArg;
}

export interface ReadPickleOpsParams {
  /** Name used in error messages (checkpoint-relative path, `file.pt:archive/data.pkl`). */
  file: string;
  /** Where to start reading (consecutive pickles in one file). */
  start?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * Yields every opcode of one pickle, from `start` up to and including STOP. An unknown opcode,
 * a truncated argument, an unsupported protocol or a malformed text argument throws
 * `ReleaseError` (input; `PICKLE_UNKNOWN_OPCODE`, `PICKLE_TRUNCATED`, `PICKLE_INVALID`) with the
 * file and byte offset. Runs in time linear in the input and allocates only the arguments.
 */
export function* readPickleOps(bytes: Uint8Array, params: ReadPickleOpsParams): Generator<PickleOp> {
  const { file } = params;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = params.start ?? 0;

  const truncated = (opOffset: number, name: string) =>
    inputError("PICKLE_TRUNCATED", `${file}: pickle stream ends inside ${name} at byte ${opOffset}`, {
      hint: "The file is truncated or not a pickle; copy or save it again.",
      location: { file, offset: opOffset },
    });
  const invalid = (opOffset: number, what: string) =>
    inputError("PICKLE_INVALID", `${file}: invalid pickle at byte ${opOffset}: ${what}`, {
      hint: "The file is corrupt or deliberately malformed; it cannot be scanned or converted.",
      location: { file, offset: opOffset },
    });

  const need = (n: number, opOffset: number, name: string) => {
    if (n > bytes.length - pos) throw truncated(opOffset, name);
  };
  const line = (opOffset: number, name: string): Uint8Array => {
    const limit = Math.min(bytes.length, pos + MAX_PICKLE_LINE_BYTES);
    const nl = bytes.subarray(0, limit).indexOf(0x0a, pos);
    if (nl < 0) {
      if (limit < bytes.length) throw invalid(opOffset, `${name} argument longer than ${MAX_PICKLE_LINE_BYTES} bytes`);
      throw truncated(opOffset, name);
    }
    const out = bytes.subarray(pos, nl);
    pos = nl + 1;
    return out;
  };
  const ascii = (b: Uint8Array) => latin1.decode(b);

  while (true) {
    const offset = pos;
    if (pos >= bytes.length) throw truncated(offset, "the stream (no STOP opcode)");
    const code = bytes[pos]!;
    const spec = OPCODES[code];
    if (!spec) {
      throw inputError(
        "PICKLE_UNKNOWN_OPCODE",
        `${file}: unknown pickle opcode 0x${code.toString(16).padStart(2, "0")} at byte ${offset}`,
        {
          hint: "Not a pickle of protocol 0–5, or a corrupt one; it cannot be scanned safely.",
          location: { file, offset },
        },
      );
    }
    pos++;
    const [name, kind] = spec;
    let arg: PickleArg = null;
    switch (kind) {
      case "none":
        break;
      case "uint1":
        need(1, offset, name);
        arg = bytes[pos]!;
        pos += 1;
        break;
      case "uint2":
        need(2, offset, name);
        arg = view.getUint16(pos, true);
        pos += 2;
        break;
      case "int4":
        need(4, offset, name);
        arg = view.getInt32(pos, true);
        pos += 4;
        break;
      case "uint4":
        need(4, offset, name);
        arg = view.getUint32(pos, true);
        pos += 4;
        break;
      case "uint8": {
        need(8, offset, name);
        const v = view.getBigUint64(pos, true);
        arg = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        pos += 8;
        break;
      }
      case "float8":
        need(8, offset, name);
        arg = view.getFloat64(pos, false); // BINFLOAT is big-endian
        pos += 8;
        break;
      case "long1":
      case "long4": {
        let n: number;
        if (kind === "long1") {
          need(1, offset, name);
          n = bytes[pos]!;
          pos += 1;
        } else {
          need(4, offset, name);
          n = view.getInt32(pos, true);
          pos += 4;
          if (n < 0) throw invalid(offset, `${name} with negative length ${n}`);
        }
        need(n, offset, name);
        const raw = bytes.subarray(pos, pos + n);
        pos += n;
        arg = n <= MAX_DECODED_LONG_BYTES ? decodeLong(raw) : raw;
        break;
      }
      case "string1":
      case "bytes1":
      case "unicode1":
      case "string4":
      case "bytes4":
      case "unicode4":
      case "bytes8":
      case "unicode8": {
        let n: number;
        const width = kind.endsWith("1") ? 1 : kind.endsWith("4") ? 4 : 8;
        need(width, offset, name);
        if (width === 1) n = bytes[pos]!;
        else if (width === 4) n = kind === "string4" ? view.getInt32(pos, true) : view.getUint32(pos, true);
        else {
          const big = view.getBigUint64(pos, true);
          n = big > BigInt(bytes.length) ? Number.POSITIVE_INFINITY : Number(big);
        }
        pos += width;
        if (n < 0) throw invalid(offset, `${name} with negative length ${n}`);
        need(n, offset, name);
        const raw = bytes.subarray(pos, pos + n);
        pos += n;
        if (kind.startsWith("unicode")) {
          try {
            arg = utf8.decode(raw);
          } catch {
            throw invalid(offset, `${name} is not valid UTF-8`);
          }
        } else arg = raw;
        break;
      }
      case "decimalnl": {
        const text = ascii(line(offset, name));
        arg = parseDecimal(text, name === "LONG");
        if (arg === null) throw invalid(offset, `${name} argument is not an integer`);
        break;
      }
      case "floatnl": {
        const text = ascii(line(offset, name));
        const f = Number(text);
        if (text.trim() === "" || (Number.isNaN(f) && !/^[+-]?nan$/i.test(text)))
          throw invalid(offset, "FLOAT argument is not a number");
        arg = f;
        break;
      }
      case "stringnl": {
        const text = ascii(line(offset, name));
        const s = decodePythonStringLiteral(text);
        if (s === null) throw invalid(offset, "STRING argument is not a quoted string");
        arg = s;
        break;
      }
      case "unicodenl":
        arg = decodeRawUnicodeEscape(ascii(line(offset, name)));
        break;
      case "noescapenl":
        arg = ascii(line(offset, name));
        break;
      case "noescapenl_pair": {
        const mod = ascii(line(offset, name));
        const attr = ascii(line(offset, name));
        arg = [mod, attr];
        break;
      }
    }
    if (name === "PROTO" && (arg as number) > MAX_PICKLE_PROTOCOL) {
      throw invalid(offset, `unsupported pickle protocol ${arg as number}`);
    }
    if (name === "FRAME" && (typeof arg === "bigint" || (arg as number) > bytes.length - pos)) {
      throw truncated(offset, "FRAME");
    }
    yield { name, code, offset, arg };
    if (name === "STOP") return;
  }
}

/** Python's two's-complement little-endian long encoding (LONG1/LONG4). */
function decodeLong(raw: Uint8Array): number | bigint {
  if (raw.length === 0) return 0;
  let v = 0n;
  for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
  if (raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(raw.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseDecimal(text: string, isLong: boolean): number | bigint | null {
  let t = text;
  if (isLong && t.endsWith("L")) t = t.slice(0, -1);
  // INT encodes booleans as "00" / "01" in protocol 0.
  if (!/^[+-]?\d+$/.test(t)) return null;
  const v = BigInt(t);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Decodes a protocol-0 STRING argument: a Python repr in single or double quotes. */
function decodePythonStringLiteral(text: string): string | null {
  const q = text[0];
  if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) return null;
  const body = text.slice(1, -1);
  const simple: Record<string, string> = {
    n: "\n",
    r: "\r",
    t: "\t",
    "\\": "\\",
    "'": "'",
    '"': '"',
    a: "\x07",
    b: "\b",
    f: "\f",
    v: "\v",
    "0": "\0",
  };
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = body[i + 1];
    if (n === "x" && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (n !== undefined && n in simple) {
      out += simple[n];
      i += 1;
    } else out += c;
  }
  return out;
}

/** Decodes a protocol-0 UNICODE argument (`raw-unicode-escape`: only \uXXXX and \UXXXXXXXX). */
function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (m, a: string | undefined, b: string | undefined) => {
    const cp = parseInt((a ?? b)!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/** The string-constant opcodes, whose argument may name a module or attribute for STACK_GLOBAL. */
export const PICKLE_STRING_OPS: ReadonlySet<string> = new Set([
  "SHORT_BINUNICODE",
  "UNICODE",
  "BINUNICODE",
  "BINUNICODE8",
  "STRING",
  "BINSTRING",
  "SHORT_BINSTRING",
]);

/** Argument of a string-constant op as text (BINSTRING payloads are latin-1 in Python 3's default). */
export function pickleOpString(op: PickleOp): string | undefined {
  if (!PICKLE_STRING_OPS.has(op.name)) return undefined;
  return typeof op.arg === "string" ? op.arg : op.arg instanceof Uint8Array ? latin1.decode(op.arg) : undefined;
}
