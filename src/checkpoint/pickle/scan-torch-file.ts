import { open } from "node:fs/promises";
import { basename } from "node:path";
import type { Finding } from "../../findings.js";
import { inputError, isReleaseError } from "../../errors.js";
import { openZip, isZipMagic, MAX_IN_MEMORY_ENTRY_BYTES } from "../zip/open-zip.js";
import { scanPickle, invalidPickleFinding, type PickleGlobal } from "./scan-pickle.js";

/** Raw pickles larger than this are not state dicts or training arguments; refuse to buffer them. */
export const MAX_RAW_PICKLE_BYTES = 256 * 1024 * 1024;
/** `torch.serialization.MAGIC_NUMBER`, the first pickle of a legacy (pre-1.6) torch.save file. */
export const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** A legacy torch file holds exactly five pickles (magic, protocol, sys_info, object, storage keys), then raw storages. */
export const TORCH_LEGACY_PICKLES = 5;

export type TorchFileFormat = "torch-zip" | "torch-legacy" | "pickle";

export interface TorchFilePickle {
  /** Archive member name for torch zips, undefined for raw files. */
  member?: string;
  bytes: Uint8Array;
  /** Pickles to read from `bytes` (5 for legacy torch files, whose storages follow). */
  maxPickles?: number;
}

export interface TorchFileScan {
  format: TorchFileFormat;
  /** Pickles scanned: members of a zip, or the file itself. */
  pickles: { member?: string; globals: PickleGlobal[] }[];
  findings: Finding[];
}

/** True when bytes start with PROTO 2..5 (`\x80\x02`..`\x80\x05`), how picklescan spots pickles in zips. */
export function hasPickleMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5;
}

/** True when `bytes` start with the legacy torch magic-number pickle (PROTO n, LONG1 10 bytes). */
export function isTorchLegacy(bytes: Uint8Array): boolean {
  if (bytes.length < 14 || bytes[0] !== 0x80 || bytes[2] !== 0x8a || bytes[3] !== 10) return false;
  let v = 0n;
  for (let i = 13; i >= 4; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v === TORCH_LEGACY_MAGIC;
}

/**
 * Reads the pickles of a torch file: every `*.pkl` member of a zip checkpoint plus any other
 * member that starts with a pickle PROTO (except `data/<n>` storages, which torch never
 * unpickles), or the whole raw file (legacy torch.save, `training_args.bin`, `*.pkl`). Yields
 * one pickle at a time, so only one member is in memory; the first item tells the format.
 */
export async function* readTorchFilePickles(
  absPath: string,
  file: string,
): AsyncGenerator<TorchFilePickle & { format: TorchFileFormat }> {
  const fh = await open(absPath, "r");
  let head: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(Math.min(size, 64));
    await fh.read(head, 0, head.length, 0);
    if (!isZipMagic(head)) {
      if (!isTorchLegacy(head) && size > MAX_RAW_PICKLE_BYTES) {
        throw inputError(
          "PICKLE_TOO_LARGE",
          `${file}: a raw pickle of ${size} bytes is larger than the ${MAX_RAW_PICKLE_BYTES} this tool reads`,
          {
            hint: "Real state dicts use the torch zip format; convert the file with torch first, in a sandbox.",
            location: { file },
          },
        );
      }
      // Legacy files: the five pickles come first, the storages after; read only the front.
      head = Buffer.alloc(Math.min(size, MAX_RAW_PICKLE_BYTES));
      await fh.read(head, 0, head.length, 0);
    }
  } finally {
    await fh.close();
  }
  if (isZipMagic(head)) {
    const zip = await openZip(absPath, { displayName: file });
    try {
      for (const e of zip.entries) {
        if (e.name.endsWith("/")) continue;
        let candidate = /\.pkl$/i.test(e.name);
        if (!candidate && !/(^|\/)data\/\d+$/.test(e.name) && e.uncompressedSize >= 2) {
          for await (const chunk of zip.streamEntry(e, 0, 2)) candidate = hasPickleMagic(chunk);
        }
        if (candidate)
          yield { format: "torch-zip", member: e.name, bytes: await zip.readEntry(e, MAX_IN_MEMORY_ENTRY_BYTES) };
      }
    } finally {
      await zip.close();
    }
    return;
  }
  if (isTorchLegacy(head)) yield { format: "torch-legacy", bytes: head, maxPickles: TORCH_LEGACY_PICKLES };
  else yield { format: "pickle", bytes: head };
}

/**
 * Scans a PyTorch or pickle file without loading it: torch zip checkpoints (every pickle member),
 * legacy torch.save files (the five leading pickles) and raw pickles. Returns every import with
 * its verdict and blocking findings for dangerous or unknown imports. A corrupt file, a zip bomb
 * or a truncated pickle becomes a blocking `pickle-invalid` finding rather than an exception, so
 * one bad file does not hide the findings of the others. `file` is the checkpoint-relative path.
 */
export async function scanTorchFile(absPath: string, params: { file?: string } = {}): Promise<TorchFileScan> {
  const file = params.file ?? basename(absPath);
  const out: TorchFileScan = { format: "pickle", pickles: [], findings: [] };
  let sawDataPkl = false;
  try {
    for await (const p of readTorchFilePickles(absPath, file)) {
      out.format = p.format;
      const scan = scanPickle({
        file,
        bytes: p.bytes,
        member: p.member,
        maxPickles: p.maxPickles,
      });
      out.pickles.push({ ...(p.member ? { member: p.member } : {}), globals: scan.globals });
      out.findings.push(...scan.findings);
      if (p.member?.endsWith("/data.pkl") || p.member === "data.pkl") sawDataPkl = true;
      if (scan.pickles === 0 && scan.findings.length === 0) {
        out.findings.push({
          rule: "pickle-invalid",
          severity: "block",
          file,
          message: `${p.member ? `${p.member}: ` : ""}empty file: no pickle to scan.`,
        });
      }
      if (
        p.format === "torch-legacy" &&
        scan.pickles < TORCH_LEGACY_PICKLES &&
        scan.findings.every((f) => f.rule !== "pickle-invalid")
      ) {
        out.findings.push({
          rule: "pickle-invalid",
          severity: "block",
          file,
          message: `Legacy torch file holds ${scan.pickles} pickles where torch.save writes ${TORCH_LEGACY_PICKLES}.`,
        });
      }
    }
  } catch (err) {
    if (!isReleaseError(err) || err.category !== "input") throw err;
    out.findings.push(invalidPickleFinding(file, undefined, err));
    return out;
  }
  if (out.format === "torch-zip" && !sawDataPkl) {
    out.findings.push({
      rule: "pickle-invalid",
      severity: "block",
      file,
      message: "Zip archive has no data.pkl member; it is not a PyTorch checkpoint.",
    });
  }
  return out;
}
