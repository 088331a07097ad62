/**
 * The `.npy` header (numpy `lib/format.py`): magic `\x93NUMPY`, major and minor version, a
 * little-endian header length (2 bytes in version 1, 4 in versions 2 and 3), then a Python dict
 * literal with `descr`, `fortran_order` and `shape`, padded with spaces and a newline.
 */
export interface NumpyHeader {
  /** The dtype descriptor text as written (`'<f4'`, `'|O'`, or a structured list). */
  descr: string;
  /** True when any field of the dtype is a Python object: the data is then a pickle. */
  hasObjects: boolean;
  /** Byte offset where the array data (or the object array's pickle) starts. */
  dataOffset: number;
}

/** numpy refuses headers over 10,000 bytes unless told otherwise (`_MAX_HEADER_SIZE`). */
const MAX_NUMPY_HEADER_BYTES = 10_000;

/**
 * Reads the header of an `.npy` stream from its first bytes; undefined when the bytes are not an
 * `.npy` header this reader understands. Pure; never evaluates the dict literal. An object dtype
 * (`O`, alone or inside a structured dtype) means `np.load(allow_pickle=True)` unpickles the data.
 */
export function parseNumpyHeader(head: Uint8Array): NumpyHeader | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length < 10 || b.toString("latin1", 0, 6) !== "\x93NUMPY") return undefined;
  const major = b[6]!;
  const lenBytes = major === 1 ? 2 : major === 2 || major === 3 ? 4 : 0;
  if (lenBytes === 0 || b.length < 8 + lenBytes) return undefined;
  const len = lenBytes === 2 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (len > MAX_NUMPY_HEADER_BYTES || b.length < start + len) return undefined;
  const text = b.toString(major === 3 ? "utf8" : "latin1", start, start + len);
  const m = /['"]descr['"]\s*:\s*('[^']*'|"[^"]*"|\[[\s\S]*?\]\s*(?=,\s*['"]fortran_order|,\s*['"]shape|\}))/.exec(
    text,
  );
  if (!m) return undefined;
  const descr = m[1]!;
  // Every quoted type code in the descriptor: `O` (or `|O`, `O8`) is a Python object.
  const codes = [...descr.matchAll(/'([^']*)'|"([^"]*)"/g)].map((x) => x[1] ?? x[2] ?? "");
  const hasObjects = codes.some((c) => /^[|<>=]?O\d*$/.test(c));
  return { descr, hasObjects, dataOffset: start + len };
}
