import type { Finding } from "../../findings.js";
import { blockedError, type ReleaseError } from "../../errors.js";
import { TORCH_STORAGE_DTYPES, type TensorRef } from "./interpret-state-dict-pickle.js";

/** The reference implementation refuses headers above this (safetensors `MAX_HEADER_SIZE`). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

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

/**
 * Lays out a validated state dict as a safetensors file: checks each tensor is contiguous and
 * inside its storage, orders tensors as the reference writer does and renders the padded header.
 * Pure; problems that do not stop the layout (tied storages, an oversized header) are added to
 * `findings`.
 */
export function planSafetensorsLayout(
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

function unsupported(file: string, name: string, what: string, offset: number): ReleaseError {
  return blockedError("PICKLE_UNSUPPORTED_TENSOR", `${file}: tensor "${name}" ${what}`, {
    hint: "Only contiguous tensors are converted, to keep the bytes exactly as saved. Call .contiguous() on it (or clone tied views) before saving, in a trusted environment.",
    location: { file, offset },
  });
}
