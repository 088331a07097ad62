/**
 * What the bundle stage stages and what `manifest.json` records. Owned by src/bundle.
 */

/** Why a file is in the release; drives cards, the Hub commit and GitHub assets. */
export type FileRole =
  | "weights"
  | "weights-index"
  | "config"
  | "tokenizer"
  | "processor"
  | "card"
  | "example"
  | "eval"
  | "chart"
  | "licence"
  | "report"
  | "data"
  | "signature"
  | "other";

/** One file the bundle will contain, before it is staged. */
export interface BundleInput {
  /** Bundle-relative POSIX path (also the path in the Hub repo). */
  path: string;
  role: FileRole;
  /**
   * Where the bytes come from: a checkpoint file that is linked or referenced, never copied; or
   * generated/rewritten content that is written.
   */
  source:
    | { kind: "file"; absPath: string }
    | { kind: "content"; content: Uint8Array | string }
    /**
     * A safetensors shard whose header the sanitizer rewrote: `head` (8-byte length + header)
     * followed by bytes `offset`..`offset + length` of `absPath`. Staged by
     * `applySanitizeRewrite` (clone-and-patch when `inPlace`, else a copy), never read into memory.
     */
    | { kind: "spliced"; head: Uint8Array; absPath: string; offset: number; length: number; inPlace: boolean }
    /**
     * A plain state-dict pickle converted to safetensors while staging: `convertTorchToSafetensors`
     * streams its storages into the bundle (never executing the pickle, never the whole file in
     * memory). `file` is the checkpoint-relative source path for findings; `size` the planned
     * output size, checked after writing (the source changed since planning otherwise).
     */
    | { kind: "converted"; absPath: string; file: string; size: number; stateDictKey?: string };
  /** Human-readable provenance for the manifest, e.g. `checkpoint:config.json (rewritten)` or `generated:card`. */
  origin: string;
}

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  role: FileRole;
  origin: string;
}

export interface Manifest {
  /** Format marker; bump on incompatible change. */
  schema: "model-release/manifest@1";
  name: string;
  version: string;
  tag: string;
  hub: { repo: string; repoType: "model" | "dataset" };
  github?: { repo: string };
  /** Sorted by path. Does not include manifest.json, SHA256SUMS or signatures themselves. */
  files: ManifestFile[];
  /** Config overrides that let a file through, each with its written reason. */
  overrides: { path: string; reason: string }[];
  /** sha256 over the sorted `sha256  path` lines: equal content, equal digest. */
  contentDigest: string;
}
