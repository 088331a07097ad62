/**
 * What `inspectCheckpoint` learns about a checkpoint folder without loading any tensor.
 * Owned by src/checkpoint; the sanitizer, the bundle and the card read it.
 */

/** Content type decided from magic bytes and structure, never from the file name. */
export type SniffedFormat =
  | "safetensors"
  | "pickle" // raw pickle stream of any protocol (2+ start with PROTO 0x80; 0 and 1 are sniffed by their opcodes)
  | "torch-zip" // PyTorch zip checkpoint (archive/data.pkl + data/*)
  | "zip" // any other zip archive (.nemo is tar, see below)
  | "tar"
  | "gguf"
  | "numpy" // .npy magic
  | "json"
  | "text" // valid UTF-8 without NULs
  | "empty"
  | "binary"; // anything else

/** Checkpoint layouts that training frameworks leave behind. */
export type CheckpointLayout =
  | "hf" // plain HF: model.safetensors (+ config.json)
  | "hf-sharded" // model-0000X-of-0000N.safetensors + model.safetensors.index.json
  | "hf-trainer" // checkpoint-N/ with optimizer.pt, trainer_state.json, rng_state*.pth, ...
  | "peft-adapter" // adapter_config.json + adapter_model.safetensors
  | "deepspeed" // global_stepN/ with *_optim_states.pt, latest, zero_to_fp32.py
  | "fsdp-dcp" // *.distcp + .metadata
  | "megatron" // iter_NNNNNNN/mp_rank_XX/model_optim_rng.pt, latest_checkpointed_iteration.txt
  | "pickle-only" // pytorch_model*.bin / *.pt, no safetensors
  | "unknown";

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  /** Checkpoint-relative path of the file holding the tensor. */
  file: string;
  /** Byte range of the data, relative to the start of the data section (after the header). */
  dataOffsets: [number, number];
}

export interface SafetensorsSummary {
  /** Length of the JSON header in bytes (the u64 at offset 0). */
  headerLength: number;
  /** The `__metadata__` map, if any (string to string). */
  metadata: Record<string, string>;
  tensors: TensorInfo[];
}

export interface InventoryFile {
  /** Checkpoint-relative POSIX path. */
  path: string;
  /** Absolute path on disk (after resolving symlinks that stay inside the checkpoint). */
  absPath: string;
  size: number;
  format: SniffedFormat;
  /** Present for safetensors files. */
  safetensors?: SafetensorsSummary;
}

export interface DtypeStats {
  tensors: number;
  parameters: number;
  bytes: number;
}

export interface Inventory {
  /** Absolute path of the checkpoint folder. */
  root: string;
  layout: CheckpointLayout;
  files: InventoryFile[];
  /** Number of tensors across all safetensors weight files. */
  tensors: number;
  parameters: number;
  dtypes: Record<string, DtypeStats>;
  /** Checkpoint-relative paths of weight shards, in index order. */
  shards: string[];
  totalBytes: number;
  /** `architectures[0]` / `model_type` from config.json, when present. */
  architecture?: string;
  modelType?: string;
  /** The shard index (`*.safetensors.index.json`), when the checkpoint has one; cross-checked against the shards' headers. */
  index?: { path: string; totalSize?: number; tensors: number };
}
