import { applySanitizeRewrite } from "../sanitize/apply-sanitize-rewrite.js";
import { convertTorchToSafetensors } from "../checkpoint/pickle/convert-torch-to-safetensors.js";
import { createHash } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { blockedError, inputError } from "../errors.js";
import { applyManifestFiles } from "./apply-manifest-files.js";
import { assertBundlePath, PRIVATE_DIR, SOURCES_FILE } from "./bundle-paths.js";
import { readHashCache, readFileStamp, type HashCache } from "./hash-cache.js";
import { createHashPool } from "./hash-pool.js";
import { linkOrReference, type SourceMode } from "./link-or-reference.js";
import { planManifest, type BundleRelease } from "./plan-manifest.js";
import { prepareBundleDir } from "./prepare-bundle-dir.js";
import type { BundleInput, Manifest, ManifestFile } from "./types.js";

export interface StageBundleParams {
  /** Bundle folder; created, or emptied when it holds a previous bundle. */
  outDir: string;
  inputs: BundleInput[];
  release: BundleRelease;
  /** Folder of the hash cache; `undefined` disables it (`--no-cache`). */
  cacheDir?: string;
  /** Hashing worker threads; default one per core. */
  concurrency?: number;
  /** Wall clock in ms, for the hash cache's racy-entry rule. */
  clock?: () => number;
  /** Racy window of the cache in ns (default 2 s); see `hash-cache.ts`. */
  racyWindowNs?: bigint;
  signal?: AbortSignal;
  onProgress?: (event: StageProgress) => void;
}

export type StageProgress =
  /** Bytes of one file hashed so far (every few MiB of a large file), before its `hashed` event. */
  | { kind: "hashing"; path: string; bytes: number; size: number }
  | { kind: "hashed"; path: string; bytes: number; cached: boolean }
  | { kind: "staged"; path: string; mode: SourceMode };

export interface StagedSource {
  path: string;
  mode: SourceMode;
  /** Absolute source path for `link`/`reference` (kept out of published files). */
  source?: string;
}

export interface StageBundleResult {
  outDir: string;
  manifest: Manifest;
  sources: StagedSource[];
  /** Files whose digest came from the hash cache. */
  cacheHits: number;
  /** Bytes read for hashing in this run (0 for a rebuild served from the cache). */
  hashedBytes: number;
  /** Set when the hash cache could not be written; the bundle is complete regardless. */
  cacheWarning?: string;
}

/**
 * Stages a release bundle: hard-links source files into `outDir` (falling back to a symlink plus
 * a recorded reference when the filesystem cannot link), writes generated content, hashes every
 * file in a worker pool (served from the hash cache when the file is unchanged), then writes
 * `manifest.json`, `SHA256SUMS` (which also covers manifest.json) and the private
 * `.model-release/sources.json`. Weights are never copied or read into memory; plain state-dict
 * pickles planned for conversion are streamed into safetensors files.
 *
 * @throws ReleaseError `BUNDLE_BAD_PATH`, `BUNDLE_DUPLICATE_PATH`, `OUT_DIR_NOT_EMPTY`,
 *   `BUNDLE_SOURCE_MISSING`, `BUNDLE_SOURCE_CHANGED`, `CONVERSION_BLOCKED`.
 */
export async function stageBundle(params: StageBundleParams): Promise<StageBundleResult> {
  const { inputs, release, signal } = params;
  const outDir = path.resolve(params.outDir);
  const seen = new Set<string>();
  for (const input of inputs) {
    assertBundlePath(input.path, `bundle input (${input.origin})`);
    if (seen.has(input.path)) {
      throw inputError("BUNDLE_DUPLICATE_PATH", `two bundle inputs write ${input.path}`, {
        hint: "each published path must come from one source",
        location: { file: input.path },
      });
    }
    seen.add(input.path);
  }
  // A file and a folder of the same name cannot both exist (e.g. `a` and `a/b`).
  for (const p of seen) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      if (seen.has(prefix))
        throw inputError("BUNDLE_DUPLICATE_PATH", `${prefix} is both a file and a folder in the bundle`, {
          location: { file: p },
        });
    }
  }

  const keep = await prepareBundleDir(outDir);
  const clock = params.clock ?? Date.now;
  const cache: HashCache | undefined = params.cacheDir
    ? await readHashCache({
        dir: params.cacheDir,
        racyWindowNs: params.racyWindowNs,
      })
    : undefined;
  const pool = createHashPool({ concurrency: params.concurrency, signal });
  const sources: StagedSource[] = [];
  let hashedBytes = 0;
  let cacheHits = 0;
  /** A file this build wrote (spliced or converted): recorded as written, then hashed. */
  const recordWritten = async (input: BundleInput, dest: string): Promise<ManifestFile> => {
    sources.push({ path: input.path, mode: "written" });
    params.onProgress?.({ kind: "staged", path: input.path, mode: "written" });
    const h = await pool.hashFile(dest);
    hashedBytes += h.size;
    params.onProgress?.({ kind: "hashed", path: input.path, bytes: h.size, cached: false });
    return { path: input.path, size: h.size, sha256: h.sha256, role: input.role, origin: input.origin };
  };
  try {
    const files = await Promise.all(
      inputs.map(async (input): Promise<ManifestFile> => {
        signal?.throwIfAborted();
        const dest = path.join(outDir, ...input.path.split("/"));
        await mkdir(path.dirname(dest), { recursive: true });
        if (input.source.kind === "content") {
          const bytes =
            typeof input.source.content === "string" ? Buffer.from(input.source.content, "utf8") : input.source.content;
          // Never write through a link a previous build left here: it would change the checkpoint.
          await rm(dest, { force: true });
          await writeFile(dest, bytes, { flag: "wx" });
          sources.push({ path: input.path, mode: "written" });
          params.onProgress?.({ kind: "staged", path: input.path, mode: "written" });
          return {
            path: input.path,
            size: bytes.length,
            sha256: createHash("sha256").update(bytes).digest("hex"),
            role: input.role,
            origin: input.origin,
          };
        }
        if (input.source.kind === "spliced") {
          const { head, absPath, offset, length, inPlace } = input.source;
          await rm(dest, { force: true });
          await applySanitizeRewrite(
            {
              path: input.path,
              from: absPath,
              role: input.role,
              content: head,
              diff: "",
              reason: "",
              tail: { absPath, offset, length, inPlace },
            },
            dest,
          );
          return recordWritten(input, dest);
        }
        if (input.source.kind === "converted") {
          const { absPath, file, size, stateDictKey } = input.source;
          await rm(dest, { force: true });
          const r = await convertTorchToSafetensors({
            source: absPath,
            dest,
            file,
            stateDictKey,
            signal,
          });
          if (!r.written) {
            const blocking = r.plan.findings.filter((f) => f.severity === "block");
            throw blockedError(
              "CONVERSION_BLOCKED",
              `${file} was not converted to ${input.path}: ${blocking.map((f) => `${f.rule}: ${f.message}`).join("; ")}`,
              {
                hint: "the checkpoint changed since it was planned; run the build again",
                location: { file },
              },
            );
          }
          if (r.plan.size !== size) {
            await rm(dest, { force: true });
            throw inputError(
              "BUNDLE_SOURCE_CHANGED",
              `${file} converts to ${r.plan.size} bytes, the plan said ${size}`,
              {
                hint: "wait until training or copying has finished writing the checkpoint, then build again",
                location: { file },
              },
            );
          }
          return recordWritten(input, dest);
        }
        const src = input.source.absPath;
        // Looked up before linking: a new hard link moves the source's ctime, so the stamp the
        // previous build recorded (after its own link) only matches now. A failed stat is left
        // to linkOrReference, which names the missing source.
        const prior = cache ? await readFileStamp(src).catch(() => undefined) : undefined;
        let sha256 = prior && cache?.lookup(src, prior);
        let mode: SourceMode;
        try {
          mode = await linkOrReference(src, dest);
        } catch (cause) {
          throw inputError(
            "BUNDLE_SOURCE_MISSING",
            `source of ${input.path} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
            {
              hint: "the checkpoint changed since it was inspected; run the build again",
              location: { file: input.path },
              cause,
            },
          );
        }
        sources.push({ path: input.path, mode, source: src });
        params.onProgress?.({ kind: "staged", path: input.path, mode });
        // The stamp is read after linking, and recorded as such: this is the stamp the next build
        // and publish's verification see.
        const before = await readFileStamp(src);
        // Only our link may have moved ctime (same inode, size and mtime, ctime not earlier);
        // anything else is a change and the file is hashed again. A write that restores mtime in
        // the microseconds between the stat above and the link is the one case this cannot tell
        // from the link itself; publish verifies again before sending.
        if (sha256 !== undefined && prior && !cache?.restamp(src, prior, before)) sha256 = undefined;
        const cached = sha256 !== undefined;
        if (cached) cacheHits++;
        if (sha256 === undefined) {
          const startedAtNs = BigInt(Math.floor(clock())) * 1_000_000n;
          const size = Number(before.size);
          const onProgress = params.onProgress;
          const r = await pool.hashFile(
            src,
            onProgress
              ? { onProgress: (bytes) => onProgress({ kind: "hashing", path: input.path, bytes, size }) }
              : undefined,
          );
          const after = await readFileStamp(src);
          if (
            after.size !== before.size ||
            after.mtimeNs !== before.mtimeNs ||
            after.ctimeNs !== before.ctimeNs ||
            BigInt(r.size) !== BigInt(before.size)
          ) {
            throw inputError("BUNDLE_SOURCE_CHANGED", `${input.path} changed while it was being hashed`, {
              hint: "wait until training or copying has finished writing the checkpoint, then build again",
              location: { file: input.path },
            });
          }
          sha256 = r.sha256;
          hashedBytes += r.size;
          cache?.record(src, before, sha256, startedAtNs);
        }
        params.onProgress?.({ kind: "hashed", path: input.path, bytes: Number(before.size), cached });
        return { path: input.path, size: Number(before.size), sha256, role: input.role, origin: input.origin };
      }),
    );
    // Whatever a previous build staged that this one does not publish goes away.
    const wanted = new Set(inputs.map((i) => i.path));
    await Promise.all(
      [...keep].filter((p) => !wanted.has(p)).map((p) => rm(path.join(outDir, ...p.split("/")), { force: true })),
    );
    await removeEmptyDirs(outDir);
    const manifest = planManifest(release, files);
    await applyManifestFiles(outDir, manifest);
    sources.sort((a, b) => (a.path < b.path ? -1 : 1));
    await mkdir(path.join(outDir, PRIVATE_DIR), { recursive: true });
    await writeFile(path.join(outDir, SOURCES_FILE), `${JSON.stringify({ version: 1, files: sources }, null, 2)}\n`);
    // The cache only saves time: failing to write it (read-only home, full disk) must not fail
    // a build whose bundle is complete, so it is reported instead.
    let cacheWarning: string | undefined;
    try {
      await cache?.save();
    } catch (e) {
      cacheWarning = `could not write the hash cache in ${params.cacheDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    return {
      outDir,
      manifest,
      sources,
      cacheHits,
      hashedBytes,
      cacheWarning,
    };
  } finally {
    await pool.close();
  }
}

/** Removes folders left empty after stale files went away (not the root). */
async function removeEmptyDirs(dir: string, isRoot = true): Promise<boolean> {
  let empty = true;
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    if (ent.isDirectory() && (await removeEmptyDirs(path.join(dir, ent.name), false))) continue;
    empty = false;
  }
  if (empty && !isRoot) await rm(dir, { recursive: true, force: true });
  return empty;
}
