import { open, type FileHandle } from "node:fs/promises";
import type { Inventory, InventoryFile } from "../checkpoint/types.js";
import type { SanitizeConfig } from "../config/schema.js";
import { isReleaseError, usageError, type ReleaseError } from "../errors.js";
import { openZip, ZipMethod, type ZipArchive, type ZipEntry } from "../checkpoint/zip/open-zip.js";
import type { Finding } from "../findings.js";
import {
  compileUserRegex,
  createLineIndex,
  dedupeDetections,
  detectSecrets,
  renderExcerpt,
  type DetectOptions,
  type Detection,
  type SecretPattern,
} from "./detect-secrets.js";
import { detectWithSecretlint } from "./detect-with-secretlint.js";
import { extractPickleStrings } from "../checkpoint/pickle/extract-pickle-strings.js";
import { isTorchLegacy, TORCH_LEGACY_PICKLES } from "../checkpoint/pickle/scan-torch-file.js";
import { scanPickle } from "../checkpoint/pickle/scan-pickle.js";
import { parseNumpyHeader } from "../checkpoint/parse-numpy-header.js";
import { gunzipSync } from "node:zlib";
import {
  chargeInflated,
  checkDeadline,
  DEFAULT_SCAN_BUDGET,
  ScanBudgetExceeded,
  startScanMeter,
  type ScanBudget,
  type ScanMeter,
} from "./scan-budget.js";
import { extractPrintableRuns, MIN_STRING_RUN, type StringRun } from "./extract-printable-runs.js";
import { matchGlob } from "./match-glob.js";
import { parseJsonStrings } from "./parse-json-strings.js";
import { planJsonMemberChecks } from "./plan-json-member-checks.js";
import { readCheckpointFiles } from "./read-checkpoint-files.js";
import { scanFilesParallel } from "./scan-files-parallel.js";
import { sniffFormat } from "../checkpoint/sniff-format.js";
import { MAX_HEADER_LENGTH } from "../checkpoint/parse-safetensors-header.js";

/** Text files (or archive members) up to this size are scanned whole; larger ones in chunks. */
const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;
/**
 * JSON is parsed whole up to this size (the largest real tokenizer.json files, Gemma's and
 * o200k's, are ~35 MB); beyond, it is scanned as text and cannot be checked as JSON, which blocks
 * a published file (`json-too-large`). The bound keeps peak memory under 300 MB: the parse holds
 * the text plus one hash per key of the largest object.
 */
const WHOLE_JSON_LIMIT = 64 * 1024 * 1024;
/** Chunk size for streamed scans: large enough to amortise reads, small enough for flat memory. */
const CHUNK = 4 * 1024 * 1024;
/**
 * Chunk size for streamed text: each chunk becomes strings (decoded, cut, windows, secretlint's
 * line index), garbage that the heap grows by several times before collecting it; 1 MiB keeps
 * the peak flat without making per-call costs show.
 */
const TEXT_CHUNK = 1024 * 1024;
/** Archives inside archives (a `.ckpt` zip inside a `.nemo` tar) are followed this deep. */
const MAX_ARCHIVE_DEPTH = 3;
/** Members listed per archive before giving up (zip bombs with millions of entries). */
const MAX_ARCHIVE_MEMBERS = 100_000;
/**
 * A deflated member is inflated in memory up to this size (so nested archives, pickles and JSON
 * can be read at random); larger ones are streamed through the printable-string scan, so memory
 * stays flat whatever the archive holds.
 */
const MAX_MEMBER_IN_MEMORY = 16 * 1024 * 1024;
/** Findings kept per file: a leaked vocabulary of e-mails should not produce a million lines. */
const MAX_FINDINGS_PER_FILE = 200;

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
interface Source {
  length: number;
  read(pos: number, len: number): Promise<Buffer>;
  /** Reads up to `len` bytes at `pos` into `target` at `at`; returns how many. No allocation. */
  readInto(target: Buffer, at: number, pos: number, len: number): Promise<number>;
  /** Byte offset of this source in the checkpoint file, when it maps 1:1 to file bytes. */
  fileOffset?: number;
}

interface Sink {
  file: string;
  /** Archive member path, for messages. */
  member?: string;
  findings: Finding[];
  ctx: ScanContext;
  meter: ScanMeter;
}

/** Between chunks: stop when aborted or when the file's time budget is spent. */
function step(sink: Sink): void {
  sink.ctx.signal?.throwIfAborted();
  checkDeadline(sink.meter);
}

/** The meter of one file's scan, from the context's budget and what the checkpoint used so far. */
function meterFor(ctx: ScanContext): ScanMeter {
  const limits = ctx.budget ?? DEFAULT_SCAN_BUDGET;
  ctx.deadline ??= Date.now() + limits.msPerCheckpoint;
  return startScanMeter(limits, ctx.usage?.inflated ?? 0, ctx.deadline);
}

/** Scans one checkpoint file. Never throws on bad content: unreadable parts become findings. */
export async function scanFile(file: InventoryFile, ctx: ScanContext): Promise<Finding[]> {
  const sink: Sink = { file: file.path, findings: [], ctx, meter: meterFor(ctx) };
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
    await scanSource(source, sink, 0);
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
    message: `the scan used up its budget of ${limit} (${err.what} per ${err.scope})${sink.member ? ` inside archive member ${sink.member}` : ""}; the rest was not scanned, so it cannot be published`,
  };
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
      return scanSafetensorsHeader(src, sink);
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

/** Compressed or archive formats by magic bytes (gzip is unpacked; the others cannot be). */
function compressedFormatOf(head: Uint8Array): string | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8) return "gzip";
  if (b.length >= 6 && b.toString("latin1", 0, 6) === "7z\xbc\xaf\x27\x1c") return "7z";
  if (b.length >= 6 && b.toString("latin1", 0, 6) === "\xfd7zXZ\0") return "xz";
  if (b.length >= 3 && b.toString("latin1", 0, 3) === "BZh") return "bzip2";
  if (b.length >= 4 && b.readUInt32LE(0) === 0xfd2fb528) return "zstd";
  if (b.length >= 4 && b.toString("latin1", 0, 4) === "Rar!") return "rar";
  return undefined;
}

/** A gzip stream inflated in memory up to this size (and the budget); larger ones are refused. */
const MAX_GZIP_IN_MEMORY = 16 * 1024 * 1024;

/** Inflates a gzip stream (bounded by the budget) and scans what it holds like any file. */
async function scanGzip(src: Source, sink: Sink, depth: number): Promise<void> {
  const cap = Math.min(MAX_GZIP_IN_MEMORY, sink.meter.inflateCap - sink.meter.inflated);
  let out: Buffer;
  try {
    // maxOutputLength stops zlib at the cap instead of allocating what the stream expands to.
    out = gunzipSync(await src.read(0, Math.min(src.length, MAX_GZIP_IN_MEMORY)), { maxOutputLength: cap + 1 });
  } catch (err) {
    const tooBig = err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
    if (tooBig && cap < MAX_GZIP_IN_MEMORY) chargeInflated(sink.meter, cap + 1);
    sink.findings.push({
      rule: tooBig ? "unscanned-archive" : "unreadable-archive",
      severity: "block",
      file: sink.file,
      message: `${sink.member ? `archive member ${sink.member}: ` : ""}gzip stream ${tooBig ? `inflates past ${MAX_GZIP_IN_MEMORY} bytes` : "does not inflate"}; its contents were not scanned`,
    });
    return scanStrings(src, sink);
  }
  chargeInflated(sink.meter, out.length);
  await scanMember(bufferSource(out), sink, "(gzip content)", depth);
}

/**
 * A `.npy` array: its printable strings, and for an object dtype, the pickle that follows the
 * header (`np.load(allow_pickle=True)` runs it), which blocks whatever it imports.
 */
async function scanNumpy(src: Source, head: Uint8Array, sink: Sink): Promise<void> {
  const header = parseNumpyHeader(head);
  if (header?.hasObjects) {
    sink.findings.push({
      rule: "numpy-object-array",
      severity: "block",
      file: sink.file,
      offset: src.fileOffset !== undefined ? src.fileOffset + header.dataOffset : undefined,
      message: `${sink.member ? `archive member ${sink.member}: ` : ""}numpy array of Python objects: its data is a pickle, which runs code when loaded`,
    });
    await scanPickleImports(subSource(src, header.dataOffset, src.length - header.dataOffset), sink);
  }
  return scanStrings(src, sink);
}

function locate(sink: Sink, base: Partial<Finding>, text: string, d: Detection, all: Detection[]): Finding {
  return {
    rule: d.rule,
    severity: d.severity,
    file: sink.file,
    ...base,
    excerpt: renderExcerpt(text, d, all, sink.ctx.opts),
    message: sink.member ? `${d.message} in archive member ${sink.member}` : d.message,
  };
}

async function detect(text: string, ctx: ScanContext): Promise<Detection[]> {
  const own = detectSecrets(text, ctx.opts);
  if (!ctx.secretlint) return own;
  return dedupeDetections([...own, ...(await detectWithSecretlint(text))]);
}

async function scanSafetensorsHeader(src: Source, sink: Sink): Promise<void> {
  const n = Number((await src.read(0, 8)).readBigUInt64LE(0));
  // No reader loads a header over the reference cap: not safetensors, so only its strings count.
  if (n > MAX_HEADER_LENGTH) return scanStrings(src, sink);
  const text = (await src.read(8, n)).toString("utf8");
  await scanJsonText(text, sink, 8);
}

async function scanJsonText(text: string, sink: Sink, byteBase: number | undefined): Promise<void> {
  // Own rules on every decoded string (so `\u`-escaped secrets are found), with a pointer,
  // visited while parsing (no list of millions of strings); kept only if the document parses.
  const ownSpans: [number, number][] = [];
  const lineColumnAt = createLineIndex(text);
  const found: Finding[] = [];
  // Credentials by key name and secrets split across added tokens need the member, not one string.
  const members = planJsonMemberChecks(sink.ctx.opts);
  try {
    parseJsonStrings(text, sink.member ?? sink.file, undefined, (s) => {
      const own = detectSecrets(s.value, sink.ctx.opts);
      const ds = s.isKey ? own : dedupeDetections([...own, ...members.onValue(s.pointer(), s.value)]);
      for (const d of ds) {
        const at = s.offset + 1 + d.start;
        ownSpans.push([at, s.offset + 1 + d.end]);
        const { line, column } = lineColumnAt(at);
        found.push(
          locate(
            sink,
            {
              pointer: s.pointer() + (s.isKey ? " (key)" : ""),
              line,
              column,
              ...(byteBase !== undefined ? { offset: byteBase + at } : {}),
            },
            s.value,
            d,
            ds,
          ),
        );
      }
    });
  } catch (err) {
    if (!isReleaseError(err)) throw err;
    sink.findings.push({
      rule:
        err.code === "JSON_TOO_DEEP"
          ? "json-too-deep"
          : err.code === "JSON_DUPLICATE_KEY"
            ? "json-duplicate-key"
            : "invalid-json",
      severity: "warn",
      file: sink.file,
      offset: err.location?.offset,
      message: `${err.message}; scanned as plain text instead`,
    });
    return scanPlainText(text, sink, byteBase);
  }
  sink.findings.push(...found);
  for (const { pointer, detection } of members.finish()) {
    sink.findings.push({ ...detection, file: sink.file, pointer });
  }
  // secretlint on the raw document: its rules expect source text (quotes, key names).
  if (sink.ctx.secretlint) {
    const raw = await detectWithSecretlint(text);
    const fresh = raw.filter((d) => !ownSpans.some(([a, b]) => d.start < b && a < d.end));
    for (const d of fresh) {
      const { line, column } = lineColumnAt(d.start);
      sink.findings.push(
        locate(
          sink,
          { line, column, ...(byteBase !== undefined ? { offset: byteBase + d.start } : {}) },
          text,
          d,
          fresh,
        ),
      );
    }
  }
}

async function scanPlainText(text: string, sink: Sink, byteBase: number | undefined, lineBase = 0): Promise<void> {
  const ds = await detect(text, sink.ctx);
  const lineColumnAt = createLineIndex(text);
  // Byte offsets accumulate between consecutive detections (sorted): linear in the text, not quadratic.
  let charPos = 0;
  let bytePos = 0;
  for (const d of ds) {
    const { line, column } = lineColumnAt(d.start);
    bytePos += Buffer.byteLength(text.slice(charPos, d.start));
    charPos = d.start;
    sink.findings.push(
      locate(
        sink,
        { line: line + lineBase, column, ...(byteBase !== undefined ? { offset: byteBase + bytePos } : {}) },
        text,
        d,
        ds,
      ),
    );
  }
}

async function scanTextSource(src: Source, sink: Sink, format: "json" | "text"): Promise<void> {
  if (src.length <= (format === "json" ? WHOLE_JSON_LIMIT : WHOLE_FILE_LIMIT)) {
    let text: string | undefined;
    {
      // The bytes go out of scope once decoded: only the text is held while it is scanned.
      const bytes = await src.read(0, src.length);
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        text = undefined;
      }
      if (text === undefined || text.includes("\u0000")) return notText(src, sink, bytes);
    }
    if (format === "json") return scanJsonText(text, sink, src.fileOffset);
    return scanPlainText(text, sink, src.fileOffset);
  }
  if (format === "json")
    sink.findings.push({
      rule: "json-too-large",
      severity: "warn",
      file: sink.file,
      message: `${sink.member ? `archive member ${sink.member}: ` : ""}JSON of ${src.length} bytes, more than the ${WHOLE_JSON_LIMIT} parsed whole; scanned as text, so its structure (duplicate keys, depth) was not checked`,
    });
  // Large text: chunks cut at line ends; a line longer than a chunk is cut with an overlap so a
  // secret spanning the cut is still seen whole once.
  const decoder = new TextDecoder("utf-8");
  const chunk = Buffer.allocUnsafe(TEXT_CHUNK);
  let carry = "";
  let lineBase = 0;
  let byteBase = 0;
  for (let pos = 0; pos < src.length; pos += TEXT_CHUNK) {
    step(sink);
    const last = pos + TEXT_CHUNK >= src.length;
    const got = await src.readInto(chunk, 0, pos, TEXT_CHUNK);
    const text = carry + decoder.decode(chunk.subarray(0, got), { stream: !last });
    let cut = last ? text.length : text.lastIndexOf("\n") + 1;
    let overlap = 0;
    if (cut <= 0) {
      cut = text.length;
      overlap = Math.min(1024, text.length);
    }
    const piece = text.slice(0, cut);
    const before = sink.findings.length;
    await scanPlainText(piece, sink, undefined, lineBase);
    for (const f of sink.findings.slice(before)) if (f.line !== undefined) f.offset = undefined;
    lineBase += countNewlines(piece);
    byteBase += Buffer.byteLength(piece);
    carry = overlap > 0 ? text.slice(cut - overlap) : text.slice(cut);
  }
  void byteBase;
}

function countNewlines(s: string): number {
  let c = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) c++;
  return c;
}

async function notText(src: Source, sink: Sink, bytes: Buffer): Promise<void> {
  sink.findings.push({
    rule: "binary-posing-as-text",
    severity: "warn",
    file: sink.file,
    message: `${sink.member ?? sink.file} starts like text but holds bytes that are not UTF-8 text; scanned for printable strings instead`,
  });
  await scanStringRuns(extractPrintableRuns(bytes, true).runs, sink, src.fileOffset);
}

/**
 * Pickles up to this size are walked opcode by opcode (held in memory while walked: the bound
 * keeps the scan's peak memory flat). Real state dicts are torch zips, whose data.pkl is a few
 * MB even for 100B-parameter models; legacy torch files keep their five pickles at the front.
 */
const MAX_PICKLE_WALK = 64 * 1024 * 1024;
/** Pickles up to this size also have their string operands listed exactly (see `scanPickleSource`). */
const MAX_PICKLE_STRING_WALK = 8 * 1024 * 1024;

/**
 * Lists what a pickle stream imports (every consecutive pickle to the end of the source, five for
 * a legacy torch file) and adds the pickle reader's findings: an import that runs code or is off
 * the state-dict allowlist, and a stream that cannot be read to its end (a second pickle after
 * STOP is read too: `pickle.load` on the same file object would run it), all blocking. Returns
 * the bytes walked, or undefined when the stream is too large to walk (which blocks).
 */
async function scanPickleImports(src: Source, sink: Sink): Promise<Buffer | undefined> {
  const bytes = Buffer.from(await src.read(0, Math.min(src.length, MAX_PICKLE_WALK)));
  const legacy = isTorchLegacy(bytes);
  if (src.length > MAX_PICKLE_WALK && !legacy) {
    sink.findings.push({
      rule: "pickle-invalid",
      severity: "block",
      file: sink.file,
      message: `${sink.member ? `archive member ${sink.member}: ` : ""}a pickle of ${src.length} bytes, more than the ${MAX_PICKLE_WALK} this tool walks; what it imports is unknown`,
    });
    return undefined;
  }
  const scan = scanPickle({
    file: sink.file,
    bytes,
    member: sink.member,
    maxPickles: legacy ? TORCH_LEGACY_PICKLES : undefined,
  });
  sink.findings.push(...scan.findings);
  return bytes;
}

/**
 * A pickle stream: its string operands from the opcode walker (exact boundaries, so a length
 * byte or an embedded newline cannot hide a secret), plus the printable-run pass, which also
 * covers what follows the pickles (legacy torch storages) and pickles the walker cannot parse.
 * The two passes find most secrets twice: one finding per rule and byte offset is kept.
 */
async function scanPickleSource(src: Source, sink: Sink): Promise<void> {
  const before = sink.findings.length;
  let bytes = await scanPickleImports(src, sink);
  // The operand walk holds every string as an object: only for pickles of a size that keeps
  // memory flat. Larger ones rely on the printable-run pass below, which streams.
  if (bytes !== undefined && bytes.length > MAX_PICKLE_STRING_WALK) bytes = undefined;
  if (bytes !== undefined) {
    const { strings } = extractPickleStrings({
      file: sink.file,
      bytes,
      member: sink.member,
      maxPickles: TORCH_LEGACY_PICKLES,
    });
    const runs: StringRun[] = [];
    for (const str of strings) {
      // The operand follows the opcode and its length field: find its exact start nearby.
      const at = bytes.indexOf(Buffer.from(str.value, "utf8"), str.offset);
      runs.push({ offset: at >= 0 && at - str.offset <= 16 ? at : str.offset, text: str.value });
    }
    await scanStringRuns(runs, sink, src.fileOffset, false);
  }
  bytes = undefined; // not held while the file streams through the printable-run pass
  await scanStrings(src, sink);
  const seen = new Set<string>();
  const mine = sink.findings.splice(before);
  for (const f of mine) {
    const key = `${f.rule}@${f.offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sink.findings.push(f);
  }
}

/**
 * Streams a binary source and scans its printable strings. Memory: one work buffer of two
 * chunks (the run carried over from the previous chunk, at most a chunk, then the next chunk),
 * reused for the whole source, so garbage does not pile up between collections.
 */
async function scanStrings(src: Source, sink: Sink): Promise<void> {
  const work = Buffer.allocUnsafe(Math.min(2 * CHUNK, src.length));
  let carryLen = 0;
  let carryPos = 0;
  for (let pos = 0; pos < src.length; pos += CHUNK) {
    step(sink);
    const last = pos + CHUNK >= src.length;
    const got = await src.readInto(work, carryLen, pos, Math.min(CHUNK, work.length - carryLen));
    const buf = work.subarray(0, carryLen + got);
    const bufPos = carryLen > 0 ? carryPos : pos;
    let { runs, carryFrom } = extractPrintableRuns(buf, last);
    // A run as long as the whole chunk is not carried forever: cut it (bounded memory).
    if (!last && buf.length - carryFrom > CHUNK) carryFrom = buf.length - 1024;
    for (const r of runs) r.offset += bufPos;
    await scanStringRuns(runs, sink, src.fileOffset);
    buf.copy(work, 0, carryFrom);
    carryLen = buf.length - carryFrom;
    carryPos = bufPos + carryFrom;
  }
}

async function scanStringRuns(
  runs: StringRun[],
  sink: Sink,
  fileOffset: number | undefined,
  shiftPass = true,
): Promise<void> {
  if (runs.length === 0) return;
  // Pickles prefix short strings with a one-byte length (SHORT_BINUNICODE), and a length of
  // 48-57, 65-90 or 97-122 is itself a printable letter or digit glued to the string, which
  // defeats the rules' left boundaries (`(?<![A-Za-z0-9])xoxb-`). So runs that start with a
  // letter or digit are scanned a second time without their first byte.
  const shifted: StringRun[] = [];
  if (shiftPass) {
    for (const r of runs) {
      const c = r.text.charCodeAt(0);
      if (
        r.text.length > MIN_STRING_RUN &&
        ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))
      )
        shifted.push({ offset: r.offset + 1, text: r.text.slice(1) });
    }
  }
  const hits: { offset: number; end: number; finding: Finding }[] = [];
  for (const batch of [runs, shifted]) {
    if (batch.length === 0) continue;
    // One joined text per batch: one regex pass instead of one per run.
    const starts: number[] = new Array<number>(batch.length);
    const parts: string[] = new Array<string>(batch.length);
    let at = 0;
    for (let k = 0; k < batch.length; k++) {
      const t = batch[k]!.text;
      starts[k] = at;
      parts[k] = t;
      at += t.length + 1;
    }
    const text = `${parts.join("\n")}\n`;
    const ds = await detect(text, sink.ctx);
    for (const d of ds) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= d.start) lo = mid;
        else hi = mid - 1;
      }
      const run = batch[lo]!;
      const byteInRun = Buffer.byteLength(run.text.slice(0, d.start - starts[lo]!));
      const at = (fileOffset ?? 0) + run.offset + byteInRun;
      const end = at + Buffer.byteLength(text.slice(d.start, d.end));
      // The second pass re-finds what the first found: keep one finding per byte span.
      if (hits.some((h) => at < h.end && h.offset < end)) continue;
      hits.push({ offset: at, end, finding: locate(sink, { offset: at }, text, d, ds) });
    }
  }
  for (const h of hits.sort((a, b) => a.offset - b.offset)) sink.findings.push(h.finding);
}

function subSource(src: Source, start: number, length: number): Source {
  return {
    length,
    fileOffset: src.fileOffset !== undefined ? src.fileOffset + start : undefined,
    read: (pos, len) => src.read(start + pos, Math.max(0, Math.min(len, length - pos))),
    readInto: (target, at, pos, len) => src.readInto(target, at, start + pos, Math.max(0, Math.min(len, length - pos))),
  };
}

function bufferSource(buf: Buffer): Source {
  return {
    length: buf.length,
    read: async (pos, len) => buf.subarray(pos, Math.min(buf.length, pos + len)),
    readInto: async (target, at, pos, len) => buf.copy(target, at, pos, Math.max(pos, Math.min(buf.length, pos + len))),
  };
}

async function scanMember(src: Source, sink: Sink, member: string, depth: number): Promise<void> {
  const inner: Sink = { ...sink, member: sink.member ? `${sink.member}/${member}` : member };
  await scanSource(src, inner, depth + 1);
}

/**
 * Tensor storages of a PyTorch zip (`<name>/data/<key>`): raw numbers that the pickle in
 * `<name>/data.pkl` points at. All strings of a torch checkpoint live in the pickle, so the
 * storages (nearly all of the bytes) are not string-scanned.
 */
const TORCH_STORAGE_MEMBER = /^[^/]+\/data\/\d+$/;

async function scanZip(src: Source, sink: Sink, depth: number, torch = false): Promise<void> {
  let zip: ZipArchive;
  try {
    // The project's zip reader (bounds, ZIP64, overlap and duplicate-name checks, inflate caps)
    // over this source, so nested archives are read the same way as top-level ones.
    zip = await openZip(
      { size: src.length, read: (pos, len) => src.read(pos, len) },
      { displayName: sink.member ? `${sink.file}:${sink.member}` : sink.file },
    );
  } catch (err) {
    if (!isReleaseError(err)) throw err;
    // Fail closed: compressed members of an archive that cannot be opened are invisible to the
    // string scan, so what it might hide blocks (a dropped file only warns, via the policy).
    sink.findings.push({
      rule: "unreadable-archive",
      severity: "block",
      file: sink.file,
      offset: err.location?.offset,
      message: `${err.message}; only its printable strings could be scanned, so compressed members were not`,
    });
    return scanStrings(src, sink);
  }
  try {
    if (zip.entries.length > MAX_ARCHIVE_MEMBERS) {
      sink.findings.push({
        rule: "unreadable-archive",
        severity: "warn",
        file: sink.file,
        message: `zip archive with ${zip.entries.length} entries, more than the ${MAX_ARCHIVE_MEMBERS} listed; scanned for printable strings instead`,
      });
      return await scanStrings(src, sink);
    }
    for (const entry of zip.entries) {
      step(sink);
      const name = entry.name;
      // The name itself can leak (a user's folder as the archive root).
      const nameHits = detectSecrets(name, sink.ctx.opts);
      for (const d of nameHits) sink.findings.push(locate(sink, { pointer: `zip member name` }, name, d, nameHits));
      if (name.endsWith("/") || (torch && TORCH_STORAGE_MEMBER.test(name))) continue;
      let member: Source;
      try {
        if (entry.method === ZipMethod.stored) member = subSource(src, await zip.locate(entry), entry.compressedSize);
        else if (entry.uncompressedSize > MAX_MEMBER_IN_MEMORY) {
          await scanDeflatedStream(zip, entry, sink, name);
          continue;
        } else {
          chargeInflated(sink.meter, entry.uncompressedSize);
          // A wrong checksum does not stop unzip from extracting the bytes: scan them, and say so.
          const onCrcMismatch = (err: ReleaseError) =>
            sink.findings.push({
              rule: "unreadable-archive",
              severity: "warn",
              file: sink.file,
              offset: err.location?.offset,
              message: `${err.message}; scanned anyway`,
            });
          const bytes = await zip.readEntry(entry, MAX_MEMBER_IN_MEMORY, { onCrcMismatch });
          member = bufferSource(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        }
      } catch (err) {
        if (!isReleaseError(err)) throw err;
        // Damaged data is a warning (as an archive without a directory is); a member the reader
        // refuses to open (encrypted, unknown method, too large, bomb ratio) stays unscanned: block.
        const unscanned = err.code !== "ZIP_CORRUPT";
        sink.findings.push({
          rule: unscanned ? "unscanned-archive-member" : "unreadable-archive",
          severity: unscanned ? "block" : "warn",
          file: sink.file,
          offset: err.location?.offset,
          message: unscanned ? `zip member ${name} not scanned: ${err.message}` : err.message,
        });
        continue;
      }
      await scanMember(member, sink, name, depth);
    }
  } finally {
    await zip.close();
  }
}

/** Bytes of a streamed member sniffed before deciding how to scan it. */
const STREAM_SNIFF_BYTES = 4096;

/**
 * A deflated member too large to hold in memory: inflated chunk by chunk (each chunk counted
 * against the inflate budget) into the printable-string scan. Formats that need random access
 * (archives, pickles, safetensors, numpy) cannot be read that way and block.
 */
async function scanDeflatedStream(zip: ZipArchive, entry: ZipEntry, sink: Sink, name: string): Promise<void> {
  const inner: Sink = { ...sink, member: sink.member ? `${sink.member}/${name}` : name };
  const parts: Buffer[] = [];
  for await (const c of zip.streamEntry(entry, 0, Math.min(STREAM_SNIFF_BYTES, entry.uncompressedSize)))
    parts.push(Buffer.from(c));
  const head = Buffer.concat(parts);
  const format = sniffFormat({ head, size: entry.uncompressedSize, text: "shape" });
  if (!["text", "json", "binary", "gguf", "empty"].includes(format) || compressedFormatOf(head) !== undefined) {
    sink.findings.push({
      rule: "unscanned-archive-member",
      severity: "block",
      file: sink.file,
      message: `zip member ${inner.member} not scanned: ${format} content of ${entry.uncompressedSize} bytes, compressed; it can only be scanned stored (uncompressed) or unpacked`,
    });
    return;
  }
  const chunks = (async function* () {
    for await (const chunk of zip.streamEntry(entry)) {
      step(sink);
      chargeInflated(sink.meter, chunk.length);
      yield chunk;
    }
  })();
  if (format === "text" || format === "json") return scanTextStream(chunks, inner);
  // Printable runs over a reused work buffer, as `scanStrings` does for files.
  const work = Buffer.allocUnsafe(2 * CHUNK);
  let fill = 0;
  let fillPos = 0;
  const flush = async (last: boolean) => {
    const buf = work.subarray(0, fill);
    let { runs, carryFrom } = extractPrintableRuns(buf, last);
    if (!last && buf.length - carryFrom > CHUNK) carryFrom = buf.length - 1024;
    for (const r of runs) r.offset += fillPos;
    await scanStringRuns(runs, inner, undefined);
    buf.copy(work, 0, carryFrom);
    fill = buf.length - carryFrom;
    fillPos += carryFrom;
  };
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(chunk.length - at, work.length - fill);
      Buffer.from(chunk.buffer, chunk.byteOffset + at, n).copy(work, fill);
      fill += n;
      at += n;
      if (fill >= CHUNK + (work.length - CHUNK) / 2) await flush(false);
    }
  }
  await flush(true);
}

/**
 * Text arriving as a stream (an inflating member): decoded and scanned in pieces of about
 * TEXT_CHUNK cut at line ends, as large text files are, with an overlap where a line is longer
 * than a piece. Lines are counted from the member's start; offsets are not file offsets.
 */
async function scanTextStream(chunks: AsyncIterable<Uint8Array>, sink: Sink): Promise<void> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let lineBase = 0;
  const scanPiece = async (last: boolean) => {
    let cut = last ? pending.length : pending.lastIndexOf("\n") + 1;
    let overlap = 0;
    if (cut <= 0) {
      cut = pending.length;
      overlap = Math.min(1024, pending.length);
    }
    const piece = pending.slice(0, cut);
    await scanPlainText(piece, sink, undefined, lineBase);
    lineBase += countNewlines(piece);
    pending = overlap > 0 ? pending.slice(cut - overlap) : pending.slice(cut);
  };
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    if (pending.length >= TEXT_CHUNK) await scanPiece(false);
  }
  pending += decoder.decode();
  if (pending.length > 0) await scanPiece(true);
}

async function scanTar(src: Source, sink: Sink, depth: number): Promise<void> {
  let pos = 0;
  let longName: string | undefined;
  for (let k = 0; k < MAX_ARCHIVE_MEMBERS && pos + 512 <= src.length; k++) {
    const h = await src.read(pos, 512);
    if (h.every((b) => b === 0)) return;
    const str = (a: number, b: number) => h.subarray(a, b).toString("utf8").replace(/\0.*$/s, "");
    const sizeField = str(124, 136).trim();
    const size = /^[0-7]+$/.test(sizeField) ? parseInt(sizeField, 8) : NaN;
    if (!Number.isFinite(size) || pos + 512 + size > src.length) {
      sink.findings.push({
        rule: "unreadable-archive",
        severity: "warn",
        file: sink.file,
        offset: pos,
        message: "tar header with a bad size; rest scanned for printable strings",
      });
      return scanStrings(subSource(src, pos, src.length - pos), sink);
    }
    const type = String.fromCharCode(h[156] ?? 0);
    const prefix = str(345, 500);
    const name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = undefined;
    const dataStart = pos + 512;
    if (type === "L")
      longName = (await src.read(dataStart, Math.min(size, 4096))).toString("utf8").replace(/\0.*$/s, "");
    else if (type === "0" || type === "\0" || type === "7")
      await scanMember(subSource(src, dataStart, size), sink, name, depth);
    else if (type === "x" || type === "g")
      await scanMember(subSource(src, dataStart, size), sink, `${name} (pax header)`, depth);
    pos = dataStart + Math.ceil(size / 512) * 512;
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
  const sink: Sink = { file: params.path, findings: [], ctx, meter: meterFor(ctx) };
  const buf =
    typeof params.content === "string"
      ? Buffer.from(params.content, "utf8")
      : Buffer.from(params.content.buffer, params.content.byteOffset, params.content.byteLength);
  const src = bufferSource(buf);
  src.fileOffset = 0;
  await scanSource(src, sink, 0);
  return sink.findings;
}
