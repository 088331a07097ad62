import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { acquireDataDirLock } from "./acquire-data-dir-lock.js";
import { createFaultInjector, type FaultInjector, type FaultRule } from "../faults.js";
import { repoForWrite, type Cfg, type Ctx } from "./hub-context.js";
import { commit, preupload } from "./hub-commit-routes.js";
import { HttpError, repoNotFound, sendError } from "./hub-http.js";
import {
  assertSigned,
  handleLfsBatch,
  handleLfsComplete,
  handleLfsPart,
  handleLfsUpload,
  type LfsConfig,
} from "./hub-lfs.js";
import { listCommits, pathsInfo, serveFile, tree } from "./hub-read-routes.js";
import { listRefs, createBranch, createTag, deleteBranch, deleteTag } from "./hub-refs-routes.js";
import { createRepo, deleteRepo, repoInfo, validateYaml, whoami } from "./hub-repo-routes.js";
import { createHubStore, RepoGoneError, type RepoKey, type RepoType } from "./hub-store.js";
import { createHubUser, findHubPrincipal, readHubUsers, type HubPrincipal, type HubTokenRole } from "./hub-users.js";

/** Options of the local Hub-compatible server. */
export interface StartHubServerParams {
  /** Where repos, objects, users and the URL-signing secret live; reused across restarts. One server per dir (locked). */
  dataDir: string;
  /** Default 127.0.0.1: the server is for loopback rehearsal, not for exposure. */
  host?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  faults?: FaultRule[];
  /** Largest file accepted (default 500 GiB, the Hub's hard limit). */
  maxFileBytes?: number;
  /** Largest NDJSON commit body, i.e. inline files base64 (default 256 MiB). */
  maxCommitBytes?: number;
  /** Objects above this use multipart transfer (default: multipartChunkBytes). */
  multipartThresholdBytes?: number;
  /** Part size of multipart transfers (default 64 MiB). */
  multipartChunkBytes?: number;
  /** Entries per page of tree listings (default 1000); commit pages follow the client's `limit`. */
  treePageSize?: number;
  /** Lifetime of signed LFS URLs in seconds (default 900, like the Hub's S3 URLs). */
  signedUrlSeconds?: number;
  /** Clock in ms, for signed-URL expiry and commit dates. */
  now?: () => number;
}

/** A running local Hub. */
export interface HubServer {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:34567: pass it as `hubUrl`. */
  url: string;
  faults: FaultInjector;
  /** Creates a user (or adds orgs to it) and mints an `hf_` token; the token is shown only here. */
  createUser(params: {
    name: string;
    orgs?: string[];
    role?: HubTokenRole;
    tokenName?: string;
  }): Promise<{ name: string; token: string; role: HubTokenRole }>;
  close(): Promise<void>;
}

const TYPES: Record<string, RepoType> = { models: "model", datasets: "dataset", spaces: "space" };

/**
 * Starts a Hub-compatible HTTP server (only node:http) that speaks the subset of the Hub protocol
 * `@huggingface/hub` 2.17 and Python `huggingface_hub` use to publish and fetch a release
 * (docs: /work/shared/reference/hub-protocol.md §2, §8).
 */
export async function startHubServer(params: StartHubServerParams): Promise<HubServer> {
  const store = createHubStore(params.dataDir);
  const unlock = await acquireDataDirLock(params.dataDir);
  try {
    await store.init();
  } catch (err) {
    await unlock();
    throw err;
  }
  const secret = await readOrCreateSecret(params.dataDir);
  const now = params.now ?? Date.now;
  const chunk = params.multipartChunkBytes ?? 64 * 1024 * 1024;
  let baseUrl = "";
  const lfs: LfsConfig = {
    store,
    secret,
    baseUrl: () => baseUrl,
    now,
    maxFileBytes: params.maxFileBytes ?? 500 * 1024 ** 3,
    multipartChunkBytes: chunk,
    multipartThresholdBytes: params.multipartThresholdBytes ?? chunk,
    signedUrlSeconds: params.signedUrlSeconds ?? 900,
    hashers: new Map(),
  };
  const cfg: Cfg = {
    store,
    lfs,
    now,
    maxCommitBytes: params.maxCommitBytes ?? 256 * 1024 * 1024,
    treePageSize: params.treePageSize ?? 1000,
    baseUrl: () => baseUrl,
  };
  const faults = createFaultInjector(params.faults ?? []);

  const server = createServer((req, res) => {
    res.setHeader("x-request-id", randomBytes(8).toString("hex"));
    void (async () => {
      try {
        if (await faults.intercept(req, res)) return;
        await route(cfg, req, res);
      } catch (err) {
        if (err instanceof HttpError) sendError(res, err);
        else if (err instanceof RepoGoneError) sendError(res, repoNotFound());
        else sendError(res, new HttpError(500, `Internal error: ${(err as Error).message}`));
      }
    })();
  });
  // Multi-GB uploads take longer than Node's default 5-minute request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => void unlock().then(() => reject(err)));
    server.listen(params.port ?? 0, params.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  baseUrl = `http://${host}:${addr.port}`;
  return {
    url: baseUrl,
    faults,
    createUser: (p) => createHubUser({ dataDir: params.dataDir, ...p }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => void unlock().then(() => (err ? reject(err) : resolve())));
        server.closeAllConnections();
      }),
  };
}

async function readOrCreateSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, "url-signing.key");
  try {
    return Buffer.from(await readFile(path, "utf8"), "hex");
  } catch {
    const key = randomBytes(32);
    await writeFile(path, key.toString("hex"), { mode: 0o600, flag: "wx" }).catch(() => undefined);
    return Buffer.from(await readFile(path, "utf8"), "hex");
  }
}
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

async function authenticate(req: IncomingMessage, dataDir: string): Promise<HubPrincipal | undefined> {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  const principal = m ? findHubPrincipal(await readHubUsers(dataDir), m[1]!) : undefined;
  // Python treats a 401 as "repo not found" unless it carries exactly this message.
  if (!principal) throw new HttpError(401, "Invalid credentials in Authorization header");
  return principal;
}

async function route(cfg: Cfg, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", cfg.baseUrl());
  const method = req.method ?? "GET";
  const seg = decodeSegments(url.pathname.replace(/\/{2,}/g, "/"));

  // Signed transfer URLs carry their own authorization (the clients send no token there).
  if (seg[0] === "lfs") {
    assertSigned(cfg.lfs, method, url);
    if (method === "PUT" && seg[1] === "upload" && seg.length === 4)
      return handleLfsUpload(cfg.lfs, req, res, seg[2]!, seg[3]!);
    if (method === "PUT" && seg[1] === "multipart" && seg.length === 4)
      return handleLfsPart(cfg.lfs, req, res, seg[2]!, seg[3]!);
    if (method === "POST" && seg[1] === "multipart" && seg[3] === "complete" && seg.length === 4)
      return handleLfsComplete(cfg.lfs, req, res, seg[2]!);
    throw new HttpError(404, "Not found");
  }

  const ctx: Ctx = { req, res, url, principal: await authenticate(req, cfg.store.dataDir) };

  if (seg[0] === "api") {
    const [, a, b] = seg;
    if (a === "whoami-v2" && seg.length === 2 && method === "GET") return whoami(ctx);
    if (a === "repos" && b === "create" && method === "POST") return createRepo(cfg, ctx);
    if (a === "repos" && b === "delete" && method === "DELETE") return deleteRepo(cfg, ctx);
    if (a === "validate-yaml" && method === "POST") return validateYaml(ctx);
    const type = a ? TYPES[a] : undefined;
    if (type && seg.length >= 4) {
      const key: RepoKey = { type, namespace: seg[2]!, name: seg[3]! };
      const action = seg[4];
      const rest = seg.slice(5);
      if (action === undefined && method === "GET") return repoInfo(cfg, ctx, key, "HEAD");
      if (action === "revision" && method === "GET") return repoInfo(cfg, ctx, key, rest.join("/"));
      if (action === "preupload" && method === "POST") return preupload(cfg, ctx, key, rest.join("/"));
      if (action === "commit" && method === "POST") return commit(cfg, ctx, key, rest.join("/"));
      if (action === "tree" && method === "GET") return tree(cfg, ctx, key, rest);
      if (action === "paths-info" && method === "POST") return pathsInfo(cfg, ctx, key, rest.join("/"));
      if (action === "commits" && method === "GET") return listCommits(cfg, ctx, key, rest.join("/"));
      if (action === "refs" && method === "GET") return listRefs(cfg, ctx, key);
      if (action === "branch" && method === "POST") return createBranch(cfg, ctx, key, rest.join("/"));
      if (action === "branch" && method === "DELETE") return deleteBranch(cfg, ctx, key, rest.join("/"));
      if (action === "tag" && method === "POST") return createTag(cfg, ctx, key, rest.join("/"));
      if (action === "tag" && method === "DELETE") return deleteTag(cfg, ctx, key, rest.join("/"));
    }
    throw new HttpError(404, `No such endpoint: ${method} ${url.pathname}`);
  }

  // Git-LFS and file URLs: {prefix}{ns}/{name}... where prefix is "" for models.
  let type: RepoType = "model";
  let s = seg;
  if (seg[0] === "datasets" || seg[0] === "spaces") {
    type = TYPES[seg[0]]!;
    s = seg.slice(1);
  }
  if (s.length >= 2) {
    const name = s[1]!;
    if (name.endsWith(".git") && s.slice(2).join("/") === "info/lfs/objects/batch" && method === "POST") {
      const key: RepoKey = { type, namespace: s[0]!, name: name.slice(0, -4) };
      await repoForWrite(cfg, ctx, key);
      return handleLfsBatch(cfg.lfs, req, res);
    }
    const key: RepoKey = { type, namespace: s[0]!, name };
    if ((s[2] === "resolve" || s[2] === "raw") && (method === "GET" || method === "HEAD")) {
      return serveFile(cfg, ctx, key, s.slice(3), s[2] === "raw");
    }
  }
  throw new HttpError(404, `No such endpoint: ${method} ${url.pathname}`);
}
