import type { Finding } from "../findings.js";
import type { FileRole } from "../bundle/types.js";

/** The sanitizer's decision for one checkpoint: pure data, printable and testable. */
export interface SanitizePlan {
  /** Files to publish as they are (linked or referenced, never copied). */
  publish: { path: string; absPath: string; role: FileRole; overrideReason?: string }[];
  /** Files left out, each with the reason. */
  dropped: { path: string; reason: string }[];
  /** Files published with changed content (scrubbed JSON, rewritten safetensors header, converted pickle). */
  rewrites: {
    path: string;
    from: string;
    role: FileRole;
    content: Uint8Array | string;
    diff: string;
    reason: string;
    /**
     * Safetensors header rewrites only: `content` is the new 8-byte length + header, and the
     * tensor data (bytes `offset` to `offset + length` of `absPath`) follows unchanged. When
     * `inPlace`, the new header was padded to the old length, so the file can be cloned and
     * patched at byte 0 (`applySanitizeRewrite`); otherwise the shard is copied.
     */
    tail?: { absPath: string; offset: number; length: number; inPlace: boolean };
  }[];
  /**
   * Pickle weights converted to safetensors at staging time (never held in memory: the bundle
   * stage streams the storages from `absPath`). `tensors` comes from the conversion plan, so the
   * inventory, card and report count the converted weights before anything is written.
   */
  conversions?: SanitizeConversion[];
  findings: Finding[];
  /** Files the scan did not read, with why (dropped files above the scan size limit). */
  unscanned?: { path: string; reason: string }[];
}

/** One planned pickle → safetensors conversion. */
export interface SanitizeConversion {
  /** Published path, e.g. `model.safetensors`, `model-00001-of-00002.safetensors`. */
  path: string;
  /** Checkpoint-relative path of the source pickle, e.g. `pytorch_model.bin`. */
  from: string;
  absPath: string;
  role: FileRole;
  /** Source format as the converter read it. */
  format: "torch-zip" | "torch-legacy" | "pickle";
  /** Convert the dict under this top-level key (not set by the sanitizer today). */
  stateDictKey?: string;
  /** Tensors as they will be written (reference writer order), with their byte counts. */
  tensors: { name: string; dtype: string; shape: number[]; bytes: number }[];
  /** Size of the safetensors file that will be written. */
  size: number;
  reason: string;
}
