import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { inputError, usageError } from "../errors.js";
import type { DatasetConfig } from "./dataset-config-schema.js";
import { decodeStrict, firstInvalidUtf8, type ProgramEncoding } from "./decode-program.js";

export { firstInvalidUtf8 };

/** One program file of a pair, as read: bytes are decoded and checked later, by the plan. */
export interface SourceProgram {
  /** File name as the source spells it (may itself be sensitive: it is redacted before output). */
  name: string;
  /** Where it came from, for reports: config-relative file path, or the JSONL file. */
  origin: string;
  /** 1-based line of the JSONL record; absent for a file of a pairs folder. */
  line?: number;
  content: Uint8Array | string;
}

export interface SourceRecord {
  /** Pair folder name or JSONL id; used for include/exclude, sampling and splits. */
  sourceId: string;
  hyundai: SourceProgram;
  drl: SourceProgram;
}

/** A record left out, with what is wrong and where. Never holds program content. */
export interface RejectedRecord {
  sourceId: string;
  file: string;
  line?: number;
  offset?: number;
  code: string;
  message: string;
}

export interface DatasetSource {
  records: SourceRecord[];
  rejected: RejectedRecord[];
}

// A job or DRL program is text of a few hundred KB at most (Hi5: 9999 lines); anything larger is
// not a program, and reading it whole would let one bad file take the memory of the build.
export const MAX_PROGRAM_BYTES = 4 * 1024 * 1024;
// A JSONL line holds one pair: two programs and a few names.
export const MAX_JSONL_LINE_BYTES = 2 * MAX_PROGRAM_BYTES + 64 * 1024;
// The JSONL source is read whole and split into lines; bound it so a wrong path cannot exhaust memory.
export const MAX_JSONL_BYTES = 1024 * 1024 * 1024;

const HYUNDAI_FILE = /\.job$/i;
const DRL_FILE = /\.drl$/i;

/**
 * Reads the pairs of a dataset source. A pairs folder holds one sub-folder per pair with exactly
 * one Hyundai job file (`*.JOB`/`*.job`) and one DRL program (`*.drl`); a JSONL source holds one
 * pair per line under the keys of `fields.source`. Structural problems of one record (missing
 * file, two job files, a line that is not JSON) reject that record with its file and line; only a
 * missing or unreadable source fails the whole read.
 *
 * @throws ReleaseError `DATASET_SOURCE_NOT_FOUND` (usage), `DATASET_SOURCE_TOO_LARGE` (input).
 */
export async function readDatasetSource(params: { config: DatasetConfig; baseDir: string }): Promise<DatasetSource> {
  const { config, baseDir } = params;
  const abs = path.resolve(baseDir, config.source.path);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(abs);
  } catch (cause) {
    throw usageError(
      "DATASET_SOURCE_NOT_FOUND",
      `dataset source ${config.source.path} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        hint: "source.path is relative to the dataset.yaml folder",
        location: { field: "source.path" },
        cause,
      },
    );
  }
  if (config.source.kind === "pairs") {
    if (!info.isDirectory())
      throw usageError("DATASET_SOURCE_NOT_FOUND", `dataset source ${config.source.path} is not a folder`, {
        hint: "a 'pairs' source is a folder of pair folders",
        location: { field: "source.path" },
      });
    return readPairsFolder(abs, config.source.path);
  }
  if (info.size > MAX_JSONL_BYTES)
    throw inputError("DATASET_SOURCE_TOO_LARGE", `${config.source.path} is larger than ${MAX_JSONL_BYTES} bytes`, {
      hint: "split the JSONL file",
      location: { file: config.source.path },
    });
  return parseJsonlSource(await readFile(abs), config.source.path, config.fields.source, config.source.encoding);
}

async function readPairsFolder(abs: string, rel: string): Promise<DatasetSource> {
  const records: SourceRecord[] = [];
  const rejected: RejectedRecord[] = [];
  const entries = (await readdir(abs, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const dir of entries) {
    const sourceId = dir.name;
    const folder = path.join(abs, dir.name);
    const files = (await readdir(folder, { withFileTypes: true }))
      .filter((f) => f.isFile())
      .map((f) => f.name)
      .sort();
    const jobs = files.filter((f) => HYUNDAI_FILE.test(f));
    const drls = files.filter((f) => DRL_FILE.test(f));
    const where = `${rel}/${sourceId}`;
    if (jobs.length !== 1 || drls.length !== 1) {
      rejected.push({
        sourceId,
        file: where,
        code: "PAIR_INCOMPLETE",
        message: `a pair folder needs exactly one job file and one .drl file (found ${jobs.length} and ${drls.length})`,
      });
      continue;
    }
    const read = async (name: string): Promise<SourceProgram | RejectedRecord> => {
      const p = path.join(folder, name);
      const size = (await stat(p)).size;
      if (size > MAX_PROGRAM_BYTES)
        return {
          sourceId,
          file: `${where}/${name}`,
          code: "PROGRAM_TOO_LARGE",
          message: `${size} bytes is more than the ${MAX_PROGRAM_BYTES} a program may have`,
        };
      return { name, origin: `${where}/${name}`, content: await readFile(p) };
    };
    const hyundai = await read(jobs[0]!);
    const drl = await read(drls[0]!);
    if ("code" in hyundai) rejected.push(hyundai);
    else if ("code" in drl) rejected.push(drl);
    else records.push({ sourceId, hyundai, drl });
  }
  return { records, rejected };
}

/** Splits a JSONL source into records. Pure. Lines that are not JSON objects with the mapped keys are rejected with their line. */
export function parseJsonlSource(
  bytes: Uint8Array,
  file: string,
  keys: DatasetConfig["fields"]["source"],
  encoding: ProgramEncoding = "auto",
): DatasetSource {
  const records: SourceRecord[] = [];
  const rejected: RejectedRecord[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    line++;
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const raw = bytes.subarray(start, end);
    const offset = start;
    start = end + 1;
    const fallbackId = `${file}:${line}`;
    if (raw.length === 0 || (raw.length === 1 && raw[0] === 0x0d)) continue;
    if (raw.length > MAX_JSONL_LINE_BYTES) {
      rejected.push({
        sourceId: fallbackId,
        file,
        line,
        offset,
        code: "RECORD_TOO_LARGE",
        message: `line of ${raw.length} bytes is longer than ${MAX_JSONL_LINE_BYTES}`,
      });
      continue;
    }
    const text = decodeStrict(raw, encoding);
    if (text === undefined) {
      rejected.push({
        sourceId: fallbackId,
        file,
        line,
        offset: offset + firstInvalidUtf8(raw),
        code: "INVALID_ENCODING",
        message: "line is not valid in the source encoding",
      });
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (cause) {
      rejected.push({
        sourceId: fallbackId,
        file,
        line,
        code: "RECORD_NOT_JSON",
        // Never the parser's message: it quotes the line.
        message: `line is not JSON (${(cause as Error).name})`,
      });
      continue;
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      rejected.push({
        sourceId: fallbackId,
        file,
        line,
        code: "RECORD_NOT_OBJECT",
        message: "line is not a JSON object",
      });
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const missing = [keys.id, keys.hyundai_program, keys.drl_program].filter(
      (k) => typeof rec[k] !== "string" || rec[k] === "",
    );
    if (missing.length > 0) {
      rejected.push({
        sourceId: typeof rec[keys.id] === "string" ? (rec[keys.id] as string) : fallbackId,
        file,
        line,
        code: "RECORD_MISSING_FIELD",
        message: `missing or non-string field(s): ${missing.join(", ")}`,
      });
      continue;
    }
    const sourceId = rec[keys.id] as string;
    const name = (k: string, dflt: string) => (typeof rec[k] === "string" && rec[k] !== "" ? (rec[k] as string) : dflt);
    records.push({
      sourceId,
      hyundai: {
        name: name(keys.hyundai_file, "job"),
        origin: file,
        line,
        content: rec[keys.hyundai_program] as string,
      },
      drl: { name: name(keys.drl_file, "program.drl"), origin: file, line, content: rec[keys.drl_program] as string },
    });
  }
  return { records, rejected };
}
