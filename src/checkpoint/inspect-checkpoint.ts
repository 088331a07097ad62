import { readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { inputError } from "../errors.js";
import { detectCheckpointLayout } from "./detect-checkpoint-layout.js";
import { readSafetensorsHeader } from "./parse-safetensors-header.js";
import { assertIndexMatchesShards, parseSafetensorsIndex } from "./parse-safetensors-index.js";
import { readSniffedFormat } from "./sniff-format.js";
import { walkCheckpointFiles } from "./walk-checkpoint-files.js";
import type { DtypeStats, Inventory, InventoryFile, SafetensorsSummary } from "./types.js";

export { MAX_CHECKPOINT_FILES } from "./walk-checkpoint-files.js";
/** Bound on metadata JSON we parse whole (config.json, the shard index). */
const MAX_METADATA_JSON_BYTES = 64 * 1024 * 1024;
/** Files probed at once: enough to hide disk latency, few enough not to exhaust descriptors. */
const PROBE_CONCURRENCY = 16;

/**
 * The one error for a checkpoint folder that is missing or is a file, whichever command read it
 * (`inspect`, `scan`, `build`): an input error (exit 7, the checkpoint cannot be read), the folder
 * named, a hint that fits every command. `build` says which setting named the folder on top.
 */
export function checkpointNotFound(dir: string, cause?: unknown) {
  return inputError("CHECKPOINT_NOT_FOUND", `checkpoint folder ${dir} does not exist or is not a folder`, {
    hint: "give the folder that holds config.json and the weights (`inspect <dir>`, `scan <dir>`; for build: the config's `checkpoint` or `--checkpoint`)",
    location: { file: dir },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Describes a checkpoint folder without loading a tensor: every file with its sniffed format,
 * the layout, safetensors headers (validated like the reference implementation), the shard
 * index cross-checked against the shards, parameter counts per dtype and the architecture
 * from config.json.
 *
 * Symlinks are followed only while they stay inside the checkpoint.
 *
 * @throws ReleaseError (input) for a missing folder, an escaping symlink, a malformed
 *   safetensors file or index, each with the file and byte offset.
 */
export async function inspectCheckpoint(params: { dir: string; signal?: AbortSignal }): Promise<Inventory> {
  const { signal } = params;
  const root = path.resolve(params.dir);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    if (!(await stat(realRoot)).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (cause) {
    throw checkpointNotFound(params.dir, cause);
  }
  const entries = await walkCheckpointFiles({ root, realRoot, signal });

  const files: InventoryFile[] = new Array(entries.length);
  await forEachConcurrent(entries, PROBE_CONCURRENCY, async (e, i) => {
    signal?.throwIfAborted();
    const format = await readSniffedFormat(e.absPath);
    const file: InventoryFile = { path: e.path, absPath: e.absPath, size: e.size, format };
    if (format === "safetensors") {
      file.safetensors = await readSafetensorsHeader({ absPath: e.absPath, file: e.path });
    } else if (e.path.endsWith(".safetensors")) {
      if (format === "pickle" || format === "torch-zip" || format === "zip") {
        throw inputError("CHECKPOINT_DISGUISED_FILE", `${e.path} is named .safetensors but its content is ${format}`, {
          hint: "a pickle renamed to .safetensors is still a pickle: convert it with safetensors.torch.save_file, or remove it",
          location: { file: e.path, offset: 0 },
          details: { format },
        });
      }
      // Not recognisable as safetensors (truncated, lying header length): let the reader say exactly why.
      await readSafetensorsHeader({ absPath: e.absPath, file: e.path });
      throw inputError("CHECKPOINT_DISGUISED_FILE", `${e.path} is named .safetensors but its content is ${format}`, {
        hint: "re-export the file with safetensors, or remove it",
        location: { file: e.path, offset: 0 },
      });
    }
    files[i] = file;
  });

  const layout = detectCheckpointLayout({ rootName: path.basename(root), files });
  const byPath = new Map(files.map((f) => [f.path, f]));

  // Shard index: cross-check the first model index (there is at most one per folder in HF layouts).
  let shards: string[] = files.filter((f) => f.safetensors).map((f) => f.path);
  let index: Inventory["index"];
  const indexFile =
    files.find((f) => /(^|\/)model\.safetensors\.index\.json$/.test(f.path)) ??
    files.find((f) => f.path.endsWith(".safetensors.index.json"));
  if (indexFile) {
    if (indexFile.size > MAX_METADATA_JSON_BYTES) {
      throw inputError(
        "INDEX_INVALID",
        `${indexFile.path} is ${indexFile.size} bytes, larger than any real shard index`,
        { location: { file: indexFile.path } },
      );
    }
    const text = await readUtf8(indexFile);
    const parsed = parseSafetensorsIndex({ text, file: indexFile.path });
    const dir = path.posix.dirname(indexFile.path);
    const rel = (name: string) => (dir === "." ? name : `${dir}/${name}`);
    const beside = new Map<string, SafetensorsSummary>();
    for (const name of new Set(parsed.weightMap.values())) {
      const s = byPath.get(rel(name))?.safetensors;
      if (s) beside.set(name, s);
    }
    const named = assertIndexMatchesShards({ index: parsed, indexText: text, file: indexFile.path, shards: beside });
    shards = [...named.map(rel), ...shards.filter((s) => !named.map(rel).includes(s))];
    index = {
      path: indexFile.path,
      tensors: parsed.weightMap.size,
      totalSize: parsed.totalSize,
    };
  }

  const dtypes: Record<string, DtypeStats> = {};
  let tensors = 0;
  let parameters = 0;
  for (const f of files) {
    for (const t of f.safetensors?.tensors ?? []) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      dtypes[t.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 };
      const d = dtypes[t.dtype]!;
      d.tensors++;
      d.parameters += n;
      d.bytes += t.dataOffsets[1] - t.dataOffsets[0];
      tensors++;
      parameters += n;
    }
  }

  const inventory: Inventory = {
    root,
    layout,
    files,
    tensors,
    parameters,
    dtypes: Object.fromEntries(Object.entries(dtypes).sort(([a], [b]) => (a < b ? -1 : 1))),
    shards,
    totalBytes: files.reduce((a, f) => a + f.size, 0),
  };
  if (index) inventory.index = index;
  const config =
    files.find((f) => f.path.endsWith("config.json") && !f.path.includes("/") && f.path === "config.json") ??
    files.find((f) => /(^|\/)(config|adapter_config)\.json$/.test(f.path));
  if (config && config.format === "json" && config.size <= MAX_METADATA_JSON_BYTES) {
    const doc = JSON.parse(await readUtf8(config)) as Record<string, unknown>;
    const arch =
      Array.isArray(doc.architectures) && typeof doc.architectures[0] === "string" ? doc.architectures[0] : undefined;
    if (arch) inventory.architecture = arch;
    if (typeof doc.model_type === "string") inventory.modelType = doc.model_type;
  }
  return inventory;
}

async function readUtf8(f: InventoryFile): Promise<string> {
  const bytes = await readFile(f.absPath);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw inputError("CHECKPOINT_BAD_UTF8", `${f.path} is not valid UTF-8`, {
      location: { file: f.path },
      hint: "re-save the file as UTF-8 JSON",
    });
  }
}

async function forEachConcurrent<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
