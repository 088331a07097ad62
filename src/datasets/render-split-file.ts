import { parquetWriteBuffer } from "hyparquet-writer";

/** One published record: output field name to text. */
export type OutputRecord = Record<string, string>;

/** One split file: JSON Lines, or a Parquet file with one string column per field. Pure. */
export function renderSplitFile(
  records: OutputRecord[],
  fields: string[],
  format: "jsonl" | "parquet",
): string | Uint8Array {
  if (format === "jsonl") return records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : "");
  const buf = parquetWriteBuffer({
    columnData: fields.map((name) => ({ name, data: records.map((r) => r[name] ?? null), type: "STRING" as const })),
  });
  return new Uint8Array(buf);
}
