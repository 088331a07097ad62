import { open, type FileHandle } from "node:fs/promises";
import type { Finding } from "../../findings.js";
import { blockedError, inputError, isReleaseError, type ReleaseError } from "../../errors.js";
import { openZip, isZipMagic, MAX_IN_MEMORY_ENTRY_BYTES, type ZipArchive, type ZipEntry } from "../zip/open-zip.js";
import { scanPickle, invalidPickleFinding, stripFilePrefix } from "./scan-pickle.js";
import { isTorchLegacy, MAX_RAW_PICKLE_BYTES, TORCH_LEGACY_PICKLES } from "./scan-torch-file.js";
import {
  interpretStateDictPickle,
  dictEntries,
  describePickleValue,
  isTensorRef,
  TORCH_STORAGE_DTYPES,
  type TensorRef,
} from "./interpret-state-dict-pickle.js";
import { planSafetensorsLayout, type TorchConversionPlan } from "./plan-safetensors-layout.js";

/** Where a storage's bytes live: a zip entry, or a byte offset in a legacy file. */
export type StorageSource = { zip: ZipEntry } | { fileOffset: number; bytes: number };

interface ReadPlan {
  plan: TorchConversionPlan;
  sources: Map<string, StorageSource>;
}

/** A conversion plan with the storages' locations and the open handles they are read through. */
export interface OpenTorchCheckpoint extends ReadPlan {
  zip?: ZipArchive;
  legacy?: FileHandle;
  close: () => Promise<void>;
}

/**
 * Opens a torch checkpoint (zip or legacy format) and plans its conversion: the pickle is scanned,
 * then interpreted symbolically as a plain state dict, and every storage is located. Corrupt or
 * unconvertible files become blocking findings in the plan (nothing thrown for them); the caller
 * must `close()` the result.
 */
export async function openTorchCheckpoint(
  source: string,
  file: string,
  key: string | undefined,
): Promise<OpenTorchCheckpoint> {
  const findings: Finding[] = [];
  const empty = (format: TorchConversionPlan["format"]): TorchConversionPlan => ({
    file,
    format,
    tensors: [],
    header: "",
    size: 0,
    findings,
  });
  const head = Buffer.alloc(64);
  const fh = await open(source, "r");
  let keepOpen = false;
  try {
    const { size } = await fh.stat();
    await fh.read(head, 0, 64, 0);
    if (isZipMagic(head)) {
      await fh.close();
      keepOpen = true;
      let zip: ZipArchive;
      try {
        zip = await openZip(source, { displayName: file });
      } catch (err) {
        return fail(err, empty("torch-zip"));
      }
      try {
        const r = await planZip(zip, file, key, findings);
        return { ...r, zip, close: () => zip.close() };
      } catch (err) {
        await zip.close();
        return fail(err, empty("torch-zip"));
      }
    }
    if (!isTorchLegacy(head)) {
      // Still list its imports, so a payload is reported as such and not only as "not convertible".
      if (size <= MAX_RAW_PICKLE_BYTES) {
        const bytes = Buffer.alloc(size);
        await fh.read(bytes, 0, size, 0);
        findings.push(...scanPickle({ file, bytes }).findings);
      }
      findings.push({
        rule: "pickle-not-state-dict",
        severity: "block",
        file,
        message:
          "A raw pickle, not a torch.save checkpoint: it cannot hold tensor storages, so there is nothing to convert.",
      });
      return { plan: empty("pickle"), sources: new Map(), close: async () => {} };
    }
    keepOpen = true;
    try {
      const r = await planLegacy(fh, size, file, key, findings);
      return { ...r, legacy: fh, close: () => fh.close() };
    } catch (err) {
      await fh.close();
      return fail(err, empty("torch-legacy"));
    }
  } finally {
    if (!keepOpen) await fh.close();
  }

  function fail(err: unknown, plan: TorchConversionPlan): OpenTorchCheckpoint {
    if (!isReleaseError(err) || (err.category !== "input" && err.category !== "blocked")) throw err;
    findings.push(errorFinding(file, err));
    return { plan, sources: new Map(), close: async () => {} };
  }
}

function errorFinding(file: string, err: ReleaseError): Finding {
  if (err.category === "input") return invalidPickleFinding(file, undefined, err);
  return {
    rule: err.code === "PICKLE_UNSUPPORTED_TENSOR" ? "pickle-unsupported-tensor" : "pickle-not-state-dict",
    severity: "block",
    file,
    ...(err.location?.offset !== undefined ? { offset: err.location.offset } : {}),
    excerpt: err.code,
    message: `${stripFilePrefix(err.message, file)}. ${err.hint ?? ""}`.trim(),
  };
}

async function planZip(zip: ZipArchive, file: string, key: string | undefined, findings: Finding[]): Promise<ReadPlan> {
  const pkl = zip.entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name) || e.name === "data.pkl");
  if (pkl.length !== 1) {
    throw inputError("TORCH_ZIP_LAYOUT", `${file}: expected one <name>/data.pkl in the zip, found ${pkl.length}`, {
      hint: "Not a torch.save checkpoint.",
      location: { file },
    });
  }
  const member = pkl[0]!.name;
  const prefix = member.slice(0, -"data.pkl".length);
  const order = zip.get(`${prefix}byteorder`);
  if (order) {
    const text = new TextDecoder().decode(await zip.readEntry(order, 16));
    if (text !== "little")
      throw inputError("TORCH_BIG_ENDIAN", `${file}: storages are ${text}-endian; safetensors is little-endian`, {
        hint: "Re-save the checkpoint on a little-endian machine.",
        location: { file },
      });
  }
  const bytes = await zip.readEntry(pkl[0]!, MAX_IN_MEMORY_ENTRY_BYTES);
  const scan = scanPickle({ file, bytes, member, maxPickles: 1 });
  findings.push(...scan.findings);
  if (scan.findings.some((f) => f.severity === "block"))
    return { plan: planSafetensorsLayout(file, "torch-zip", new Map(), findings), sources: new Map() };

  const { value } = interpretStateDictPickle({ file, member, bytes });
  const tensors = stateDictTensors(value, file, key);
  const sources = new Map<string, StorageSource>();
  for (const [, t] of tensors) {
    const key = t.storage.key;
    if (sources.has(key)) continue;
    const entry = zip.get(`${prefix}data/${key}`);
    const want = t.storage.numel * TORCH_STORAGE_DTYPES[t.storage.storageType]!.itemsize;
    if (!entry)
      throw inputError(
        "TORCH_STORAGE_MISSING",
        `${file}: storage ${key} is referenced by data.pkl but absent from the zip`,
        { hint: "The checkpoint is incomplete.", location: { file } },
      );
    if (entry.uncompressedSize !== want)
      throw inputError(
        "TORCH_STORAGE_SIZE",
        `${file}: storage ${key} has ${entry.uncompressedSize} bytes, data.pkl says ${want}`,
        { hint: "The checkpoint is corrupt.", location: { file } },
      );
    await zip.locate(entry);
    sources.set(key, { zip: entry });
  }
  return { plan: planSafetensorsLayout(file, "torch-zip", tensors, findings), sources };
}

async function planLegacy(
  fh: FileHandle,
  size: number,
  file: string,
  key: string | undefined,
  findings: Finding[],
): Promise<ReadPlan> {
  const head = Buffer.alloc(Math.min(size, MAX_RAW_PICKLE_BYTES));
  await fh.read(head, 0, head.length, 0);
  const scan = scanPickle({ file, bytes: head, maxPickles: TORCH_LEGACY_PICKLES });
  findings.push(...scan.findings);
  if (scan.findings.some((f) => f.severity === "block"))
    return { plan: planSafetensorsLayout(file, "torch-legacy", new Map(), findings), sources: new Map() };

  let pos = 0;
  const next = () => {
    const r = interpretStateDictPickle({ file, bytes: head, start: pos });
    pos = r.end;
    return r.value;
  };
  next(); // magic number
  next(); // protocol version
  const sysInfo = dictEntries(next());
  if (sysInfo?.get("little_endian") !== true) {
    throw inputError("TORCH_BIG_ENDIAN", `${file}: legacy checkpoint was not saved little-endian`, {
      hint: "Re-save the checkpoint on a little-endian machine.",
      location: { file },
    });
  }
  const tensors = stateDictTensors(next(), file, key);
  const keys = next();
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) {
    throw inputError("TORCH_LEGACY_LAYOUT", `${file}: the storage key list is not a list of strings`, {
      location: { file, offset: pos },
    });
  }
  const byKey = new Map([...tensors.values()].map((t) => [t.storage.key, t.storage]));
  const sources = new Map<string, StorageSource>();
  // After the pickles: for each key, an int64 element count, then the storage's raw bytes.
  let at = pos;
  const u64 = Buffer.alloc(8);
  for (const key of keys as string[]) {
    const { bytesRead } = await fh.read(u64, 0, 8, at);
    if (bytesRead !== 8)
      throw inputError("TORCH_STORAGE_SHORT", `${file}: legacy storage ${key} is truncated`, {
        location: { file, offset: at },
      });
    const numel = u64.readBigInt64LE(0);
    const s = byKey.get(key);
    if (!s)
      throw inputError("TORCH_LEGACY_LAYOUT", `${file}: storage ${key} is listed but never used`, {
        location: { file, offset: at },
      });
    if (numel !== BigInt(s.numel))
      throw inputError(
        "TORCH_STORAGE_SIZE",
        `${file}: legacy storage ${key} holds ${numel} elements, the pickle says ${s.numel}`,
        { location: { file, offset: at } },
      );
    const bytes = s.numel * TORCH_STORAGE_DTYPES[s.storageType]!.itemsize;
    if (at + 8 + bytes > size)
      throw inputError("TORCH_STORAGE_SHORT", `${file}: legacy storage ${key} runs past the end of the file`, {
        location: { file, offset: at },
      });
    sources.set(key, { fileOffset: at + 8, bytes });
    at += 8 + bytes;
  }
  for (const key of byKey.keys()) {
    if (!sources.has(key))
      throw inputError("TORCH_STORAGE_MISSING", `${file}: storage ${key} is used but has no data`, {
        location: { file },
      });
  }
  return { plan: planSafetensorsLayout(file, "torch-legacy", tensors, findings), sources };
}

/** Validates the top-level value as `{name: contiguous tensor}` and returns it. */
function stateDictTensors(top: unknown, file: string, key: string | undefined): Map<string, TensorRef> {
  let value = top;
  if (key !== undefined) {
    const outer = dictEntries(top);
    if (!outer?.has(key)) {
      throw blockedError(
        "PICKLE_NOT_STATE_DICT",
        `${file}: no top-level key ${JSON.stringify(key)} to take the state dict from`,
        {
          hint: `Top-level keys: ${outer ? [...outer.keys()].map((k) => JSON.stringify(k)).join(", ") : "none (not a dict)"}.`,
          location: { file },
        },
      );
    }
    value = outer.get(key);
  }
  const entries = dictEntries(value);
  const notStateDict = (what: string, offset?: number) =>
    blockedError("PICKLE_NOT_STATE_DICT", `${file}: not a plain state dict: ${what}`, {
      hint: "Only a dict of tensors can be converted without running the pickle. Save model.state_dict() and convert that.",
      location: { file, ...(offset !== undefined ? { offset } : {}) },
    });
  if (!entries) throw notStateDict(`the pickle holds ${describePickleValue(value)}, not a dict`);
  const out = new Map<string, TensorRef>();
  for (const [k, v] of entries) {
    if (typeof k !== "string") throw notStateDict(`key ${String(k)} is not a string`);
    if (!isTensorRef(v)) throw notStateDict(`"${k}" holds ${describePickleValue(v)}, not a tensor`);
    // The safetensors header reserves this key for string metadata; a tensor there would be lost.
    if (k === "__metadata__")
      throw notStateDict(`a tensor is named "__metadata__", which safetensors reserves`, v.offset);
    // Control characters in a tensor name would corrupt reports and some loaders' key handling.
    if (/[\u0000-\u001f\u007f]/.test(k))
      throw notStateDict(`tensor name ${JSON.stringify(k)} contains control characters`, v.offset);
    out.set(k, v);
  }
  return out;
}
