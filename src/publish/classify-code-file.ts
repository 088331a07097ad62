import { sniffFormat } from "../checkpoint/sniff-format.js";
import { detectHyundaiDialect } from "../datasets/parse-robot-program.js";

/**
 * What a binary file of the code folder is, when it must not go out with the code: pickles run
 * code on whoever loads them, archives and compressed streams hide their contents from the scan
 * (which reads only a binary's printable strings), and weights and data files belong in the model
 * and dataset releases, where they are checked as such. Images, fonts and other binaries return
 * undefined. Decided from the bytes, never the name. Pure.
 */
export function unsafeCodeBinary(bytes: Uint8Array): { rule: string; message: string } | undefined {
  const format = sniffFormat({
    head: bytes.subarray(0, 64 * 1024),
    size: bytes.length,
    whole: bytes.length <= 64 * 1024,
    tail: bytes.subarray(Math.max(0, bytes.length - 64 * 1024)),
  });
  if (format === "pickle" || format === "torch-zip")
    return { rule: "code-pickle", message: "pickle (loading it runs code; it may carry training data)" };
  if (format === "numpy") return { rule: "code-data-file", message: "NumPy array file (object arrays are pickles)" };
  if (format === "safetensors" || format === "gguf")
    return { rule: "code-data-file", message: "model weights (they belong in the model release)" };
  if (format === "zip" || format === "tar")
    return { rule: "code-archive", message: "archive (its members are not scanned in a code export)" };
  for (const [magic, what] of MAGIC)
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return what;
  return undefined;
}

const compressed = (name: string) => ({
  rule: "code-archive",
  message: `${name} stream (its contents are not scanned in a code export)`,
});
const data = (name: string) => ({
  rule: "code-data-file",
  message: `${name} (data belongs in the dataset release, where it is redacted)`,
});
const MAGIC: [number[], { rule: string; message: string }][] = [
  [[0x1f, 0x8b], compressed("gzip")],
  [[0x42, 0x5a, 0x68], compressed("bzip2")],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], compressed("xz")],
  [[0x28, 0xb5, 0x2f, 0xfd], compressed("zstd")],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], compressed("7-Zip")],
  [[0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], compressed("RAR")],
  [[0x04, 0x22, 0x4d, 0x18], compressed("LZ4")],
  [[...Buffer.from("SQLite format 3\0")], data("SQLite database")],
  [[0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], data("HDF5 file")],
  [[...Buffer.from("PAR1")], data("Parquet file")],
  [[...Buffer.from("ARROW1")], data("Arrow file")],
  [[0x4f, 0x62, 0x6a, 0x01], data("Avro file")],
];

/** Rows from which a CSV or TSV file is a data table rather than a lookup table of the code. */
export const DATA_TABLE_ROWS = 50;

/**
 * Whether a text file of the code folder is training data: a robot program (a Hyundai job file by
 * its header or name, a Doosan DRL program by name), JSON Lines records, or a CSV/TSV table of
 * `DATA_TABLE_ROWS` rows or more. Customer programs and samples go out only through the dataset
 * release, which redacts them; a code export would publish them as written. Pure.
 */
export function trainingDataOf(path: string, text: string): { rule: string; message: string } | undefined {
  const program = (what: string) => ({
    rule: "code-robot-program",
    message: `${what} (customer programs go out only through the dataset release, redacted)`,
  });
  if (detectHyundaiDialect(text) !== undefined || /\.job$/i.test(path)) return program("Hyundai robot job program");
  if (/\.drl$/i.test(path)) return program("Doosan DRL program");
  // Records are told from the first lines; a table's rows are counted only for a .csv or .tsv.
  const head = text
    .slice(0, 64 * 1024)
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0);
  const isRecord = (l: string) => {
    const t = l.trim();
    if (!t.startsWith("{") || !t.endsWith("}")) return false;
    try {
      return typeof JSON.parse(t) === "object";
    } catch {
      return false;
    }
  };
  if ((/\.(?:jsonl|ndjson)$/i.test(path) && head.length > 0) || (head.length >= 2 && head.slice(0, 3).every(isRecord)))
    return {
      rule: "code-data-file",
      message: "JSON Lines records (training data belongs in the dataset release, where it is redacted)",
    };
  if (/\.(?:csv|tsv)$/i.test(path) && text.split(/\r?\n/).filter((l) => l.trim().length > 0).length > DATA_TABLE_ROWS)
    return {
      rule: "code-data-file",
      message: `a table of ${DATA_TABLE_ROWS} rows or more (training data belongs in the dataset release, where it is redacted)`,
    };
  return undefined;
}
