import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, type Dirent } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { downloadFile, listFiles, snapshotDownload, type RepoDesignation } from "@huggingface/hub";
import { verifyBundle } from "../bundle/verify-bundle.js";
import { inputError, usageError, verifyError } from "../errors.js";
import { fetchHubRefs, type HubClient } from "./hub-publisher.js";
import { planPullUpdate, type PullRecord } from "./plan-pull-update.js";
import type { ProgressSink } from "./progress.js";
import { translateRemoteError } from "./translate-remote-error.js";
import type { HubRepoType } from "./types.js";

/** `org/name@1.2.0` or `org/name@v1.2.0` or `org/name@robot-coder-v1.2.0`. */
export function parseReleaseRef(ref: string): { repo: string; version: string } {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*)@(.+)$/.exec(ref);
  if (!m)
    throw usageError("BAD_RELEASE_REF", `'${ref}' is not org/name@version`, {
      hint: "e.g. model-release pull acme/robot-coder@1.2.0",
    });
  return { repo: m[1]!, version: m[2]! };
}

/** Picks the tag a version names: the exact tag, `v{version}`, or the one `*-v{version}` tag. */
export function planTagForVersion(version: string, tags: readonly string[], repo: string): string {
  if (tags.includes(version)) return version;
  const bare = version.replace(/^v/, "");
  if (tags.includes(`v${bare}`)) return `v${bare}`;
  const suffixed = tags.filter((t) => t.endsWith(`-v${bare}`));
  if (suffixed.length === 1) return suffixed[0]!;
  const known = tags.slice(0, 10).join(", ") || "none";
  throw usageError(
    suffixed.length > 1 ? "AMBIGUOUS_VERSION" : "VERSION_NOT_FOUND",
    suffixed.length > 1
      ? `${repo} has several tags for ${version}: ${suffixed.join(", ")}`
      : `${repo} has no release ${version} (tags: ${known})`,
    {
      hint:
        suffixed.length > 1
          ? "pass the full tag after @"
          : "check the version; releases are listed on the repo's Hub page",
    },
  );
}

/**
 * Downloads exactly the tagged revision (pinned to the tag's commit, so a concurrent change of
 * `main` cannot mix files), streaming each file to disk, then verifies every file against the
 * release's manifest.json and SHA256SUMS (the bundle stage's verifyBundle).
 */
export async function pullRelease(
  hub: HubClient,
  params: {
    ref: string;
    /** Plain folder to download into; ignored with `cacheDir`. */
    to: string;
    /** Download into the Hugging Face cache layout (`models--org--name/snapshots/<commit>`) instead. */
    cacheDir?: string;
    repoType?: HubRepoType;
    onEvent?: ProgressSink;
  },
): Promise<{
  repo: string;
  tag: string;
  commit: string;
  dir: string;
  /** Bytes of every file the tag holds (manifest, sums and signature included), downloaded or found in the cache. */
  bytes: number;
  /** Files the manifest lists, all verified. */
  checked: number;
  /** Bytes of those files: the size `build` printed for the same release. */
  manifestBytes: number;
}> {
  const { repo, version } = parseReleaseRef(params.ref);
  const repoType = params.repoType ?? "model";
  const emit = params.onEvent ?? (() => undefined);
  const refs = await fetchHubRefs(hub, repo, repoType);
  if (!refs)
    throw usageError("REPO_NOT_FOUND", `${repo} does not exist on ${hub.hubUrl} (or the token cannot see it)`, {
      hint: "check the repo id; for a private repo set HF_TOKEN",
    });
  const tag = planTagForVersion(
    version,
    refs.tags.map((t) => t.name),
    repo,
  );
  const commit = refs.tags.find((t) => t.name === tag)!.targetCommit;
  const designation: RepoDesignation = { type: repoType, name: repo };
  const creds = { hubUrl: hub.hubUrl, fetch: hub.fetch, accessToken: hub.accessToken };
  if (params.cacheDir) {
    emit({ type: "step", step: "download", status: "start", detail: `${repo}@${tag} into the Hub cache` });
    let snapshot: string;
    try {
      // By tag, so the cache also gets refs/<tag>; the client resolves the tag to one commit first.
      snapshot = await snapshotDownload({ repo: designation, revision: tag, cacheDir: params.cacheDir, ...creds });
    } catch (err) {
      throw translateRemoteError(err, { service: "hub", action: "download", target: `${repo}@${tag}` });
    }
    emit({ type: "step", step: "download", status: "done" });
    // The client reports no sizes: the snapshot's files (links into blobs/) are what it fetched or found.
    const bytes = await sumFileSizes(snapshot);
    return { repo, tag, commit, ...(await verifyPulled(snapshot, repo, tag, hub, emit)), bytes };
  }
  const entries: RemoteEntry[] = [];
  try {
    for await (const e of listFiles({ repo: designation, recursive: true, revision: commit, ...creds })) {
      if (e.type === "file" && e.path !== ".gitattributes")
        entries.push({ path: e.path, size: e.size, ...(e.lfs ? { sha256: e.lfs.oid } : {}), gitOid: e.oid });
    }
  } catch (err) {
    throw translateRemoteError(err, { service: "hub", action: "list files of", target: `${repo}@${tag}` });
  }
  // Before any download: the folder must be empty or hold an earlier pull of this repo, and no
  // file the tool did not download is ever overwritten.
  const record = await readPullRecord(params.to);
  const { update, remove } = planPullUpdate({
    to: params.to,
    local: await readLocalFiles(params.to),
    record,
    repo,
    remote: entries.map((e) => e.path),
  });
  emit({ type: "step", step: "download", status: "start", detail: `${repo}@${tag}` });
  emit({ type: "totals", files: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0) });
  let bytes = 0;
  for (const e of entries) {
    if (e.path.startsWith("/") || e.path.split("/").includes("..")) {
      throw inputError("UNSAFE_REMOTE_PATH", `${repo}@${tag} lists an unsafe path '${e.path}'`, {
        hint: "report this repo to its owners",
      });
    }
    const dest = join(params.to, ...e.path.split("/"));
    const part = `${dest}.incomplete`;
    await mkdir(dirname(dest), { recursive: true });
    try {
      const blob = await downloadFile({ repo: designation, path: e.path, revision: commit, xet: false, ...creds });
      if (!blob)
        throw inputError("REMOTE_FILE_MISSING", `${e.path} is listed in ${repo}@${tag} but cannot be downloaded`, {
          hint: "pull again",
        });
      let got = 0;
      const source = Readable.fromWeb(blob.stream() as import("node:stream/web").ReadableStream<Uint8Array>);
      source.on("data", (chunk: Buffer) => {
        got += chunk.length;
        emit({ type: "file", path: e.path, state: "downloading", bytes: got, size: e.size });
      });
      await pipeline(source, createWriteStream(part));
      await rename(part, dest);
      bytes += got;
      emit({ type: "file", path: e.path, state: "done", bytes: got, size: e.size });
    } catch (err) {
      await rm(part, { force: true });
      throw translateRemoteError(err, { service: "hub", action: `download ${e.path} of`, target: `${repo}@${tag}` });
    }
  }
  for (const p of remove) await rm(join(params.to, ...p.split("/")), { force: true });
  await writePullRecord(params.to, {
    schema: "model-release/pull@1",
    hubUrl: hub.hubUrl,
    repo,
    repoType,
    tag,
    commit,
    files: entries.map((e) => e.path),
  });
  emit({
    type: "step",
    step: "download",
    status: "done",
    ...(update ? { detail: `updated in place, ${remove.length} removed` } : {}),
  });
  return { repo, tag, commit, bytes, ...(await verifyPulled(params.to, repo, tag, hub, emit, entries)) };
}

interface RemoteEntry {
  path: string;
  size: number;
  /** SHA-256 of an LFS file, as the Hub lists it. */
  sha256?: string;
  /** Git blob id (of the LFS pointer for LFS files). */
  gitOid?: string;
}

const RECORD = [".model-release", "pull.json"] as const;

async function readPullRecord(dir: string): Promise<PullRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(join(dir, ...RECORD), "utf8")) as PullRecord;
    return r.schema === "model-release/pull@1" && Array.isArray(r.files) ? r : undefined;
  } catch {
    return undefined;
  }
}

async function writePullRecord(dir: string, record: PullRecord): Promise<void> {
  await mkdir(join(dir, RECORD[0]), { recursive: true });
  const path = join(dir, ...RECORD);
  await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** Files under `dir` (POSIX relative), leaving out the tool's own `.model-release/`; none when it does not exist. */
async function readLocalFiles(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .filter((p) => p !== ".model-release" && !p.startsWith(".model-release/"))
    .sort();
}

/** Streams a file through a hash: SHA-256, or git's blob SHA-1 (`blob <size>\0` + bytes). */
async function hashLocal(file: string, kind: "sha256" | "git", size: number): Promise<string> {
  const h = createHash(kind === "sha256" ? "sha256" : "sha1");
  if (kind === "git") h.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

async function verifyPulled(
  dir: string,
  repo: string,
  tag: string,
  hub: HubClient,
  emit: ProgressSink,
  /** The remote listing (folder pulls): files outside it are the user's, and it tells whose fault a difference is. */
  entries?: RemoteEntry[],
): Promise<{ dir: string; checked: number; manifestBytes: number }> {
  emit({ type: "step", step: "verify", status: "start" });
  const v = await verifyBundle({ dir, signal: hub.signal });
  const pulled = entries ? new Set(entries.map((e) => e.path)) : undefined;
  // The user's own files beside an earlier pull are not part of the release: not an error.
  const extra = pulled ? v.extra.filter((p) => pulled.has(p)) : v.extra;
  const ok = v.missing.length === 0 && v.changed.length === 0 && extra.length === 0 && v.contentDigestOk;
  if (!ok) {
    // Whose fault: a file that is byte-identical to what the Hub lists but differs from the
    // manifest was published damaged; one that differs from the Hub's listing was damaged on the way.
    const byPath = new Map((entries ?? []).map((e) => [e.path, e]));
    const remoteFault: string[] = [];
    const downloadFault: string[] = [];
    for (const c of v.changed) {
      const e = byPath.get(c.path);
      if (!e) continue;
      const abs = join(dir, ...c.path.split("/"));
      const same = e.sha256
        ? (await hashLocal(abs, "sha256", e.size)) === e.sha256
        : e.gitOid
          ? (await hashLocal(abs, "git", c.actualSize)) === e.gitOid
          : false;
      (same ? remoteFault : downloadFault).push(c.path);
    }
    const bad = [
      ...v.missing.map((p) => `${p} (missing)`),
      ...v.changed.map((c) => `${c.path} (${c.reason === "content" ? "content differs" : "SHA256SUMS disagrees"})`),
      ...extra.map((p) => `${p} (not in manifest.json)`),
      ...(v.contentDigestOk ? [] : ["manifest.json (content digest)"]),
    ];
    const blame =
      remoteFault.length > 0
        ? `the release on the Hub is damaged: ${remoteFault.join(", ")} as the Hub serves ${remoteFault.length === 1 ? "it differs" : "them differ"} from manifest.json; report it to the repo's maintainers`
        : downloadFault.length > 0
          ? `the download is damaged: ${downloadFault.join(", ")} ${downloadFault.length === 1 ? "differs" : "differ"} from what the Hub lists; pull again`
          : "the release as published does not match its own manifest; report it to the repo's maintainers";
    throw verifyError(
      "PULL_VERIFY_FAILED",
      `${repo}@${tag} downloaded into ${dir} does not match its manifest: ${bad.join(", ")}`,
      {
        hint: blame,
        location: { file: dir },
        details: {
          missing: v.missing,
          changed: v.changed,
          extra,
          contentDigestOk: v.contentDigestOk,
          fault: remoteFault.length > 0 ? "remote" : downloadFault.length > 0 ? "download" : "remote",
          remoteFault,
          downloadFault,
        },
      },
    );
  }
  emit({ type: "step", step: "verify", status: "done" });
  return { dir, checked: v.checked, manifestBytes: v.manifest.files.reduce((n, f) => n + f.size, 0) };
}

/**
 * Total size of the files under `dir`, following the snapshot's links to their blobs; like the
 * plain pull, the Hub's own `.gitattributes` is not part of the release.
 */
async function sumFileSizes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true })) {
    if (entry === ".gitattributes") continue;
    const s = await stat(join(dir, entry));
    if (s.isFile()) total += s.size;
  }
  return total;
}
