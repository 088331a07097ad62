import type { IncomingMessage, ServerResponse } from "node:http";
import { commit, preupload } from "./hub-commit-routes.js";
import { type Cfg, type Ctx, repoForDownload, repoForWrite } from "./hub-context.js";
import {
  changeDiscussionStatus,
  commentDiscussion,
  createDiscussion,
  getDiscussion,
  listDiscussions,
  mergePullRequest,
  superSquash,
} from "./hub-discussion-routes.js";
import { handleLfsDownload, serveFile } from "./hub-download-routes.js";
import { isGitHttpPath, readRepoLfsObjects, serveHubGit } from "./hub-git-routes.js";
import { HttpError, repoNotFound } from "./hub-http.js";
import {
  assertSigned,
  handleLfsBatch,
  handleLfsComplete,
  handleLfsDownloadBatch,
  handleLfsPart,
  handleLfsUpload,
  readLfsBatch,
} from "./hub-lfs.js";
import { listCommits, pathsInfo, tree } from "./hub-read-routes.js";
import { createBranch, createTag, deleteBranch, deleteTag, listRefs } from "./hub-refs-routes.js";
import {
  authCheck,
  duplicateRepo,
  listOwnRepos,
  listRepos,
  moveRepo,
  repoInfo,
  updateSettings,
} from "./hub-repo-info-routes.js";
import { createRepo, deleteRepo, validateYaml, whoami } from "./hub-repo-routes.js";
import type { RepoKey, RepoType } from "./hub-store.js";
import { findHubPrincipal, readHubUsers, type HubPrincipal } from "./hub-users.js";

const TYPES: Record<string, RepoType> = { models: "model", datasets: "dataset", spaces: "space" };

function decodeSegments(pathname: string): string[] {
  try {
    return pathname
      .split("/")
      .slice(1)
      .map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, "Malformed percent-encoding in the URL");
  }
}

/** `Bearer hf_...` from the clients, or HTTP Basic with the token as password from git. */
async function authenticate(req: IncomingMessage, dataDir: string): Promise<HubPrincipal | undefined> {
  const h = req.headers.authorization;
  if (!h) return undefined;
  let token: string | undefined = /^Bearer\s+(\S+)$/i.exec(h)?.[1];
  const basic = /^Basic\s+(\S+)$/i.exec(h)?.[1];
  if (basic) token = Buffer.from(basic, "base64").toString("utf8").split(":").slice(1).join(":");
  const principal = token ? findHubPrincipal(await readHubUsers(dataDir), token) : undefined;
  // Python treats a 401 as "repo not found" unless it carries exactly this message.
  if (!principal) throw new HttpError(401, "Invalid credentials in Authorization header");
  return principal;
}

/** Dispatches one request of the local Hub by method and path (hub-protocol.md §1.1). */
export async function routeHubRequest(cfg: Cfg, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", cfg.baseUrl());
  const method = req.method ?? "GET";
  const seg = decodeSegments(url.pathname.replace(/\/{2,}/g, "/"));

  // Signed transfer URLs carry their own authorization (the clients send no token there).
  if (seg[0] === "lfs") {
    // A signed GET also admits HEAD: clients probe size and ETag before downloading.
    assertSigned(cfg.lfs, method === "HEAD" ? "GET" : method, url);
    if (method === "PUT" && seg[1] === "upload" && seg.length === 4)
      return handleLfsUpload(cfg.lfs, req, res, seg[2]!, seg[3]!);
    if (method === "PUT" && seg[1] === "multipart" && seg.length === 4)
      return handleLfsPart(cfg.lfs, req, res, seg[2]!, seg[3]!);
    if (method === "POST" && seg[1] === "multipart" && seg[3] === "complete" && seg.length === 4)
      return handleLfsComplete(cfg.lfs, req, res, seg[2]!);
    if ((method === "GET" || method === "HEAD") && seg[1] === "download" && (seg.length === 3 || seg.length === 4))
      return handleLfsDownload(cfg.lfs, { req, res }, seg[2]!, seg[3]);
    throw new HttpError(404, "Not found");
  }

  const ctx: Ctx = { req, res, url, principal: await authenticate(req, cfg.store.dataDir) };

  if (seg[0] === "api") return routeApi(cfg, ctx, seg, method);

  // Git, Git-LFS and file URLs: {prefix}{ns}/{name}[.git]/... where prefix is "" for models.
  let type: RepoType = "model";
  let s = seg;
  if (seg[0] === "datasets" || seg[0] === "spaces") {
    type = TYPES[seg[0]]!;
    s = seg.slice(1);
  }
  if (s.length >= 2) {
    const dotGit = s[1]!.endsWith(".git");
    const key = await cfg.store.canonicalKey({ type, namespace: s[0]!, name: dotGit ? s[1]!.slice(0, -4) : s[1]! });
    const rest = s.slice(2);
    if (rest.join("/") === "info/lfs/objects/batch" && method === "POST") {
      const body = await readLfsBatch(req);
      if (body.operation === "download") {
        await repoForDownload(cfg, ctx, key);
        const referenced = await readRepoLfsObjects(cfg.store, key);
        return handleLfsDownloadBatch(cfg.lfs, res, body, async (oid) => referenced.has(oid));
      }
      await repoForWrite(cfg, ctx, key);
      return handleLfsBatch(cfg.lfs, res, body);
    }
    if (isGitHttpPath(rest)) return serveHubGit(cfg, ctx, key, rest);
    if (!dotGit && (rest[0] === "resolve" || rest[0] === "raw") && (method === "GET" || method === "HEAD"))
      return serveFile(cfg, ctx, key, rest.slice(1), rest[0] === "raw");
  }
  throw new HttpError(404, `No such endpoint: ${method} ${url.pathname}`);
}

async function routeApi(cfg: Cfg, ctx: Ctx, seg: string[], method: string): Promise<void> {
  const [, a, b] = seg;
  if (a === "whoami-v2" && seg.length === 2 && method === "GET") return whoami(ctx);
  if (a === "repos" && b === "create" && method === "POST") return createRepo(cfg, ctx);
  if (a === "repos" && b === "delete" && method === "DELETE") return deleteRepo(cfg, ctx);
  if (a === "repos" && b === "move" && method === "POST") return moveRepo(cfg, ctx);
  if (a === "validate-yaml" && method === "POST") return validateYaml(ctx);
  if (a === "settings" && b === "repositories" && seg.length === 3 && method === "GET") return listOwnRepos(cfg, ctx);
  if (a === "organizations" && seg[3] === "settings" && seg[4] === "repositories" && method === "GET")
    return listOwnRepos(cfg, ctx, b);
  const type = a ? TYPES[a] : undefined;
  if (type && seg.length === 2 && method === "GET") return listRepos(cfg, ctx, type);
  // A namespace-less id names no repo: answer as the Hub does, so `repo_exists("x")` is False.
  if (type && seg.length === 3) throw repoNotFound();
  if (type && seg.length >= 4) {
    const key: RepoKey = await cfg.store.canonicalKey({ type, namespace: seg[2]!, name: seg[3]! });
    const action = seg[4];
    const rest = seg.slice(5);
    const r = rest.join("/");
    if (action === undefined && method === "GET") return repoInfo(cfg, ctx, key, "HEAD");
    if (action === "revision" && method === "GET") return repoInfo(cfg, ctx, key, r);
    if (action === "preupload" && method === "POST") return preupload(cfg, ctx, key, r);
    if (action === "commit" && method === "POST") return commit(cfg, ctx, key, r);
    if (action === "tree" && method === "GET") return tree(cfg, ctx, key, rest);
    if (action === "paths-info" && method === "POST") return pathsInfo(cfg, ctx, key, r);
    if (action === "commits" && method === "GET") return listCommits(cfg, ctx, key, r);
    if (action === "refs" && method === "GET") return listRefs(cfg, ctx, key);
    if (action === "branch" && method === "POST") return createBranch(cfg, ctx, key, r);
    if (action === "branch" && method === "DELETE") return deleteBranch(cfg, ctx, key, r);
    if (action === "tag" && method === "POST") return createTag(cfg, ctx, key, r);
    if (action === "tag" && method === "DELETE") return deleteTag(cfg, ctx, key, r);
    if (action === "settings" && method === "PUT") return updateSettings(cfg, ctx, key);
    if (action === "auth-check" && method === "GET") return authCheck(cfg, ctx, key, r === "write");
    if (action === "duplicate" && method === "POST") return duplicateRepo(cfg, ctx, key);
    if (action === "super-squash" && method === "POST") return superSquash(cfg, ctx, key, r);
    if (action === "discussions") {
      if (rest.length === 0 && method === "GET") return listDiscussions(cfg, ctx, key);
      if (rest.length === 0 && method === "POST") return createDiscussion(cfg, ctx, key);
      if (rest.length === 1 && method === "GET") return getDiscussion(cfg, ctx, key, rest[0]!);
      if (rest.length === 2 && method === "POST" && rest[1] === "comment")
        return commentDiscussion(cfg, ctx, key, rest[0]!);
      if (rest.length === 2 && method === "POST" && rest[1] === "status")
        return changeDiscussionStatus(cfg, ctx, key, rest[0]!);
      if (rest.length === 2 && method === "POST" && rest[1] === "merge")
        return mergePullRequest(cfg, ctx, key, rest[0]!);
    }
  }
  throw new HttpError(404, `No such endpoint: ${method} ${ctx.url.pathname}`);
}
