import { createHash } from "node:crypto";
import { open, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { inputError, verifyError } from "../errors.js";
import { assertBundlePath, isNonContentPath, MANIFEST_FILE, SOURCES_FILE, SUMS_FILE } from "./bundle-paths.js";
import { readFileStamp, type HashCache } from "./hash-cache.js";
import { createHashPool } from "./hash-pool.js";
import { planContentDigest } from "./plan-content-digest.js";
import type { Manifest } from "./types.js";

/**
 * Files up to this size are hashed on the calling thread: the card, reports and configs a
 * cached verification still reads take microseconds, where starting the worker pool for them
 * took a fifth of a second.
 */
const INLINE_HASH_BYTES = 4 * 1024 * 1024;

/**
 * A small file's digest, read in one piece of the size just seen on disk (plus one byte, to
 * notice growth); undefined when it grew since, for the caller to hash it the long way.
 */
async function hashSmallFile(abs: string, onDisk: number): Promise<{ sha256: string; size: number } | undefined> {
  const fh = await open(abs, "r");
  try {
    const buf = Buffer.allocUnsafe(onDisk + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = (await fh.read(buf, n, buf.length - n, n)).bytesRead;
    if (n > onDisk) return undefined;
    return { sha256: createHash("sha256").update(buf.subarray(0, n)).digest("hex"), size: n };
  } finally {
    await fh.close();
  }
}

export interface ChangedFile {
  path: string;
  /** What differs: the bytes, or the SHA256SUMS line disagreeing with the manifest. */
  reason: "content" | "sha256sums";
  expectedSha256: string;
  actualSha256: string;
  expectedSize: number;
  actualSize: number;
}

export interface VerifyBundleResult {
  ok: boolean;
  dir: string;
  manifest: Manifest;
  /** Files the manifest lists, all of which were checked. */
  checked: number;
  /** Of those, files whose digest the build recorded and whose stamp proves them unchanged (not read). */
  cached: number;
  /** Bytes read and hashed. */
  hashedBytes: number;
  missing: string[];
  extra: string[];
  changed: ChangedFile[];
  /** False when the manifest's contentDigest does not match its own file list. */
  contentDigestOk: boolean;
}

/** Progress of `verifyBundle`: first what must be read, then each file as it is hashed. */
export type VerifyProgress =
  | { kind: "plan"; files: number; bytes: number; cached: number }
  | { kind: "hashing"; path: string; bytes: number; size: number }
  | { kind: "hashed"; path: string; size: number };

/**
 * Recomputes the digest of every file that `manifest.json` lists (unless `cache` proves a file
 * unchanged since the build hashed it) and compares: missing files, changed files, files present but not listed
 * (ignoring the bundle's own files, the signature and git/Hub-client leftovers), SHA256SUMS
 * lines that disagree with the manifest, and the manifest's content digest. Never throws for a
 * mismatch; the result lists them and the CLI turns `ok: false` into a verify error.
 *
 * @throws ReleaseError `MANIFEST_MISSING` (verify) or `MANIFEST_INVALID` (input).
 */
export async function verifyBundle(params: {
  dir: string;
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * Trust a digest the build recorded when the staged file is provably the same file, unchanged
   * since it was hashed: its stamp (device, inode, size, mtime, ctime) equals the hash cache's
   * entry for its source in `.model-release/sources.json`. For the maintainer's own bundle just
   * before publishing; a researcher's `verify` never passes a cache and reads every byte.
   */
  cache?: HashCache;
  /** Called with the plan (files and bytes left to read after the cache), then per file while hashing. */
  onProgress?: (event: VerifyProgress) => void;
}): Promise<VerifyBundleResult> {
  const dir = path.resolve(params.dir);
  const manifest = await readManifest(dir);
  const sourceOf = params.cache ? await readStagedSources(dir) : new Map<string, string>();
  const listed = new Set(manifest.files.map((f) => f.path));
  const missing: string[] = [];
  const changed: ChangedFile[] = [];
  const pool = createHashPool({ concurrency: params.concurrency, signal: params.signal });
  let cached = 0;
  let hashedBytes = 0;
  try {
    // First every stamp (cheap), so the progress can say up front how much must really be read.
    const toHash = (
      await Promise.all(
        manifest.files.map(async (f) => {
          const abs = path.join(dir, ...f.path.split("/"));
          let onDisk: number;
          try {
            const st = await stat(abs);
            if (!st.isFile()) throw Object.assign(new Error("not a file"), { code: "ENOENT" });
            onDisk = st.size;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") {
              missing.push(f.path);
              return undefined;
            }
            throw e;
          }
          const source = sourceOf.get(f.path);
          if (source !== undefined && params.cache) {
            // stat follows the reference symlink; a hard link shares the source's inode and stamp.
            const stamp = await readFileStamp(abs);
            const known = params.cache.lookup(source, stamp);
            if (known !== undefined) {
              cached++;
              if (known !== f.sha256 || Number(stamp.size) !== f.size) {
                changed.push({
                  path: f.path,
                  reason: "content",
                  expectedSha256: f.sha256,
                  actualSha256: known,
                  expectedSize: f.size,
                  actualSize: Number(stamp.size),
                });
              }
              return undefined;
            }
          }
          return { file: f, abs, onDisk };
        }),
      )
    ).filter((x) => x !== undefined);
    params.onProgress?.({
      kind: "plan",
      files: toHash.length,
      bytes: toHash.reduce((n, x) => n + x.file.size, 0),
      cached,
    });
    await Promise.all(
      toHash.map(async ({ file: f, abs, onDisk }) => {
        const r =
          // By the size on disk, not the manifest's: a file grown since must not be read whole.
          (onDisk <= INLINE_HASH_BYTES ? await hashSmallFile(abs, onDisk) : undefined) ??
          (await pool.hashFile(abs, {
            onProgress: (bytes) => params.onProgress?.({ kind: "hashing", path: f.path, bytes, size: f.size }),
          }));
        hashedBytes += r.size;
        params.onProgress?.({ kind: "hashed", path: f.path, size: r.size });
        if (r.sha256 !== f.sha256 || r.size !== f.size) {
          changed.push({
            path: f.path,
            reason: "content",
            expectedSha256: f.sha256,
            actualSha256: r.sha256,
            expectedSize: f.size,
            actualSize: r.size,
          });
        }
      }),
    );
  } finally {
    await pool.close();
  }

  // SHA256SUMS is what people check by hand; it must say the same as the manifest.
  let sumsText: string | undefined;
  try {
    sumsText = await readFile(path.join(dir, SUMS_FILE), "utf8");
  } catch {
    sumsText = undefined;
  }
  if (sumsText === undefined) {
    missing.push(SUMS_FILE);
  } else {
    const byPath = new Map(manifest.files.map((f) => [f.path, f]));
    const inSums = new Set<string>();
    for (const line of sumsText.split("\n")) {
      const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!m) continue;
      const [, digest = "", p = ""] = m;
      inSums.add(p);
      const f = byPath.get(p);
      if (f && f.sha256 !== digest) {
        changed.push({
          path: p,
          reason: "sha256sums",
          expectedSha256: f.sha256,
          actualSha256: digest,
          expectedSize: f.size,
          actualSize: f.size,
        });
      }
    }
    for (const f of manifest.files)
      if (!inSums.has(f.path))
        changed.push({
          path: f.path,
          reason: "sha256sums",
          expectedSha256: f.sha256,
          actualSha256: "",
          expectedSize: f.size,
          actualSize: f.size,
        });
  }

  const extra = (await listFiles(dir)).filter((p) => !listed.has(p) && !isNonContentPath(p));
  const contentDigestOk = planContentDigest(manifest.files) === manifest.contentDigest;
  const byPathOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  missing.sort(byPathOrder);
  changed.sort((a, b) => byPathOrder(a.path, b.path) || byPathOrder(a.reason, b.reason));
  return {
    ok: missing.length === 0 && extra.length === 0 && changed.length === 0 && contentDigestOk,
    dir,
    manifest,
    checked: manifest.files.length,
    cached,
    hashedBytes,
    missing,
    extra: extra.sort(byPathOrder),
    changed,
    contentDigestOk,
  };
}

/** Bundle path → absolute source path, from the build's private `sources.json` (empty when absent or unreadable). */
async function readStagedSources(dir: string): Promise<Map<string, string>> {
  try {
    const doc = JSON.parse(await readFile(path.join(dir, SOURCES_FILE), "utf8")) as {
      files?: { path?: unknown; source?: unknown }[];
    };
    return new Map(
      (doc.files ?? [])
        .filter((f) => typeof f.path === "string" && typeof f.source === "string")
        .map((f) => [f.path as string, f.source as string]),
    );
  } catch {
    return new Map();
  }
}

/**
 * Reads and checks the shape of `manifest.json`.
 *
 * @throws ReleaseError `MANIFEST_MISSING` (verify), `MANIFEST_INVALID` (input).
 */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw verifyError("MANIFEST_MISSING", `${dir} has no ${MANIFEST_FILE}`, {
      hint: "point verify at a bundle folder staged by `model-release build` or downloaded with `model-release pull`",
      location: { file: MANIFEST_FILE },
      cause,
    });
  }
  let doc: Manifest;
  try {
    doc = JSON.parse(text) as Manifest;
  } catch (cause) {
    throw inputError("MANIFEST_INVALID", `${MANIFEST_FILE} is not valid JSON: ${(cause as Error).message}`, {
      location: { file: MANIFEST_FILE },
      cause,
    });
  }
  const ok =
    doc &&
    doc.schema === "model-release/manifest@1" &&
    Array.isArray(doc.files) &&
    doc.files.every(
      (f) =>
        f &&
        typeof f.path === "string" &&
        typeof f.sha256 === "string" &&
        /^[0-9a-f]{64}$/.test(f.sha256) &&
        Number.isSafeInteger(f.size),
    );
  if (!ok) {
    throw inputError(
      "MANIFEST_INVALID",
      `${MANIFEST_FILE} is not a model-release manifest (schema model-release/manifest@1)`,
      {
        hint: "re-stage the bundle with `model-release build`",
        location: { file: MANIFEST_FILE },
      },
    );
  }
  // A manifest naming `../x` would make verify read outside the bundle.
  for (const [i, f] of doc.files.entries()) assertBundlePath(f.path, `${MANIFEST_FILE} files[${i}]`);
  return doc;
}

/** Bundle-relative paths of all files and symlinks under `dir`. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (abs: string, rel: string) => {
    for (const ent of await readdir(abs, { withFileTypes: true })) {
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) {
        if (isNonContentPath(p)) continue;
        await visit(path.join(abs, ent.name), p);
      } else out.push(p);
    }
  };
  await visit(dir, "");
  return out;
}
