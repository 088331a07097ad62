import { extractPickleStrings } from "../checkpoint/pickle/extract-pickle-strings.js";
import { isTorchLegacy, TORCH_LEGACY_PICKLES } from "../checkpoint/pickle/scan-torch-file.js";
import { scanPickle } from "../checkpoint/pickle/scan-pickle.js";
import { parseNumpyHeader } from "../checkpoint/parse-numpy-header.js";
import type { StringRun } from "./extract-printable-runs.js";
import { type Source, type Sink, subSource } from "./scan-source.js";
import { scanStrings, scanStringRuns } from "./scan-text-source.js";

/**
 * A `.npy` array: its printable strings, and for an object dtype, the pickle that follows the
 * header (`np.load(allow_pickle=True)` runs it), which blocks whatever it imports.
 */
export async function scanNumpy(src: Source, head: Uint8Array, sink: Sink): Promise<void> {
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

/**
 * Pickles up to this size are walked opcode by opcode (held in memory while walked: the bound
 * keeps the scan's peak memory flat). Real state dicts are torch zips, whose data.pkl is a few
 * MB even for 100B-parameter models; legacy torch files keep their five pickles at the front.
 */
export const MAX_PICKLE_WALK = 64 * 1024 * 1024;

/** Pickles up to this size also have their string operands listed exactly (see `scanPickleSource`). */
export const MAX_PICKLE_STRING_WALK = 8 * 1024 * 1024;

/**
 * Lists what a pickle stream imports (every consecutive pickle to the end of the source, five for
 * a legacy torch file) and adds the pickle reader's findings: an import that runs code or is off
 * the state-dict allowlist, and a stream that cannot be read to its end (a second pickle after
 * STOP is read too: `pickle.load` on the same file object would run it), all blocking. Returns
 * the bytes walked, or undefined when the stream is too large to walk (which blocks).
 */
export async function scanPickleImports(src: Source, sink: Sink): Promise<Buffer | undefined> {
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
export async function scanPickleSource(src: Source, sink: Sink): Promise<void> {
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
