import { open } from "node:fs/promises";
import { inputError, type ReleaseError } from "../errors.js";
import { parseStrictJson, StrictJsonSyntaxError } from "./parse-strict-json.js";
import type { SafetensorsSummary, TensorInfo } from "./types.js";

/**
 * Same cap as the reference implementation (`safetensors/src/tensor.rs` `MAX_HEADER_SIZE`):
 * a real header of a 1T-parameter checkpoint is a few MB; anything bigger is an attack that
 * would make us allocate and parse gigabytes.
 */
export const MAX_HEADER_LENGTH = 100_000_000;

/** Bits per element of every dtype the reference implementation knows (enum `Dtype`, `bitsize()`). */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** Rank bound: no framework uses more than a handful of dimensions; this keeps products cheap. */
const MAX_RANK = 64;

const HINT_CORRUPT =
  "the file is not a valid safetensors file: re-export it with safetensors.torch.save_file, or re-download it";

function err(
  code: string,
  message: string,
  file: string,
  offset: number,
  details?: Record<string, unknown>,
): ReleaseError {
  return inputError(code, `${file}: ${message} (at byte ${offset})`, {
    hint: HINT_CORRUPT,
    location: { file, offset },
    details,
  });
}

/**
 * Validates a safetensors header like the reference implementation and returns its tensors.
 * Pure: `prefix` holds the first `8 + N` bytes of the file (or the whole file when it is
 * shorter), `fileSize` is the file's length on disk. Tensor data is never needed.
 *
 * Checks: 8-byte length present; `N <= MAX_HEADER_LENGTH` and `8 + N <= fileSize`; strict UTF-8;
 * strict JSON with no duplicate keys; `__metadata__` is a string-to-string map; every tensor has
 * a known dtype, a shape of non-negative safe integers and two offsets; offsets sorted are
 * contiguous from 0 with no overlap or hole; each byte size equals shape x dtype; the data
 * section ends exactly at the end of the file (no polyglot trailers).
 *
 * @throws ReleaseError (input) with the file and the byte offset of the problem.
 */
export function parseSafetensorsHeader(params: {
  prefix: Uint8Array;
  fileSize: number;
  file: string;
}): SafetensorsSummary {
  const { prefix, fileSize, file } = params;
  if (fileSize < 8 || prefix.length < 8) {
    throw err("SAFETENSORS_TRUNCATED", `file is ${fileSize} bytes, shorter than the 8-byte header length`, file, 0);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_LENGTH)) {
    throw err(
      "SAFETENSORS_HEADER_TOO_LARGE",
      `header length ${n} exceeds the limit of ${MAX_HEADER_LENGTH} bytes`,
      file,
      0,
      { headerLength: n.toString() },
    );
  }
  const headerLength = Number(n);
  if (8 + headerLength > fileSize) {
    throw err(
      "SAFETENSORS_TRUNCATED",
      `header length ${headerLength} runs past the end of the ${fileSize}-byte file`,
      file,
      0,
    );
  }
  if (prefix.length < 8 + headerLength) {
    throw err(
      "SAFETENSORS_TRUNCATED",
      `only ${prefix.length - 8} of ${headerLength} header bytes could be read`,
      file,
      prefix.length,
    );
  }
  const headerBytes = prefix.subarray(8, 8 + headerLength);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw err("SAFETENSORS_HEADER_UTF8", "header is not valid UTF-8", file, 8 + firstInvalidUtf8(headerBytes));
  }
  const byteOffsetOf = (index: number) => 8 + Buffer.byteLength(text.slice(0, index), "utf8");
  // Writers may pad the header with leading whitespace to align the data section (reference test
  // `test_whitespace_padded_header`); after that the header must be an object.
  const firstNonWs = text.search(/[^ \t\r\n]/);
  if (firstNonWs < 0 || text[firstNonWs] !== "{") {
    throw err("SAFETENSORS_HEADER_JSON", "header does not start with '{'", file, byteOffsetOf(Math.max(firstNonWs, 0)));
  }
  let parsed: unknown;
  try {
    parsed = parseStrictJson(text);
  } catch (cause) {
    if (cause instanceof StrictJsonSyntaxError) {
      const code = cause.message.startsWith("duplicate key") ? "SAFETENSORS_DUPLICATE_KEY" : "SAFETENSORS_HEADER_JSON";
      throw err(code, `header JSON: ${cause.message}`, file, byteOffsetOf(cause.index));
    }
    throw cause;
  }
  const header = parsed as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  // Offsets of keys are not tracked by the parser; point at the key's text instead, which is
  // exact for ordinary headers (keys are unique, so the first occurrence is the key).
  const keyOffset = (key: string) => {
    const at = text.indexOf(JSON.stringify(key));
    return byteOffsetOf(Math.max(at, 0));
  };
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw err("SAFETENSORS_HEADER_INVALID", "__metadata__ must be an object of strings", file, keyOffset(name));
      }
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string")
          throw err("SAFETENSORS_HEADER_INVALID", `__metadata__.${k} must be a string`, file, keyOffset(k));
        metadata[k] = v;
      }
      continue;
    }
    const at = keyOffset(name);
    if (name.length === 0 || /[\u0000-\u001f\u007f]/.test(name)) {
      throw err(
        "SAFETENSORS_HEADER_INVALID",
        `tensor name ${JSON.stringify(name)} is empty or has control characters`,
        file,
        at,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw err("SAFETENSORS_HEADER_INVALID", `tensor ${JSON.stringify(name)} must be an object`, file, at);
    }
    const entry = value as Record<string, unknown>;
    const extra = Object.keys(entry).filter((k) => k !== "dtype" && k !== "shape" && k !== "data_offsets");
    if (extra.length > 0)
      throw err(
        "SAFETENSORS_HEADER_INVALID",
        `tensor ${JSON.stringify(name)} has unknown field ${JSON.stringify(extra[0])}`,
        file,
        at,
      );
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== "string" || !(dtype in SAFETENSORS_DTYPE_BITS)) {
      throw err(
        "SAFETENSORS_UNKNOWN_DTYPE",
        `tensor ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(dtype)}`,
        file,
        at,
      );
    }
    if (
      !Array.isArray(shape) ||
      shape.length > MAX_RANK ||
      !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
    ) {
      throw err("SAFETENSORS_HEADER_INVALID", `tensor ${JSON.stringify(name)} has an invalid shape`, file, at);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
    ) {
      throw err("SAFETENSORS_HEADER_INVALID", `tensor ${JSON.stringify(name)} has invalid data_offsets`, file, at);
    }
    tensors.push({
      name,
      dtype,
      shape: shape as number[],
      file,
      dataOffsets: [offsets[0] as number, offsets[1] as number],
    });
  }
  // Contiguity as in the reference `validate()`: sorted by offsets, each begins where the
  // previous ended, starting at 0, so data regions can neither overlap nor hide bytes between them.
  const sorted = [...tensors].sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  let end = 0n;
  const dataStart = 8 + headerLength;
  for (const t of sorted) {
    const [b, e] = t.dataOffsets;
    if (BigInt(b) !== end || e < b) {
      const what =
        BigInt(b) < end ? "overlaps the previous tensor" : e < b ? "ends before it begins" : "leaves a hole before it";
      throw err(
        "SAFETENSORS_BAD_OFFSETS",
        `tensor ${JSON.stringify(t.name)} data_offsets [${b}, ${e}] ${what}`,
        file,
        dataStart + Math.min(b, Number(end)),
      );
    }
    let bits = BigInt(SAFETENSORS_DTYPE_BITS[t.dtype] ?? 0);
    for (const d of t.shape) bits *= BigInt(d);
    if (bits % 8n !== 0n) {
      throw err(
        "SAFETENSORS_BAD_OFFSETS",
        `tensor ${JSON.stringify(t.name)} (${t.dtype}) does not end on a byte boundary`,
        file,
        dataStart + b,
      );
    }
    if (bits / 8n !== BigInt(e - b)) {
      throw err(
        "SAFETENSORS_SIZE_MISMATCH",
        `tensor ${JSON.stringify(t.name)} has ${e - b} data bytes, but shape [${t.shape.join(", ")}] x ${t.dtype} needs ${bits / 8n}`,
        file,
        dataStart + b,
      );
    }
    end = BigInt(e);
  }
  const actual = BigInt(fileSize - dataStart);
  if (end !== actual) {
    if (end > actual) {
      throw err(
        "SAFETENSORS_TRUNCATED",
        `the header describes ${end} data bytes but the file holds ${actual}`,
        file,
        fileSize,
      );
    }
    throw err(
      "SAFETENSORS_TRAILING_BYTES",
      `${actual - end} bytes after the last tensor are not described by the header`,
      file,
      dataStart + Number(end),
    );
  }
  return { headerLength, metadata, tensors };
}

/** Index of the first byte that makes `bytes` invalid UTF-8 (for error offsets). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const dec = new TextDecoder("utf-8", { fatal: true });
  // Binary search on prefixes would misfire on cut multi-byte sequences; a linear scan is fine
  // because we only get here on an error.
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i] ?? 0;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      dec.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}

/**
 * Reads and validates the header of a safetensors file without reading tensor data: two reads
 * (8 bytes, then the header), whatever the file's size.
 *
 * @param file label used in errors (checkpoint-relative path).
 */
export async function readSafetensorsHeader(params: { absPath: string; file?: string }): Promise<SafetensorsSummary> {
  const label = params.file ?? params.absPath;
  const fh = await open(params.absPath, "r");
  try {
    const { size } = await fh.stat();
    const first = Buffer.alloc(Math.min(8, size));
    await fh.read(first, 0, first.length, 0);
    if (size < 8) return parseSafetensorsHeader({ prefix: first, fileSize: size, file: label });
    const n = first.readBigUInt64LE(0);
    // Let the pure parser produce the error for an oversized or overlong header before we allocate.
    if (n > BigInt(MAX_HEADER_LENGTH) || 8n + n > BigInt(size))
      return parseSafetensorsHeader({ prefix: first, fileSize: size, file: label });
    const prefix = Buffer.alloc(8 + Number(n));
    first.copy(prefix, 0);
    const { bytesRead } = await fh.read(prefix, 8, Number(n), 8);
    return parseSafetensorsHeader({ prefix: prefix.subarray(0, 8 + bytesRead), fileSize: size, file: label });
  } finally {
    await fh.close();
  }
}
