import { createHash } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
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

/** The reference implementation refuses headers above this (safetensors `MAX_HEADER_SIZE`). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
/** Chunk size for reading legacy storages straight from the file. */
const CHUNK_BYTES = 1024 * 1024;

export interface PlannedTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range in the safetensors data section. */
  dataOffsets: [number, number];
  /** Storage the bytes come from and the byte range within it. */
  storageKey: string;
  storageBytes: [number, number];
}

export interface TorchConversionPlan {
  /** Checkpoint-relative path of the source. */
  file: string;
  format: "torch-zip" | "torch-legacy" | "pickle";
  /** Tensors in file order (reference writer order: wider dtypes first, then by name). */
  tensors: PlannedTensor[];
  /** The padded JSON header, exactly as it will be written after the 8-byte length. */
  header: string;
  /** Total size of the safetensors file. */
  size: number;
  /** Blocking findings mean nothing may be written. */
  findings: Finding[];
}

export interface TorchConversionResult {
  /** True when `dest` was written. */
  written: boolean;
  plan: TorchConversionPlan;
  /** sha256 (hex) of each tensor's bytes as written, by name; empty when nothing was written. */
  sha256: Record<string, string>;
}

/** Where a storage's bytes live: a zip entry, or a byte offset in a legacy file. */
type StorageSource = { zip: ZipEntry } | { fileOffset: number; bytes: number };

interface ReadPlan {
  plan: TorchConversionPlan;
  sources: Map<string, StorageSource>;
}

/**
 * Reads a torch checkpoint and plans its conversion to safetensors without executing anything:
 * the pickle is scanned (dangerous and unknown imports become findings) and then interpreted
 * symbolically as a plain state dict. Non-contiguous tensors, nested containers, non-tensor
 * values, unsupported dtypes and corrupt files become blocking findings; tensors sharing a
 * storage (tied weights) get a warning because each is written with its own copy of the bytes
 * (safetensors forbids overlapping tensors).
 */
export async function readTorchConversionPlan(
  source: string,
  params: { file?: string; stateDictKey?: string } = {},
): Promise<TorchConversionPlan> {
  const { plan, close } = await readPlanWithSources(source, params.file ?? basename(source), params.stateDictKey);
  await close();
  return plan;
}

/**
 * Converts a plain PyTorch state dict (`pytorch_model*.bin`, `*.pt`: zip or legacy format) to a
 * safetensors file at `dest`, streaming each tensor's bytes from the checkpoint (never the whole
 * file in memory). Nothing is written when the plan has a blocking finding; the result says why.
 * Output is deterministic: same input, same bytes. Written to `dest.partial` and renamed, so a
 * failed run leaves no half-written file.
 */
export async function convertTorchToSafetensors(params: {
  source: string;
  dest: string;
  /** Checkpoint-relative name for findings; default the base name. */
  file?: string;
  /**
   * Convert the dict under this top-level key instead of the top level: `module` for DeepSpeed
   * `*_model_states.pt`, `state_dict` for Lightning `.ckpt`, `model` for many training loops.
   * The rest of the file must still be made of plain data (checked, then ignored).
   */
  stateDictKey?: string;
  signal?: AbortSignal;
}): Promise<TorchConversionResult> {
  const file = params.file ?? basename(params.source);
  const { plan, sources, close, zip, legacy } = await readPlanWithSources(params.source, file, params.stateDictKey);
  try {
    if (plan.findings.some((f) => f.severity === "block")) return { written: false, plan, sha256: {} };
    const partial = `${params.dest}.partial`;
    const out = await open(partial, "w");
    const sha256: Record<string, string> = {};
    try {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(Buffer.byteLength(plan.header)));
      await writeAll(out, len);
      await writeAll(out, Buffer.from(plan.header, "utf8"));
      for (const t of plan.tensors) {
        params.signal?.throwIfAborted();
        const src = sources.get(t.storageKey)!;
        const hash = createHash("sha256");
        let n = 0;
        for await (const chunk of streamStorage(src, t.storageBytes, zip, legacy, file)) {
          hash.update(chunk);
          n += chunk.length;
          await writeAll(out, chunk);
        }
        if (n !== t.dataOffsets[1] - t.dataOffsets[0]) {
          throw inputError(
            "TORCH_STORAGE_SHORT",
            `${file}: storage ${t.storageKey} gave ${n} bytes for ${t.name}, expected ${t.dataOffsets[1] - t.dataOffsets[0]}`,
            { location: { file } },
          );
        }
        sha256[t.name] = hash.digest("hex");
      }
      await out.sync();
    } catch (err) {
      await out.close();
      await rm(partial, { force: true });
      throw err;
    }
    await out.close();
    await rename(partial, params.dest);
    return { written: true, plan, sha256 };
  } finally {
    await close();
  }
}

async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let off = 0;
  while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
}

async function* streamStorage(
  src: StorageSource,
  [a, b]: [number, number],
  zip: ZipArchive | undefined,
  legacy: FileHandle | undefined,
  file: string,
): AsyncGenerator<Uint8Array> {
  if ("zip" in src) {
    yield* zip!.streamEntry(src.zip, a, b);
    return;
  }
  for (let p = a; p < b; p += CHUNK_BYTES) {
    const n = Math.min(CHUNK_BYTES, b - p);
    const buf = Buffer.alloc(n);
    const { bytesRead } = await legacy!.read(buf, 0, n, src.fileOffset + p);
    if (bytesRead !== n)
      throw inputError(
        "TORCH_STORAGE_SHORT",
        `${file}: legacy storage data is truncated at byte ${src.fileOffset + p}`,
        { location: { file, offset: src.fileOffset + p } },
      );
    yield buf;
  }
}

interface OpenPlan extends ReadPlan {
  zip?: ZipArchive;
  legacy?: FileHandle;
  close: () => Promise<void>;
}

async function readPlanWithSources(source: string, file: string, key: string | undefined): Promise<OpenPlan> {
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

  function fail(err: unknown, plan: TorchConversionPlan): OpenPlan {
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
    return { plan: planOf(file, "torch-zip", new Map(), findings), sources: new Map() };

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
  return { plan: planOf(file, "torch-zip", tensors, findings), sources };
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
    return { plan: planOf(file, "torch-legacy", new Map(), findings), sources: new Map() };

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
  return { plan: planOf(file, "torch-legacy", tensors, findings), sources };
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

function unsupported(file: string, name: string, what: string, offset: number): ReleaseError {
  return blockedError("PICKLE_UNSUPPORTED_TENSOR", `${file}: tensor "${name}" ${what}`, {
    hint: "Only contiguous tensors are converted, to keep the bytes exactly as saved. Call .contiguous() on it (or clone tied views) before saving, in a trusted environment.",
    location: { file, offset },
  });
}

function planOf(
  file: string,
  format: TorchConversionPlan["format"],
  tensors: Map<string, TensorRef>,
  findings: Finding[],
): TorchConversionPlan {
  const planned: Omit<PlannedTensor, "dataOffsets">[] = [];
  const byStorage = new Map<string, string[]>();
  for (const [name, t] of tensors) {
    const { dtype, itemsize } = TORCH_STORAGE_DTYPES[t.storage.storageType]!;
    let numel = 1;
    for (const d of t.shape) numel *= d;
    // C-contiguous: each stride equals the product of the sizes after it (size-1 dims are free).
    let expected = 1;
    for (let i = t.shape.length - 1; i >= 0; i--) {
      if (numel !== 0 && t.shape[i] !== 1 && t.stride[i] !== expected) {
        throw unsupported(
          file,
          name,
          `is not contiguous (size [${t.shape.join(", ")}], stride [${t.stride.join(", ")}])`,
          t.offset,
        );
      }
      expected *= t.shape[i]!;
    }
    if (!Number.isSafeInteger(numel * itemsize)) throw unsupported(file, name, "is too large", t.offset);
    const start = t.storageOffset * itemsize;
    const end = start + numel * itemsize;
    if (numel > 0 && t.storageOffset + numel > t.storage.numel) {
      throw unsupported(
        file,
        name,
        `reads elements ${t.storageOffset}..${t.storageOffset + numel} of a storage of ${t.storage.numel}`,
        t.offset,
      );
    }
    planned.push({
      name,
      dtype,
      shape: t.shape,
      storageKey: t.storage.key,
      storageBytes: [numel === 0 ? 0 : start, numel === 0 ? 0 : end],
    });
    byStorage.set(t.storage.key, [...(byStorage.get(t.storage.key) ?? []), name]);
  }
  for (const names of byStorage.values()) {
    if (names.length < 2) continue;
    names.sort();
    findings.push({
      rule: "pickle-shared-storage",
      severity: "warn",
      file,
      message: `Tensors ${names.map((n) => `"${n}"`).join(", ")} share one storage (tied weights or views); each is written with its own copy of the bytes, since safetensors forbids overlapping tensors.`,
    });
  }
  // The reference writer's order: wider dtypes first (alignment), then by name.
  const width = (d: string) => Object.values(TORCH_STORAGE_DTYPES).find((x) => x.dtype === d)!.itemsize;
  planned.sort((a, b) => width(b.dtype) - width(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  const out: PlannedTensor[] = [];
  for (const p of planned) {
    const len = p.storageBytes[1] - p.storageBytes[0];
    const t: PlannedTensor = { ...p, dataOffsets: [offset, offset + len] };
    header[p.name] = { dtype: t.dtype, shape: t.shape, data_offsets: t.dataOffsets };
    out.push(t);
    offset += len;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.byteLength(json);
  if (headerBytes > MAX_SAFETENSORS_HEADER_BYTES) {
    findings.push({
      rule: "pickle-not-state-dict",
      severity: "block",
      file,
      message: `The safetensors header would be ${headerBytes} bytes, over the reference limit of ${MAX_SAFETENSORS_HEADER_BYTES}.`,
    });
  }
  return { file, format, tensors: out, header: json, size: 8 + headerBytes + offset, findings };
}
