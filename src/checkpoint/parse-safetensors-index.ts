import { inputError } from "../errors.js";
import { parseStrictJson, StrictJsonSyntaxError } from "./parse-strict-json.js";
import type { SafetensorsSummary } from "./types.js";

export interface SafetensorsIndex {
  /** `metadata.total_size`, when present. */
  totalSize?: number;
  /** Tensor name to shard file name (relative to the index's folder). */
  weightMap: Map<string, string>;
}

const HINT_INDEX =
  "regenerate the index with save_pretrained, or fix weight_map so it names exactly the tensors in each shard";

/**
 * Parses `model.safetensors.index.json` strictly (no duplicate tensor names). Pure.
 *
 * @throws ReleaseError `INDEX_INVALID` (input) with the byte offset.
 */
export function parseSafetensorsIndex(params: { text: string; file: string }): SafetensorsIndex {
  const { text, file } = params;
  const at = (index: number) => Buffer.byteLength(text.slice(0, index), "utf8");
  let doc: unknown;
  try {
    doc = parseStrictJson(text);
  } catch (cause) {
    if (cause instanceof StrictJsonSyntaxError) {
      throw inputError("INDEX_INVALID", `${file}: ${cause.message}`, {
        hint: HINT_INDEX,
        location: { file, offset: at(cause.index) },
      });
    }
    throw cause;
  }
  const obj = doc as Record<string, unknown> | null;
  const weightMap = obj && typeof obj === "object" && !Array.isArray(obj) ? obj.weight_map : undefined;
  if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
    throw inputError("INDEX_INVALID", `${file}: weight_map must be an object of tensor name to shard file`, {
      hint: HINT_INDEX,
      location: { file, field: "weight_map" },
    });
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (
      typeof shard !== "string" ||
      shard.length === 0 ||
      shard.includes("/") ||
      shard.includes("\\") ||
      shard === "." ||
      shard === ".."
    ) {
      throw inputError(
        "INDEX_INVALID",
        `${file}: weight_map[${JSON.stringify(name)}] must name a shard file beside the index`,
        {
          hint: HINT_INDEX,
          location: { file, field: `weight_map.${name}`, offset: at(Math.max(0, text.indexOf(JSON.stringify(name)))) },
        },
      );
    }
    map.set(name, shard);
  }
  const meta = (obj as Record<string, unknown>).metadata as Record<string, unknown> | undefined;
  const total = meta && typeof meta === "object" ? meta.total_size : undefined;
  return { weightMap: map, ...(typeof total === "number" && Number.isSafeInteger(total) ? { totalSize: total } : {}) };
}

/**
 * Cross-checks an index against the headers of the shards it sits beside: every shard it names
 * exists, every tensor it names is in that shard, and no shard holds a tensor the index does
 * not name (a loader would silently ignore it, and the published index would lie). Pure.
 *
 * @param shards shard file name (relative to the index's folder) to its parsed header, for every safetensors file beside the index.
 * @throws ReleaseError `INDEX_SHARD_MISSING`, `INDEX_TENSOR_MISSING`, `INDEX_TENSOR_EXTRA` (input).
 */
export function assertIndexMatchesShards(params: {
  index: SafetensorsIndex;
  indexText: string;
  file: string;
  shards: Map<string, SafetensorsSummary>;
}): string[] {
  const { index, indexText, file, shards } = params;
  const offsetOf = (s: string) =>
    Buffer.byteLength(indexText.slice(0, Math.max(0, indexText.indexOf(JSON.stringify(s)))), "utf8");
  const named = [...new Set(index.weightMap.values())].sort();
  for (const shard of named) {
    if (!shards.has(shard)) {
      throw inputError(
        "INDEX_SHARD_MISSING",
        `${file} names shard ${shard}, which is not in the checkpoint or is not a safetensors file`,
        {
          hint: "copy the missing shard into the checkpoint folder, or regenerate the index",
          location: { file, offset: offsetOf(shard) },
          details: { shard },
        },
      );
    }
  }
  for (const [name, shard] of index.weightMap) {
    const header = shards.get(shard);
    if (header && !header.tensors.some((t) => t.name === name)) {
      throw inputError(
        "INDEX_TENSOR_MISSING",
        `${file} maps tensor ${name} to ${shard}, but ${shard} has no such tensor`,
        {
          hint: HINT_INDEX,
          location: { file, offset: offsetOf(name) },
          details: { tensor: name, shard },
        },
      );
    }
  }
  for (const shard of named) {
    for (const t of shards.get(shard)?.tensors ?? []) {
      const mapped = index.weightMap.get(t.name);
      if (mapped !== shard) {
        throw inputError(
          "INDEX_TENSOR_EXTRA",
          mapped === undefined
            ? `${shard} holds tensor ${t.name}, which ${file} does not name`
            : `${shard} holds tensor ${t.name}, which ${file} maps to ${mapped}`,
          { hint: HINT_INDEX, location: { file: shard }, details: { tensor: t.name, shard } },
        );
      }
    }
  }
  return named;
}
