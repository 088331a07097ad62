import { isUtf8 } from "node:buffer";
import { isReleaseError } from "../errors.js";
import type { Finding } from "../findings.js";
import { createLineIndex, dedupeDetections, detectSecrets } from "./detect-secrets.js";
import { detectWithSecretlint } from "./detect-with-secretlint.js";
import { createChunkDecoder, decodeUtf8Strict } from "./create-chunk-decoder.js";
import { extractPrintableRuns, MIN_STRING_RUN, type StringRun } from "./extract-printable-runs.js";
import { parseJsonStrings } from "./parse-json-strings.js";
import { planJsonMemberChecks } from "./plan-json-member-checks.js";
import { MAX_HEADER_LENGTH } from "../checkpoint/parse-safetensors-header.js";
import {
  WHOLE_FILE_LIMIT,
  WHOLE_JSON_LIMIT,
  CHUNK,
  TEXT_CHUNK,
  type Source,
  type Sink,
  step,
  locate,
  detect,
  subSource,
} from "./scan-source.js";

export async function scanSafetensorsHeader(src: Source, sink: Sink, depth = 0): Promise<void> {
  const n = Number((await src.read(0, 8)).readBigUInt64LE(0));
  // No reader loads a header over the reference cap: not safetensors, so only its strings count.
  if (n > MAX_HEADER_LENGTH) return scanStrings(src, sink);
  const text = (await src.read(8, n)).toString("utf8");
  await scanJsonText(text, sink, 8);
  await scanByteTensors(src, sink, text, 8 + n, depth);
}

/** A byte dtype anywhere in a header (a superset test: a metadata value may hold the text too). */
const BYTE_DTYPE = /"(?:U8|I8|BOOL)"/;

/** Byte tensors up to this size have their data scanned: buffers, not weights. */
export const BYTE_TENSOR_SCAN_LIMIT = 16 * 1024 * 1024;

/**
 * The data of small `U8`/`I8`/`BOOL` tensors, through the whole dispatcher (strings, pickles,
 * archives): such tensors carry bytes rather than numbers. TransformerEngine saves each layer's
 * `_extra_state` as a U8 tensor holding a pickle that it unpickles on load, and a string can be
 * stored the same way. Weights (float, and packed 4-bit U8 far above the limit) are not read.
 */
export async function scanByteTensors(
  src: Source,
  sink: Sink,
  header: string,
  dataStart: number,
  depth: number,
): Promise<void> {
  // Most shards hold no byte tensor: a header without one is not parsed a second time.
  if (!BYTE_DTYPE.test(header)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    return; // scanJsonText has reported it
  }
  if (typeof parsed !== "object" || parsed === null) return;
  const tensors: ByteTensor[] = [];
  for (const [name, t] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__" || typeof t !== "object" || t === null) continue;
    const { dtype, data_offsets: off } = t as { dtype?: unknown; data_offsets?: unknown };
    if (typeof dtype !== "string" || !Array.isArray(off) || typeof off[0] !== "number" || typeof off[1] !== "number")
      continue;
    tensors.push({ name, dtype, dataOffsets: [off[0], off[1]] });
  }
  await scanByteTensorData(src, sink, tensors, dataStart, depth);
}

/**
 * Whether a byte tensor's first bytes are a payload rather than numbers: a pickle (protocol 2-5;
 * 0 and 1 are text), a zip (`torch.save` into a buffer) or gzip, or text (valid UTF-8, almost no
 * control characters; bitsandbytes' quant_state is JSON). Packed 4-bit weights and absmax scales
 * are random-looking bytes: reading their printable runs finds nothing but chance look-alikes of
 * e-mail addresses (about one in 20 MB), which would block an honest quantized release.
 */
function carriesBytes(head: Buffer): boolean {
  if (head.length === 0) return false;
  if (head[0] === 0x80 && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) return true;
  if (head[0] === 0x50 && head[1] === 0x4b) return true; // PK
  if (head[0] === 0x1f && head[1] === 0x8b) return true; // gzip
  let end = head.length;
  // A multi-byte character cut by the sample's end is not an error.
  while (end > 0 && end > head.length - 4 && (head[end - 1]! & 0xc0) === 0x80) end--;
  if (end > 0 && head[end - 1]! >= 0xc0) end--;
  const sample = head.subarray(0, end);
  if (!isUtf8(sample)) return false;
  let controls = 0;
  for (const b of sample) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) controls++;
  return controls <= sample.length * 0.05;
}

interface ByteTensor {
  name: string;
  dtype: string;
  /** Byte range relative to the data section. */
  dataOffsets: [number, number];
}

/** `scanByteTensors` over the parsed tensors, the data section at `dataStart` of `src`. */
async function scanByteTensorData(
  src: Source,
  sink: Sink,
  tensors: readonly ByteTensor[],
  dataStart: number,
  depth: number,
): Promise<void> {
  for (const { name, dtype, dataOffsets } of tensors) {
    if (dtype !== "U8" && dtype !== "I8" && dtype !== "BOOL") continue;
    const [begin, end] = dataOffsets;
    const length = end - begin;
    if (length <= 0 || length > BYTE_TENSOR_SCAN_LIMIT || dataStart + end > src.length) continue;
    const data = subSource(src, dataStart + begin, length);
    if (!carriesBytes(await data.read(0, Math.min(length, 4096)))) continue;
    const member = `tensor ${name}`;
    const inner: Sink = { ...sink, member: sink.member ? `${sink.member}/${member}` : member };
    await sink.scanSource(data, inner, depth + 1);
  }
}

export async function scanJsonText(text: string, sink: Sink, byteBase: number | undefined): Promise<void> {
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

export async function scanPlainText(
  text: string,
  sink: Sink,
  byteBase: number | undefined,
  lineBase = 0,
): Promise<void> {
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

export async function scanTextSource(src: Source, sink: Sink, format: "json" | "text"): Promise<void> {
  if (src.length <= (format === "json" ? WHOLE_JSON_LIMIT : WHOLE_FILE_LIMIT)) {
    let text: string | undefined;
    {
      // The bytes go out of scope once decoded: only the text is held while it is scanned.
      const bytes = await src.read(0, src.length);
      text = decodeUtf8Strict(bytes);
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
  const decode = createChunkDecoder();
  const chunk = Buffer.allocUnsafe(TEXT_CHUNK);
  let carry = "";
  let lineBase = 0;
  let byteBase = 0;
  for (let pos = 0; pos < src.length; pos += TEXT_CHUNK) {
    step(sink);
    const last = pos + TEXT_CHUNK >= src.length;
    const got = await src.readInto(chunk, 0, pos, TEXT_CHUNK);
    const text = carry + decode(chunk.subarray(0, got), last);
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

export function countNewlines(s: string): number {
  let c = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) c++;
  return c;
}

export async function notText(src: Source, sink: Sink, bytes: Buffer): Promise<void> {
  sink.findings.push({
    rule: "binary-posing-as-text",
    severity: "warn",
    file: sink.file,
    message: `${sink.member ?? sink.file} starts like text but holds bytes that are not UTF-8 text; scanned for printable strings instead`,
  });
  await scanStringRuns(extractPrintableRuns(bytes, true).runs, sink, src.fileOffset);
}

/**
 * Streams a binary source and scans its printable strings. Memory: one work buffer of two
 * chunks (the run carried over from the previous chunk, at most a chunk, then the next chunk),
 * reused for the whole source, so garbage does not pile up between collections.
 */
export async function scanStrings(src: Source, sink: Sink): Promise<void> {
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

export async function scanStringRuns(
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
    // One flat string (join with an empty last part), not a concatenation: character walks over
    // a cons string take a slow path on every access.
    parts.push("");
    const text = parts.join("\n");
    const ds = await detect(text, sink.ctx, true);
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

/**
 * Text arriving as a stream (an inflating member): decoded and scanned in pieces of about
 * TEXT_CHUNK cut at line ends, as large text files are, with an overlap where a line is longer
 * than a piece. Lines are counted from the member's start; offsets are not file offsets.
 */
export async function scanTextStream(chunks: AsyncIterable<Uint8Array>, sink: Sink): Promise<void> {
  const decode = createChunkDecoder();
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
    pending += decode(chunk, false);
    if (pending.length >= TEXT_CHUNK) await scanPiece(false);
  }
  pending += decode(new Uint8Array(0), true);
  if (pending.length > 0) await scanPiece(true);
}
