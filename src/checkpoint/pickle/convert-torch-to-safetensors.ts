import { createHash } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { inputError } from "../../errors.js";
import type { ZipArchive } from "../zip/open-zip.js";
import { openTorchCheckpoint, type StorageSource } from "./open-torch-checkpoint.js";
import type { TorchConversionPlan } from "./plan-safetensors-layout.js";

/** Chunk size for reading legacy storages straight from the file. */
const CHUNK_BYTES = 1024 * 1024;

export interface TorchConversionResult {
  /** True when `dest` was written. */
  written: boolean;
  plan: TorchConversionPlan;
  /** sha256 (hex) of each tensor's bytes as written, by name; empty when nothing was written. */
  sha256: Record<string, string>;
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
  const { plan, sources, close, zip, legacy } = await openTorchCheckpoint(params.source, file, params.stateDictKey);
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
