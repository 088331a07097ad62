import { createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { downloadFile, listFiles, snapshotDownload, type RepoDesignation } from "@huggingface/hub";
import { verifyBundle } from "../bundle/verify-bundle.js";
import { inputError, usageError, verifyError } from "../errors.js";
import { fetchHubRefs, type HubClient } from "./hub-publisher.js";
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
  const creds = { hubUrl: hub.hubUrl, fetch: hub.fetch, ...(hub.accessToken ? { accessToken: hub.accessToken } : {}) };
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
  const entries: { path: string; size: number }[] = [];
  try {
    for await (const e of listFiles({ repo: designation, recursive: true, revision: commit, ...creds })) {
      if (e.type === "file" && e.path !== ".gitattributes") entries.push({ path: e.path, size: e.size });
    }
  } catch (err) {
    throw translateRemoteError(err, { service: "hub", action: "list files of", target: `${repo}@${tag}` });
  }
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
  emit({ type: "step", step: "download", status: "done" });
  return { repo, tag, commit, bytes, ...(await verifyPulled(params.to, repo, tag, hub, emit)) };
}

async function verifyPulled(
  dir: string,
  repo: string,
  tag: string,
  hub: HubClient,
  emit: ProgressSink,
): Promise<{ dir: string; checked: number; manifestBytes: number }> {
  emit({ type: "step", step: "verify", status: "start" });
  const v = await verifyBundle({ dir, ...(hub.signal ? { signal: hub.signal } : {}) });
  if (!v.ok) {
    const bad = [
      ...v.missing.map((p) => `${p} (missing)`),
      ...v.changed.map((c) => `${c.path} (${c.reason === "content" ? "content differs" : "SHA256SUMS disagrees"})`),
      ...v.extra.map((p) => `${p} (not in manifest.json)`),
      ...(v.contentDigestOk ? [] : ["manifest.json (content digest)"]),
    ];
    throw verifyError(
      "PULL_VERIFY_FAILED",
      `${repo}@${tag} downloaded into ${dir} does not match its manifest: ${bad.join(", ")}`,
      {
        hint: "pull again into an empty folder; if the same files differ, the release on the Hub is damaged: report it to its maintainers",
        location: { file: dir },
        details: { missing: v.missing, changed: v.changed, extra: v.extra, contentDigestOk: v.contentDigestOk },
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
