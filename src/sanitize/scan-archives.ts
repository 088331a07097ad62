import { isReleaseError, type ReleaseError } from "../errors.js";
import { openZip, ZipMethod, type ZipArchive, type ZipEntry } from "../checkpoint/zip/open-zip.js";
import { detectSecrets } from "./detect-secrets.js";
import { gunzipSync } from "node:zlib";
import { chargeInflated } from "./scan-budget.js";
import { extractPrintableRuns } from "./extract-printable-runs.js";
import { sniffFormat } from "../checkpoint/sniff-format.js";
import {
  CHUNK,
  MAX_ARCHIVE_MEMBERS,
  MAX_MEMBER_IN_MEMORY,
  type Source,
  type Sink,
  step,
  locate,
  subSource,
  bufferSource,
  compressedFormatOf,
} from "./scan-source.js";
import { scanStrings, scanStringRuns, scanTextStream } from "./scan-text-source.js";

/** A gzip stream inflated in memory up to this size (and the budget); larger ones are refused. */
export const MAX_GZIP_IN_MEMORY = 16 * 1024 * 1024;

/** Inflates a gzip stream (bounded by the budget) and scans what it holds like any file. */
export async function scanGzip(src: Source, sink: Sink, depth: number): Promise<void> {
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

export async function scanMember(src: Source, sink: Sink, member: string, depth: number): Promise<void> {
  const inner: Sink = { ...sink, member: sink.member ? `${sink.member}/${member}` : member };
  await sink.scanSource(src, inner, depth + 1);
}

/**
 * Tensor storages of a PyTorch zip (`<name>/data/<key>`): raw numbers that the pickle in
 * `<name>/data.pkl` points at. All strings of a torch checkpoint live in the pickle, so the
 * storages (nearly all of the bytes) are not string-scanned.
 */
export const TORCH_STORAGE_MEMBER = /^[^/]+\/data\/\d+$/;

export async function scanZip(src: Source, sink: Sink, depth: number, torch = false): Promise<void> {
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
export const STREAM_SNIFF_BYTES = 4096;

/**
 * A deflated member too large to hold in memory: inflated chunk by chunk (each chunk counted
 * against the inflate budget) into the printable-string scan. Formats that need random access
 * (archives, pickles, safetensors, numpy) cannot be read that way and block.
 */
export async function scanDeflatedStream(zip: ZipArchive, entry: ZipEntry, sink: Sink, name: string): Promise<void> {
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

export async function scanTar(src: Source, sink: Sink, depth: number): Promise<void> {
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
