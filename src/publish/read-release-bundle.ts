import { createHash } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { Manifest } from "../bundle/types.js";
import { inputError } from "../errors.js";
import type { ReleaseBundle, ReleaseFile } from "./types.js";

/** Files at the bundle root that are published but not listed in the manifest (they describe it): model.pub is the public half of the key that signed model.sig. */
const DESCRIBING =
  /^(manifest\.json|SHA256SUMS|model\.pub|(manifest\.json|SHA256SUMS|model)\.(sig|asc|sigstore\.json|bundle))$/;
/** Small enough to read whole for the git blob id; weights are LFS and compared by sha256. */
const GIT_OID_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Reads a staged bundle for publishing: the manifest, and for every file the path its bytes are
 * read from (the bundle's hard link, or the source recorded in `.model-release/sources.json`
 * when linking was impossible). Checks presence and size only: content is verified by `verify`.
 */
export async function readReleaseBundle(dir: string): Promise<ReleaseBundle> {
  const manifestPath = join(dir, "manifest.json");
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Manifest;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    const message = missing
      ? `${dir} is not a bundle: it has no manifest.json`
      : `cannot read ${manifestPath}: ${(err as Error).message}`;
    throw inputError("BUNDLE_UNREADABLE", message, {
      hint: "build one with `model-release build --config <yaml> --version <semver> --out <dir>`, then pass that folder",
      location: { file: manifestPath },
    });
  }
  if (
    manifest.schema !== "model-release/manifest@1" ||
    !Array.isArray(manifest.files) ||
    typeof manifest.contentDigest !== "string"
  ) {
    throw inputError(
      "BUNDLE_BAD_MANIFEST",
      `${manifestPath} is not a model-release manifest (schema ${String(manifest.schema)})`,
      {
        hint: "rebuild the bundle with this version of model-release",
        location: { file: manifestPath, field: "schema" },
      },
    );
  }
  const sources = await readSources(dir);
  const files: ReleaseFile[] = [];
  for (const f of manifest.files) {
    if (f.path.startsWith("/") || f.path.split("/").includes("..") || f.path.startsWith(".model-release/")) {
      throw inputError("BUNDLE_BAD_PATH", `manifest lists an unsafe path '${f.path}'`, {
        location: { file: manifestPath, field: "files" },
      });
    }
    const local = join(dir, f.path);
    const absPath = (await sizeOf(local)) !== undefined ? local : sources.get(f.path);
    const size = absPath === undefined ? undefined : await sizeOf(absPath);
    if (absPath === undefined || size === undefined) {
      throw inputError("BUNDLE_FILE_MISSING", `${f.path} is in the manifest but not in the bundle or its sources`, {
        hint: "rebuild the bundle: a source file was moved or deleted",
        location: { file: local },
      });
    }
    if (size !== f.size) {
      throw inputError("BUNDLE_FILE_CHANGED", `${f.path} is ${size} bytes, the manifest says ${f.size}`, {
        hint: "the file changed after the bundle was built: rebuild it",
        location: { file: absPath },
      });
    }
    files.push({
      path: f.path,
      size,
      sha256: f.sha256,
      absPath,
      gitOid: size <= GIT_OID_MAX_BYTES ? await gitBlobOid(absPath) : undefined,
    });
  }
  for (const name of (await readdir(dir)).filter((n) => DESCRIBING.test(n))) {
    const absPath = join(dir, name);
    const bytes = await readFile(absPath);
    files.push({
      path: name,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      gitOid: gitOidOf(bytes),
      absPath,
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dir, manifest, files };
}

async function readSources(dir: string): Promise<Map<string, string>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, ".model-release", "sources.json"), "utf8"));
  } catch {
    return new Map();
  }
  // Accept `{path: absPath}`, `{files: {path: absPath}}` and `[{path, source|absPath}]`.
  const entries: [string, string][] = [];
  const obj = raw as Record<string, unknown>;
  const table = Array.isArray(raw) ? raw : typeof obj?.files === "object" && obj.files !== null ? obj.files : raw;
  if (Array.isArray(table)) {
    for (const e of table) {
      const p = (e as { path?: unknown }).path;
      const s = (e as { source?: unknown; absPath?: unknown }).source ?? (e as { absPath?: unknown }).absPath;
      if (typeof p === "string" && typeof s === "string") entries.push([p, s]);
    }
  } else if (typeof table === "object" && table !== null) {
    for (const [p, s] of Object.entries(table)) if (typeof s === "string") entries.push([p, s]);
  }
  return new Map(entries.map(([p, s]) => [p, isAbsolute(s) ? s : resolve(dir, s)]));
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

function gitOidOf(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

async function gitBlobOid(path: string): Promise<string> {
  return gitOidOf(await readFile(path));
}
