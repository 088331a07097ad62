import {
  commitIter,
  createRepo,
  downloadFile,
  listCommits,
  listFiles,
  type CommitOperation,
  type RepoDesignation,
} from "@huggingface/hub";
import { blockedError, conflictError, remoteError } from "../errors.js";
import { createPartOrderFetch, createUploadProgressFetch } from "./hub-upload-fetch.js";
import { openFileBlob } from "./open-file-blob.js";
import type { ProgressSink } from "./progress.js";
import { throttleProgress } from "./throttle-progress.js";
import { translateRemoteError } from "./translate-remote-error.js";
import type { HubPublishPlan, HubRemoteState, HubRepoType, ReleaseBundle, RemoteFile } from "./types.js";

/** How every Hub call is made: endpoint, token and fetch are always passed, never global. */
export interface HubClient {
  hubUrl: string;
  accessToken?: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

export interface HubRefs {
  branches: { name: string; targetCommit: string }[];
  tags: { name: string; targetCommit: string }[];
}

const designation = (repo: string, repoType: HubRepoType): RepoDesignation => ({ type: repoType, name: repo });
const apiBase = (hub: HubClient, repo: string, repoType: HubRepoType) => `${hub.hubUrl}/api/${repoType}s/${repo}`;

async function hubJson<T>(
  hub: HubClient,
  url: string,
  init: RequestInit,
  ctx: { action: string; target: string },
): Promise<{ status: number; body: T | undefined }> {
  let res: Response;
  try {
    res = await hub.fetch(url, {
      ...init,
      headers: {
        ...(hub.accessToken ? { Authorization: `Bearer ${hub.accessToken}` } : {}),
        ...(init.body ? { "Content-Type": "application/json" } : {}),
      },
      ...(hub.signal ? { signal: hub.signal } : {}),
    });
  } catch (err) {
    throw translateRemoteError(err, { service: "hub", ...ctx });
  }
  const text = await res.text();
  let body: T | undefined;
  try {
    body = text ? (JSON.parse(text) as T) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

function failed(status: number, body: unknown, ctx: { action: string; target: string }) {
  const msg = (body as { error?: unknown })?.error;
  return translateRemoteError(
    Object.assign(new Error(typeof msg === "string" ? msg : `HTTP ${status}`), { statusCode: status }),
    { service: "hub", ...ctx },
  );
}

/**
 * Asks the Hub to validate a card's YAML metadata (`POST /api/validate-yaml`), as
 * huggingface_hub's `create_commit` does whenever a README is in the commit, so a card the Hub
 * would reject fails before anything is sent.
 *
 * @throws ReleaseError `HUB_CARD_INVALID` (blocked) naming the file and the Hub's messages.
 */
export async function assertHubCardValid(
  hub: HubClient,
  params: { repo: string; repoType: HubRepoType; path: string; content: string },
): Promise<void> {
  const ctx = { action: "validate the card metadata of", target: `${params.repo}:${params.path}` };
  const { status, body } = await hubJson<{ errors?: { message?: string }[]; error?: string }>(
    hub,
    `${hub.hubUrl}/api/validate-yaml`,
    { method: "POST", body: JSON.stringify({ content: params.content, repoType: params.repoType }) },
    ctx,
  );
  if (status === 400 || status === 422) {
    const messages = (body?.errors ?? []).map((e) => e.message).filter(Boolean);
    throw blockedError(
      "HUB_CARD_INVALID",
      `${params.path}: the Hub rejects its YAML metadata: ${messages.join("; ") || body?.error || `HTTP ${status}`}`,
      {
        location: { file: params.path },
        hint: "fix the card's front matter (the config's card fields or the model-cards/ template), build again, then publish",
      },
    );
  }
  if (status >= 300) throw failed(status, body, ctx);
}

/** The repo's branches and tags (`GET /api/{type}s/{repo}/refs`); undefined when the repo does not exist. */
export async function fetchHubRefs(hub: HubClient, repo: string, repoType: HubRepoType): Promise<HubRefs | undefined> {
  const ctx = { action: "list refs of", target: repo };
  const { status, body } = await hubJson<HubRefs>(hub, `${apiBase(hub, repo, repoType)}/refs`, { method: "GET" }, ctx);
  if (status === 404) return undefined;
  if (status < 200 || status >= 300 || !body) throw failed(status, body, ctx);
  return { branches: body.branches ?? [], tags: body.tags ?? [] };
}

/** The manifest's content digest at a revision, or null when there is no readable manifest there. */
export async function fetchHubManifestDigest(
  hub: HubClient,
  repo: string,
  repoType: HubRepoType,
  revision: string,
): Promise<string | null> {
  try {
    const blob = await downloadFile({
      repo: designation(repo, repoType),
      path: "manifest.json",
      revision,
      hubUrl: hub.hubUrl,
      fetch: hub.fetch,
      xet: false,
      accessToken: hub.accessToken,
    });
    if (!blob) return null;
    const digest = (JSON.parse(await blob.text()) as { contentDigest?: unknown }).contentDigest;
    return typeof digest === "string" ? digest : null;
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw translateRemoteError(err, {
      service: "hub",
      action: "download manifest.json of",
      target: `${repo}@${revision}`,
    });
  }
}

/** Everything the Hub plan needs, in as few calls as possible: refs, the head tree, the tagged manifest. */
export async function fetchHubState(
  hub: HubClient,
  params: { repo: string; repoType: HubRepoType; tag: string; branch?: string },
): Promise<HubRemoteState> {
  const branch = params.branch ?? "main";
  const refs = await fetchHubRefs(hub, params.repo, params.repoType);
  if (!refs) return { exists: false, files: [], tags: [] };
  const head = refs.branches.find((b) => b.name === branch)?.targetCommit;
  const files: RemoteFile[] = [];
  if (head) {
    try {
      for await (const entry of listFiles({
        repo: designation(params.repo, params.repoType),
        recursive: true,
        revision: head,
        hubUrl: hub.hubUrl,
        fetch: hub.fetch,
        accessToken: hub.accessToken,
      })) {
        if (entry.type !== "file") continue;
        files.push({
          path: entry.path,
          size: entry.size,
          ...(entry.lfs ? { lfsSha256: entry.lfs.oid } : {}),
          ...(entry.oid ? { gitOid: entry.oid } : {}),
        });
      }
    } catch (err) {
      throw translateRemoteError(err, { service: "hub", action: "list files of", target: `${params.repo}@${head}` });
    }
  }
  const tags = refs.tags.map((t) => ({ name: t.name, commit: t.targetCommit }));
  const tagged = tags.find((t) => t.name === params.tag);
  const state: HubRemoteState = { exists: true, ...(head ? { head } : {}), files, tags };
  if (tagged) state.taggedDigest = await fetchHubManifestDigest(hub, params.repo, params.repoType, tagged.commit);
  return state;
}

/** Creates the repo; an existing one (409) is fine. */
export async function applyHubCreateRepo(hub: HubClient, plan: HubPublishPlan): Promise<void> {
  try {
    await createRepo({
      repo: designation(plan.repo, plan.repoType),
      visibility: plan.private ? "private" : "public",
      hubUrl: hub.hubUrl,
      fetch: hub.fetch,
      accessToken: hub.accessToken as `hf_${string}`,
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) return;
    throw translateRemoteError(err, { service: "hub", action: "create repo", target: plan.repo });
  }
}

/**
 * The one atomic commit: adds and changes the release's files (LFS objects first, skipped when
 * the server has them) and deletes what the release no longer has, based on `parentCommit`.
 * Returns the commit id. A 412 means the branch moved: when the head is our own commit (a retry
 * after the first attempt landed) that is success; otherwise another publish won.
 */
export async function applyHubCommit(
  hub: HubClient,
  params: { plan: HubPublishPlan; bundle: ReleaseBundle; runId: string; takeover?: boolean; onEvent?: ProgressSink },
): Promise<string> {
  const { plan, bundle } = params;
  const commit = plan.commit;
  if (!commit) throw remoteError("INTERNAL_PLAN", "no commit planned", {});
  const byPath = new Map(bundle.files.map((f) => [f.path, f]));
  const operations: CommitOperation[] = [
    ...[...commit.add, ...commit.change].map((f): CommitOperation => {
      const file = byPath.get(f.path)!;
      // Our own lazy blob, not a file URL: the library's blob reads 64 KiB at a time.
      return { operation: "addOrUpdate", path: f.path, content: openFileBlob({ path: file.absPath, size: file.size }) };
    }),
    ...commit.delete.map((f): CommitOperation => ({ operation: "delete", path: f.path })),
  ];
  const marker = `model-release-run: ${params.runId}`;
  if (operations.length === 0) {
    // The head already holds exactly this content: our own commit (a crash before the journal
    // recorded it), an earlier version with the same files, or another run's commit of this very
    // tag that it has not tagged yet: that one is a concurrent publish.
    if (!plan.parentCommit)
      throw remoteError("HUB_NO_HEAD", `${plan.repo} has no ${plan.branch} branch to tag`, {
        hint: "check the repo on the Hub",
      });
    const head = await fetchHeadCommit(hub, plan);
    if (head?.message.startsWith(commit.title) && !head.message.includes(marker) && !params.takeover) {
      throw conflictError(
        "CONCURRENT_PUBLISH",
        `another publish of ${plan.tag.name} committed this content to ${plan.repo} and has not tagged it yet`,
        {
          hint: "let that publish finish; if it died, run again with --takeover to tag its commit",
          details: { repo: plan.repo, head: head.id },
        },
      );
    }
    return plan.parentCommit;
  }
  const sizes = new Map(bundle.files.map((f) => [f.path, f.size]));
  // The library reports every chunk it hashes; ten events a second per file are plenty.
  const emit = params.onEvent && throttleProgress(params.onEvent);
  const partOrdered = createPartOrderFetch(hub.fetch);
  try {
    const iter = commitIter({
      repo: designation(plan.repo, plan.repoType),
      title: commit.title,
      description: `content-digest: ${bundle.manifest.contentDigest}\n${marker}`,
      operations,
      branch: plan.branch,
      parentCommit: plan.parentCommit,
      hubUrl: hub.hubUrl,
      fetch: emit ? createUploadProgressFetch(partOrdered, sizes, emit) : partOrdered,
      useXet: false,
      abortSignal: hub.signal,
      accessToken: hub.accessToken,
    });
    for (;;) {
      const next = await iter.next();
      if (next.done) {
        if (!next.value)
          throw remoteError("HUB_COMMIT_NO_RESULT", `the Hub did not return a commit for ${plan.repo}`, {
            hint: "run again",
          });
        return next.value.commit.oid;
      }
      const ev = next.value;
      if (ev.event === "fileProgress" && ev.state !== "error") {
        const size = sizes.get(ev.path) ?? 0;
        // Upload bytes come from the request bodies (below); the library itself only says 0 and 1.
        if (ev.state === "hashing" || ev.progress === 0 || ev.progress === 1)
          emit?.({ type: "file", path: ev.path, state: ev.state, bytes: Math.round(ev.progress * size), size });
      }
    }
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 412 || status === 409) {
      const head = await fetchHeadCommit(hub, plan);
      if (head?.message.includes(marker)) return head.id;
      throw conflictError(
        "CONCURRENT_PUBLISH",
        `${plan.repo} changed while publishing ${plan.tag.name}: the ${plan.branch} branch moved past ${plan.parentCommit?.slice(0, 12) ?? "its head"}`,
        {
          hint: "another publish or a manual commit landed first; run again to re-plan against the new head (a tag that exists with the same content counts as done)",
          details: { repo: plan.repo, head: head?.id ?? null },
        },
      );
    }
    throw translateRemoteError(err, { service: "hub", action: "commit to", target: `${plan.repo}@${plan.branch}` });
  }
}

async function fetchHeadCommit(
  hub: HubClient,
  plan: HubPublishPlan,
): Promise<{ id: string; message: string } | undefined> {
  try {
    for await (const c of listCommits({
      repo: designation(plan.repo, plan.repoType),
      revision: plan.branch,
      batchSize: 1,
      hubUrl: hub.hubUrl,
      fetch: hub.fetch,
      accessToken: hub.accessToken,
    })) {
      return { id: c.oid, message: `${c.title}\n${c.message}` };
    }
  } catch (err) {
    throw translateRemoteError(err, { service: "hub", action: "read the head commit of", target: plan.repo });
  }
  return undefined;
}

/**
 * Tags the commit (`POST /api/{type}s/{repo}/tag/{commit}`; the JS client has no tag function).
 * An existing tag is success only when it points at this commit or at identical content.
 */
export async function applyHubTag(
  hub: HubClient,
  params: { repo: string; repoType: HubRepoType; tag: string; commit: string; contentDigest: string },
): Promise<void> {
  const ctx = { action: `tag ${params.tag} on`, target: params.repo };
  const url = `${apiBase(hub, params.repo, params.repoType)}/tag/${encodeURIComponent(params.commit)}`;
  const { status, body } = await hubJson(
    hub,
    url,
    { method: "POST", body: JSON.stringify({ tag: params.tag, message: `Release ${params.tag}` }) },
    ctx,
  );
  if (status >= 200 && status < 300) return;
  if (status !== 409) throw failed(status, body, ctx);
  // The tag did not exist when the release was planned: either our own first attempt landed
  // (its response was lost) and the tag points at our commit, or a concurrent publish won.
  const refs = await fetchHubRefs(hub, params.repo, params.repoType);
  const existing = refs?.tags.find((t) => t.name === params.tag);
  if (existing?.targetCommit === params.commit) return;
  const digest = existing
    ? await fetchHubManifestDigest(hub, params.repo, params.repoType, existing.targetCommit)
    : null;
  if (digest === params.contentDigest) {
    throw conflictError(
      "CONCURRENT_PUBLISH",
      `another publish created tag ${params.tag} on ${params.repo} while this one ran`,
      {
        hint: "the same content is released; run again to complete the GitHub side if it is missing",
        details: { repo: params.repo, tag: params.tag },
      },
    );
  }
  throw conflictError(
    "TAG_CONFLICT",
    `tag ${params.tag} on ${params.repo} already points at ${existing?.targetCommit.slice(0, 12) ?? "another commit"} with different content`,
    {
      hint: "tags never move: publish this content under a new version",
      details: { repo: params.repo, tag: params.tag },
    },
  );
}
