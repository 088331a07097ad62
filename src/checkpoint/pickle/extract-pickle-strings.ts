import { basename } from "node:path";
import type { Finding } from "../../findings.js";
import { isReleaseError } from "../../errors.js";
import { readPickleOps } from "./read-pickle-ops.js";
import { invalidPickleFinding } from "./scan-pickle.js";
import { readTorchFilePickles } from "./scan-torch-file.js";

export interface PickleString {
  value: string;
  /** Byte offset of the opcode within the pickle bytes (within `member` for zip checkpoints). */
  offset: number;
  /** The opcode that held it, e.g. `BINUNICODE`, `SHORT_BINBYTES`. */
  op: string;
  /** Archive member, for torch zip checkpoints. */
  member?: string;
}

const TEXT_OPS = new Set(["SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "PERSID"]);
const BYTES_OPS = new Set(["BINSTRING", "SHORT_BINSTRING", "SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "BYTEARRAY8"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Every string constant in a pickle with its byte offset, so secret detectors can scan what a
 * `training_args.bin` or optimizer state holds (paths, hub tokens, run names). Text opcodes are
 * returned as is; byte-string opcodes only when they decode as UTF-8 (tensor payloads do not).
 * GLOBAL names are not strings here; `scanPickle` reports them. Reads consecutive pickles up to
 * `maxPickles`; a parse error stops extraction and yields a blocking `pickle-invalid` finding
 * alongside the strings found before it.
 */
export function extractPickleStrings(params: {
  file: string;
  bytes: Uint8Array;
  member?: string;
  maxPickles?: number;
}): { strings: PickleString[]; findings: Finding[] } {
  const { file, bytes, member } = params;
  const strings: PickleString[] = [];
  const findings: Finding[] = [];
  let pos = 0;
  let count = 0;
  try {
    while (pos < bytes.length && (params.maxPickles === undefined || count < params.maxPickles)) {
      for (const op of readPickleOps(bytes, { file: member ? `${file}:${member}` : file, start: pos })) {
        let value: string | undefined;
        if (TEXT_OPS.has(op.name) && typeof op.arg === "string") value = op.arg;
        else if (BYTES_OPS.has(op.name) && op.arg instanceof Uint8Array) {
          try {
            value = utf8.decode(op.arg);
          } catch {
            value = undefined;
          }
        }
        if (value !== undefined && value.length > 0)
          strings.push({ value, offset: op.offset, op: op.name, ...(member ? { member } : {}) });
        if (op.name === "STOP") pos = op.offset + 1;
      }
      count++;
    }
  } catch (err) {
    if (!isReleaseError(err) || err.category !== "input") throw err;
    findings.push(invalidPickleFinding(file, member, err));
  }
  return { strings, findings };
}

/**
 * `extractPickleStrings` over a file on disk: every pickle member of a torch zip checkpoint,
 * the leading pickles of a legacy torch file, or a raw pickle. Unreadable files give a
 * `pickle-invalid` finding instead of throwing.
 */
export async function readTorchFileStrings(
  absPath: string,
  params: { file?: string } = {},
): Promise<{ strings: PickleString[]; findings: Finding[] }> {
  const file = params.file ?? basename(absPath);
  try {
    const out = { strings: [] as PickleString[], findings: [] as Finding[] };
    for await (const p of readTorchFilePickles(absPath, file)) {
      const r = extractPickleStrings({
        file,
        bytes: p.bytes,
        member: p.member,
        maxPickles: p.maxPickles,
      });
      out.strings.push(...r.strings);
      out.findings.push(...r.findings);
    }
    return out;
  } catch (err) {
    if (!isReleaseError(err) || err.category !== "input") throw err;
    return { strings: [], findings: [invalidPickleFinding(file, undefined, err)] };
  }
}
