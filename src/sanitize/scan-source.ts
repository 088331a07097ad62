import type { InventoryFile } from "../checkpoint/types.js";
import type { Finding } from "../findings.js";
import {
  dedupeDetections,
  detectSecrets,
  detectSecretsInLines,
  renderExcerpt,
  type DetectOptions,
  type Detection,
} from "./detect-secrets.js";
import { detectWithSecretlint } from "./detect-with-secretlint.js";
import { checkDeadline, DEFAULT_SCAN_BUDGET, startScanMeter, type ScanBudget, type ScanMeter } from "./scan-budget.js";

/** Text files (or archive members) up to this size are scanned whole; larger ones in chunks. */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;

/**
 * JSON is parsed whole up to this size (the largest real tokenizer.json files, Gemma's and
 * o200k's, are ~35 MB); beyond, it is scanned as text and cannot be checked as JSON, which blocks
 * a published file (`json-too-large`). The bound keeps peak memory under 300 MB: the parse holds
 * the text plus one hash per key of the largest object.
 */
export const WHOLE_JSON_LIMIT = 64 * 1024 * 1024;

/** Chunk size for streamed scans: large enough to amortise reads, small enough for flat memory. */
export const CHUNK = 4 * 1024 * 1024;

/**
 * Chunk size for streamed text: each chunk becomes strings (decoded, cut, windows, secretlint's
 * line index), garbage that the heap grows by several times before collecting it; 1 MiB keeps
 * the peak flat without making per-call costs show.
 */
export const TEXT_CHUNK = 1024 * 1024;

/** Archives inside archives (a `.ckpt` zip inside a `.nemo` tar) are followed this deep. */
export const MAX_ARCHIVE_DEPTH = 3;

/** Members listed per archive before giving up (zip bombs with millions of entries). */
export const MAX_ARCHIVE_MEMBERS = 100_000;

/**
 * A deflated member is inflated in memory up to this size (so nested archives, pickles and JSON
 * can be read at random); larger ones are streamed through the printable-string scan, so memory
 * stays flat whatever the archive holds.
 */
export const MAX_MEMBER_IN_MEMORY = 16 * 1024 * 1024;

/** Findings kept per file: a leaked vocabulary of e-mails should not produce a million lines. */
export const MAX_FINDINGS_PER_FILE = 200;

export interface ScanContext {
  opts: DetectOptions;
  secretlint: boolean;
  signal?: AbortSignal;
  /** Resource budgets (default `DEFAULT_SCAN_BUDGET`). */
  budget?: ScanBudget;
  /** Epoch milliseconds at which the checkpoint's scan time runs out (default: from the first file). */
  deadline?: number;
  /** Bytes inflated by this checkpoint's scans so far; each `scanFile` adds its own. */
  usage?: { inflated: number };
}

/** What the scanner reads from: a byte range of an open file, or an in-memory buffer. */
export interface Source {
  length: number;
  read(pos: number, len: number): Promise<Buffer>;
  /** Reads up to `len` bytes at `pos` into `target` at `at`; returns how many. No allocation. */
  readInto(target: Buffer, at: number, pos: number, len: number): Promise<number>;
  /** Byte offset of this source in the checkpoint file, when it maps 1:1 to file bytes. */
  fileOffset?: number;
}

export interface Sink {
  file: string;
  /** Archive member path, for messages. */
  member?: string;
  findings: Finding[];
  ctx: ScanContext;
  meter: ScanMeter;
  /**
   * Scans a nested source (an archive member) with the whole dispatcher (`scanSource` in
   * scan-checkpoint.ts): injected, so the per-representation modules do not import it back.
   */
  scanSource: (src: Source, sink: Sink, depth: number) => Promise<void>;
}

/** Between chunks: stop when aborted or when the file's time budget is spent. */
export function step(sink: Sink): void {
  sink.ctx.signal?.throwIfAborted();
  checkDeadline(sink.meter);
}

/** The meter of one file's scan, from the context's budget and what the checkpoint used so far. */
export function meterFor(ctx: ScanContext): ScanMeter {
  const limits = ctx.budget ?? DEFAULT_SCAN_BUDGET;
  ctx.deadline ??= Date.now() + limits.msPerCheckpoint;
  return startScanMeter(limits, ctx.usage?.inflated ?? 0, ctx.deadline);
}

export function locate(sink: Sink, base: Partial<Finding>, text: string, d: Detection, all: Detection[]): Finding {
  return {
    rule: d.rule,
    severity: d.severity,
    file: sink.file,
    ...base,
    excerpt: renderExcerpt(text, d, all, sink.ctx.opts),
    message: sink.member ? `${d.message} in archive member ${sink.member}` : d.message,
  };
}

/** Own rules (and secretlint's): `independentLines` for printable strings of a binary joined by newlines. */
export async function detect(text: string, ctx: ScanContext, independentLines = false): Promise<Detection[]> {
  const own = independentLines ? detectSecretsInLines(text, ctx.opts) : detectSecrets(text, ctx.opts);
  if (!ctx.secretlint) return own;
  return dedupeDetections([...own, ...(await detectWithSecretlint(text))]);
}

export function subSource(src: Source, start: number, length: number): Source {
  return {
    length,
    fileOffset: src.fileOffset !== undefined ? src.fileOffset + start : undefined,
    read: (pos, len) => src.read(start + pos, Math.max(0, Math.min(len, length - pos))),
    readInto: (target, at, pos, len) => src.readInto(target, at, start + pos, Math.max(0, Math.min(len, length - pos))),
  };
}

export function bufferSource(buf: Buffer): Source {
  return {
    length: buf.length,
    read: async (pos, len) => buf.subarray(pos, Math.min(buf.length, pos + len)),
    readInto: async (target, at, pos, len) => buf.copy(target, at, pos, Math.max(pos, Math.min(buf.length, pos + len))),
  };
}

/** Compressed or archive formats by magic bytes (gzip is unpacked; the others cannot be). */
export function compressedFormatOf(head: Uint8Array): string | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8) return "gzip";
  if (b.length >= 6 && b.toString("latin1", 0, 6) === "7z\xbc\xaf\x27\x1c") return "7z";
  if (b.length >= 6 && b.toString("latin1", 0, 6) === "\xfd7zXZ\0") return "xz";
  if (b.length >= 3 && b.toString("latin1", 0, 3) === "BZh") return "bzip2";
  if (b.length >= 4 && b.readUInt32LE(0) === 0xfd2fb528) return "zstd";
  if (b.length >= 4 && b.toString("latin1", 0, 4) === "Rar!") return "rar";
  return undefined;
}

/** One file for a scan worker (`scan-worker.ts`), sent by `scanFilesParallel`. */
export interface ScanJob {
  id: number;
  file: InventoryFile;
  opts: DetectOptions;
  secretlint: boolean;
  budget?: ScanBudget;
  /** The checkpoint's deadline (epoch ms) and the bytes it inflated before this job. */
  deadline?: number;
  inflated: number;
}
