import type { Finding } from "../findings.js";
import type { FileRole } from "../bundle/types.js";

/** The sanitizer's decision for one checkpoint: pure data, printable and testable. */
export interface SanitizePlan {
  /** Files to publish as they are (linked or referenced, never copied). */
  publish: { path: string; absPath: string; role: FileRole; overrideReason?: string }[];
  /** Files left out, each with the reason. */
  dropped: { path: string; reason: string }[];
  /** Files published with changed content (scrubbed JSON, rewritten safetensors header, converted pickle). */
  rewrites: { path: string; from: string; role: FileRole; content: Uint8Array | string; diff: string; reason: string }[];
  findings: Finding[];
}
