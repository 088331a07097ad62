import { open, type FileHandle } from "node:fs/promises";
import type { Inventory, InventoryFile } from "../checkpoint/types.js";
import type { SanitizeConfig } from "../config/schema.js";
import { isReleaseError, usageError } from "../errors.js";
import type { Finding } from "../findings.js";
import { compileUserRegex, type DetectOptions, type SecretPattern } from "./detect-secrets.js";
import { ScanBudgetExceeded, type ScanBudget } from "./scan-budget.js";
import { matchGlob } from "./match-glob.js";
import { readCheckpointFiles } from "./read-checkpoint-files.js";
import { scanFilesParallel } from "./scan-files-parallel.js";
import { sniffFormat } from "../checkpoint/sniff-format.js";
import {
  MAX_ARCHIVE_DEPTH,
  MAX_FINDINGS_PER_FILE,
  type ScanContext,
  type Source,
  type Sink,
  step,
  meterFor,
  bufferSource,
  compressedFormatOf,
} from "./scan-source.js";
import { scanByteTensors, scanSafetensorsHeader, scanTextSource, scanStrings } from "./scan-text-source.js";
import { MAX_HEADER_LENGTH } from "../checkpoint/parse-safetensors-header.js";
import { scanNumpy, scanPickleSource } from "./scan-pickle-source.js";
import { scanGzip, scanZip, scanTar } from "./scan-archives.js";
export type { ScanContext } from "./scan-source.js";

export interface ScanCheckpointParams {
  /** Checkpoint folder; ignored when `inventory` is given. */
  dir?: string;
  inventory?: Pick<Inventory, "files">;
  /** Project patterns (`sanitize.patterns`). */
  patterns?: SecretPattern[];
  /** Internal DNS suffixes (`sanitize.internal_domains`). */
  internalDomains?: string[];
  /** Accepted findings (`sanitize.allow_findings`), each with a written reason. */
  allowFindings?: SanitizeConfig["allow_findings"];
  /** Run secretlint's recommend preset on text as well as the own rules (default true). */
  secretlint?: boolean;
  /** Only scan these checkpoint-relative paths (default: all files). */
  only?: (file: InventoryFile) => boolean;
  /** Resource budgets (default `DEFAULT_SCAN_BUDGET`). */
  budget?: ScanBudget;
  signal?: AbortSignal;
  /**
   * Files scanned at once, the main thread included (default: one per core). Worker threads are
   * only started when the checkpoint is large enough for them to pay.
   */
  concurrency?: number;
}

/**
 * Finds secrets and personal or internal data in every file of a checkpoint: text, every JSON
 * string (keys too), safetensors headers, strings inside pickles, zip and tar archives, and
 * printable strings of any other binary; and what every pickle stream imports, wherever it is.
 * Findings carry redacted excerpts only.
 */
export async function scanCheckpoint(params: ScanCheckpointParams): Promise<Finding[]> {
  const files = params.inventory?.files ?? (params.dir !== undefined ? await readCheckpointFiles(params.dir) : []);
  const opts: DetectOptions = { patterns: params.patterns ?? [], internalDomains: params.internalDomains };
  assertPatternsCompile(opts.patterns!);
  const chosen = params.only ? files.filter(params.only) : files;
  params.signal?.throwIfAborted();
  const perFile = await scanFilesParallel(
    chosen,
    {
      opts,
      secretlint: params.secretlint ?? true,
      signal: params.signal,
      budget: params.budget,
      usage: { inflated: 0 },
    },
    scanFile,
    { concurrency: params.concurrency },
  );
  const findings: Finding[] = [];
  for (const i of chosen.keys()) findings.push(...perFile[i]!);
  return applyAllowFindings(findings, params.allowFindings ?? []);
}

/** Marks findings accepted by `allow_findings` (rule id plus optional path glob). */
export function applyAllowFindings(findings: Finding[], allow: SanitizeConfig["allow_findings"]): Finding[] {
  return findings.map((f) => {
    const hit = allow.find((a) => a.rule === f.rule && (a.path === undefined || matchGlob(a.path, f.file)));
    return hit ? { ...f, acceptedReason: hit.reason } : f;
  });
}

function assertPatternsCompile(patterns: SecretPattern[]): void {
  patterns.forEach((p, i) => {
    if (p.regex === undefined) return;
    try {
      compileUserRegex(p.regex);
    } catch (cause) {
      throw usageError("PATTERN_INVALID", `sanitize.patterns[${i}] '${p.name}': not a valid regular expression`, {
        cause,
        location: { field: `sanitize.patterns.${i}.regex` },
        hint: "Write a JavaScript regular expression, e.g. '/PN-\\d{6}/i'.",
      });
    }
  });
}

/** Scans one checkpoint file. Never throws on bad content: unreadable parts become findings. */
export async function scanFile(file: InventoryFile, ctx: ScanContext): Promise<Finding[]> {
  return scanFileWith(file, ctx, (source, sink) => scanSource(source, sink, 0));
}

/**
 * The data of a safetensors file's small byte tensors (`scanByteTensorData`), for a shard whose
 * header the plan scans as rewritten: the header is not scanned again here.
 */
export async function scanSafetensorsByteTensors(file: InventoryFile, ctx: ScanContext): Promise<Finding[]> {
  return scanFileWith(file, ctx, async (source, sink) => {
    if (source.length < 8) return;
    const n = Number((await source.read(0, 8)).readBigUInt64LE(0));
    if (n > MAX_HEADER_LENGTH || 8 + n > source.length) return; // the header plan reports it
    await scanByteTensors(source, sink, (await source.read(8, n)).toString("utf8"), 8 + n, 0);
  });
}

async function scanFileWith(
  file: InventoryFile,
  ctx: ScanContext,
  scan: (source: Source, sink: Sink) => Promise<void>,
): Promise<Finding[]> {
  const sink: Sink = { file: file.path, findings: [], ctx, meter: meterFor(ctx), scanSource };
  let fh: FileHandle | undefined;
  try {
    fh = await open(file.absPath, "r");
    const handle = fh;
    const size = (await fh.stat()).size;
    const source: Source = {
      length: size,
      fileOffset: 0,
      read: async (pos, len) => {
        const buf = Buffer.allocUnsafe(Math.max(0, Math.min(len, size - pos)));
        if (buf.length > 0) await handle.read(buf, 0, buf.length, pos);
        return buf;
      },
      readInto: async (target, at, pos, len) => {
        const n = Math.max(0, Math.min(len, size - pos));
        return n > 0 ? (await handle.read(target, at, n, pos)).bytesRead : 0;
      },
    };
    await scan(source, sink);
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw err;
    if (err instanceof ScanBudgetExceeded) sink.findings.push(budgetFinding(sink, err));
    else
      sink.findings.push({
        rule: "unreadable-file",
        severity: "block",
        file: file.path,
        message: `could not be scanned: ${isReleaseError(err) ? err.message : err instanceof Error ? err.message : String(err)}`,
      });
  } finally {
    await fh?.close();
    if (ctx.usage) ctx.usage.inflated += sink.meter.inflated;
  }
  if (sink.findings.length > MAX_FINDINGS_PER_FILE) {
    const extra = sink.findings.length - MAX_FINDINGS_PER_FILE;
    sink.findings.length = MAX_FINDINGS_PER_FILE;
    sink.findings.push({
      rule: "too-many-findings",
      severity: "block",
      file: file.path,
      message: `${extra} more findings in this file not listed`,
    });
  }
  return sink.findings;
}

/** The blocking finding of a file whose scan ran out of budget. */
function budgetFinding(sink: Sink, err: ScanBudgetExceeded): Finding {
  const limit = err.what === "time" ? `${Math.round(err.limit / 1000)} s` : `${err.limit} bytes`;
  return {
    rule: "scan-budget-exceeded",
    severity: "block",
    file: sink.file,
    message: `the scan used up its budget of ${limit} (${err.what} per ${err.scope})${sink.member ? ` inside archive member ${sink.member}` : ""}; the rest was not scanned, so it cannot be published; if the file is legitimate, raise sanitize.scan_budget.${budgetField(err)} in the release config`,
  };
}

function budgetField(err: ScanBudgetExceeded): string {
  return `${err.what === "time" ? "minutes" : "inflated_mib"}_per_${err.scope}`;
}

async function scanSource(src: Source, sink: Sink, depth: number): Promise<void> {
  step(sink);
  const head = await src.read(0, 4096);
  const tail =
    head[0] === 0x50 && src.length > head.length ? await src.read(Math.max(0, src.length - 65536), 65536) : undefined;
  const format = sniffFormat({ head, size: src.length, tail, text: "shape" });
  switch (format) {
    case "empty":
      return;
    case "safetensors":
      return scanSafetensorsHeader(src, sink, depth);
    case "zip":
    case "torch-zip":
      if (depth >= MAX_ARCHIVE_DEPTH) return scanStrings(src, sink);
      return scanZip(src, sink, depth, format === "torch-zip");
    case "tar":
      if (depth >= MAX_ARCHIVE_DEPTH) return scanStrings(src, sink);
      return scanTar(src, sink, depth);
    case "json":
    case "text":
      return scanTextSource(src, sink, format);
    case "pickle":
      return scanPickleSource(src, sink);
    case "numpy":
      return scanNumpy(src, head, sink);
    default: {
      const packed = compressedFormatOf(head);
      if (packed === "gzip" && depth < MAX_ARCHIVE_DEPTH) return scanGzip(src, sink, depth);
      if (packed !== undefined) {
        // Fail closed: what a format this tool cannot unpack holds was not scanned.
        sink.findings.push({
          rule: "unscanned-archive",
          severity: "block",
          file: sink.file,
          message: `${sink.member ? `archive member ${sink.member}: ` : ""}${packed}-compressed content, which this tool cannot unpack; its contents were not scanned`,
        });
      }
      // gguf, binary: strings are what can leak.
      return scanStrings(src, sink);
    }
  }
}

/**
 * Scans in-memory content (a scrubbed JSON file, a rewritten safetensors header) exactly as a
 * file of that path would be scanned.
 */
export async function scanContent(params: {
  path: string;
  content: Uint8Array | string;
  patterns?: SecretPattern[];
  internalDomains?: string[];
  secretlint?: boolean;
  signal?: AbortSignal;
}): Promise<Finding[]> {
  const ctx: ScanContext = {
    opts: { patterns: params.patterns ?? [], internalDomains: params.internalDomains },
    secretlint: params.secretlint ?? true,
    signal: params.signal,
  };
  const sink: Sink = { file: params.path, findings: [], ctx, meter: meterFor(ctx), scanSource };
  const buf =
    typeof params.content === "string"
      ? Buffer.from(params.content, "utf8")
      : Buffer.from(params.content.buffer, params.content.byteOffset, params.content.byteLength);
  const src = bufferSource(buf);
  src.fileOffset = 0;
  await scanSource(src, sink, 0);
  return sink.findings;
}
