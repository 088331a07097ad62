import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, repoNotFound, revisionNotFound } from "./hub-http.js";
import type { LfsConfig } from "./hub-lfs.js";
import { gitBlobSha1, isValidRepoNamePart } from "./hub-paths.js";
import type { CommitObject, HubStore, RepoKey, RepoMeta, RepoRefs, TreeEntry } from "./hub-store.js";
import { ownsNamespace, type HubPrincipal } from "./hub-users.js";

/** Shared by the route handlers of the local Hub: configuration, request context, access control. */

/** Small JSON bodies (preupload with 1000 samples is ~700 KB). */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

/** One request, authenticated. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  principal: HubPrincipal | undefined;
}
/** Server-wide settings and the store. */
export interface Cfg {
  store: HubStore;
  lfs: LfsConfig;
  now: () => number;
  maxCommitBytes: number;
  treePageSize: number;
  baseUrl: () => string;
}

/** The repo if the caller may read it; 404 RepoNotFound otherwise (private repos included). */
export async function repoForRead(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<RepoMeta> {
  if (!isValidRepoNamePart(key.namespace) || !isValidRepoNamePart(key.name)) throw repoNotFound();
  const meta = await cfg.store.readRepo(key);
  // A private repo is indistinguishable from a missing one to anyone without rights on it.
  if (!meta || (meta.private && !ownsNamespace(ctx.principal, key.namespace))) throw repoNotFound();
  return meta;
}

/**
 * The repo if the caller may download its files: a gated repo's files need access, which the
 * stand-in grants to the namespace's members only (the Hub: 401 anonymous, 403 without access).
 */
export async function repoForDownload(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<RepoMeta> {
  const meta = await repoForRead(cfg, ctx, key);
  if (meta.gated && !ownsNamespace(ctx.principal, key.namespace)) {
    throw new HttpError(
      ctx.principal ? 403 : 401,
      `Access to ${key.type} ${key.namespace}/${key.name} is restricted. You must have access to it and be authenticated to access it.`,
      "GatedRepo",
    );
  }
  return meta;
}

/** The repo if the caller may write to it: 404 if invisible, 401 without a token, 403 without rights. */
export async function repoForWrite(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<RepoMeta> {
  const meta = await repoForRead(cfg, ctx, key);
  assertCanWrite(ctx, key.namespace);
  return meta;
}

/** Throws 401/403 unless the principal owns the namespace with a write token. */
export function assertCanWrite(ctx: Ctx, namespace: string): HubPrincipal {
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "You must be authenticated to write; pass a token with write access");
  if (!ownsNamespace(p, namespace))
    throw new HttpError(
      403,
      `You don't have the rights to write to the "${namespace}" namespace (local stand-in: start \`model-release serve\` with --org ${namespace}, or with --config <release config> to create every org and repo a config names)`,
    );
  if (p.role !== "write") throw new HttpError(403, "This token is read-only; use a token with the write role");
  return p;
}
/** The web URL of a repo, as the Hub returns it from create and commit. */
export function repoUrl(cfg: Cfg, key: RepoKey): string {
  return `${cfg.baseUrl()}/${key.type === "model" ? "" : `${key.type}s/`}${key.namespace}/${key.name}`;
}

/** Stores inline content and returns its tree entry. */
export async function regularEntry(store: HubStore, content: Buffer): Promise<TreeEntry> {
  return {
    size: content.length,
    sha256: await store.putObjectBytes(content),
    gitOid: gitBlobSha1(content),
    lfs: false,
  };
}
/** The commit a revision names, or 404 RevisionNotFound. */
export async function resolveOrThrow(cfg: Cfg, key: RepoKey, rev: string, refs?: RepoRefs): Promise<CommitObject> {
  const id = await cfg.store.resolveRevision(key, rev, refs);
  const c = id ? await cfg.store.readCommit(key, id) : undefined;
  if (!c) throw revisionNotFound(rev);
  return c;
}

/** Splits unencoded `{rev}/{path}` segments git-style: the longest prefix naming a revision wins. */
export async function resolveRevAndPath(
  cfg: Cfg,
  key: RepoKey,
  segs: string[],
): Promise<{ commit: CommitObject; path: string }> {
  const refs = await cfg.store.readRefs(key);
  for (let i = segs.length; i >= 1; i--) {
    const id = await cfg.store.resolveRevision(key, segs.slice(0, i).join("/"), refs);
    if (id) {
      const commit = await cfg.store.readCommit(key, id);
      if (commit) return { commit, path: segs.slice(i).join("/") };
    }
  }
  throw revisionNotFound(segs[0] ?? "");
}
