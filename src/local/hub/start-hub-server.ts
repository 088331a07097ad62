import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { createFaultInjector, type FaultInjector, type FaultRule } from "../faults.js";
import {
  HttpError, entryNotFound, parseRange, readBody, readJsonBody, repoNotFound, revisionNotFound, sendError, sendJson,
} from "./hub-http.js";
import { assertSigned, handleLfsBatch, handleLfsComplete, handleLfsPart, handleLfsUpload, type LfsConfig } from "./hub-lfs.js";
import {
  DEFAULT_GITATTRIBUTES, checkRepoPath, gitBlobSha1, isValidRefName, isValidRepoNamePart, parseGitattributes,
  planGitattributesUpdate, planUploadMode, renderLfsPointer,
} from "./hub-paths.js";
import { createHubStore, RepoGoneError, type CommitObject, type HubStore, type RepoKey, type RepoMeta, type RepoRefs, type RepoType, type TreeEntry } from "./hub-store.js";
import { createHubUser, findHubPrincipal, ownsNamespace, readHubUsers, type HubPrincipal, type HubTokenRole } from "./hub-users.js";

/** Options of the local Hub-compatible server. */
export interface StartHubServerParams {
  /** Where repos, objects, users and the URL-signing secret live; reused across restarts. */
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
  createUser(params: { name: string; orgs?: string[]; role?: HubTokenRole; tokenName?: string }): Promise<{ name: string; token: string; role: HubTokenRole }>;
  close(): Promise<void>;
}

const TYPES: Record<string, RepoType> = { models: "model", datasets: "dataset", spaces: "space" };
/** Small JSON bodies (preupload with 1000 samples is ~700 KB). */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** Most files per preupload request (the clients send 100 or 256). */
const MAX_PREUPLOAD_FILES = 1000;
const STALE_PARENT = "The branch was updated since you opened this page. Please refresh and try again.";

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  principal: HubPrincipal | undefined;
}

/**
 * Starts a Hub-compatible HTTP server (only node:http) that speaks the subset of the Hub protocol
 * `@huggingface/hub` 2.17 and Python `huggingface_hub` use to publish and fetch a release
 * (docs: /work/shared/reference/hub-protocol.md §2, §8).
 */
export async function startHubServer(params: StartHubServerParams): Promise<HubServer> {
  const store = createHubStore(params.dataDir);
  await store.init();
  const secret = await readOrCreateSecret(params.dataDir);
  const now = params.now ?? Date.now;
  const chunk = params.multipartChunkBytes ?? 64 * 1024 * 1024;
  let baseUrl = "";
  const lfs: LfsConfig = {
    store, secret, baseUrl: () => baseUrl, now,
    maxFileBytes: params.maxFileBytes ?? 500 * 1024 ** 3,
    multipartChunkBytes: chunk,
    multipartThresholdBytes: params.multipartThresholdBytes ?? chunk,
    signedUrlSeconds: params.signedUrlSeconds ?? 900,
    hashers: new Map(),
  };
  const cfg = {
    store, lfs, now,
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
    server.once("error", reject);
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
        server.close((err) => (err ? reject(err) : resolve()));
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

type Cfg = { store: HubStore; lfs: LfsConfig; now: () => number; maxCommitBytes: number; treePageSize: number; baseUrl: () => string };

function decodeSegments(pathname: string): string[] {
  try {
    return pathname.split("/").slice(1).map((s) => decodeURIComponent(s));
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
    if (method === "PUT" && seg[1] === "upload" && seg.length === 4) return handleLfsUpload(cfg.lfs, req, res, seg[2]!, seg[3]!);
    if (method === "PUT" && seg[1] === "multipart" && seg.length === 4) return handleLfsPart(cfg.lfs, req, res, seg[2]!, seg[3]!);
    if (method === "POST" && seg[1] === "multipart" && seg[3] === "complete" && seg.length === 4) return handleLfsComplete(cfg.lfs, req, res, seg[2]!);
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

// ---------------------------------------------------------------- access control

async function repoForRead(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<RepoMeta> {
  if (!isValidRepoNamePart(key.namespace) || !isValidRepoNamePart(key.name)) throw repoNotFound();
  const meta = await cfg.store.readRepo(key);
  // A private repo is indistinguishable from a missing one to anyone without rights on it.
  if (!meta || (meta.private && !ownsNamespace(ctx.principal, key.namespace))) throw repoNotFound();
  return meta;
}

async function repoForWrite(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<RepoMeta> {
  const meta = await repoForRead(cfg, ctx, key);
  assertCanWrite(ctx, key.namespace);
  return meta;
}

function assertCanWrite(ctx: Ctx, namespace: string): HubPrincipal {
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "You must be authenticated to write; pass a token with write access");
  if (!ownsNamespace(p, namespace)) throw new HttpError(403, `You don't have the rights to write to the "${namespace}" namespace`);
  if (p.role !== "write") throw new HttpError(403, "This token is read-only; use a token with the write role");
  return p;
}

// ---------------------------------------------------------------- identity and repos

function whoami(ctx: Ctx): void {
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "Invalid credentials in Authorization header");
  sendJson(ctx.res, 200, {
    type: "user",
    id: createHash("sha1").update(p.user.name).digest("hex").slice(0, 24),
    name: p.user.name,
    fullname: p.user.fullname ?? p.user.name,
    email: null,
    emailVerified: false,
    canPay: false,
    isPro: false,
    periodEnd: null,
    avatarUrl: "",
    orgs: p.user.orgs.map((o) => ({ type: "org", name: o, fullname: o, id: createHash("sha1").update(o).digest("hex").slice(0, 24), roleInOrg: "write" })),
    auth: { type: "access_token", accessToken: { displayName: p.displayName, role: p.role, createdAt: p.createdAt } },
  });
}

function repoUrl(cfg: Cfg, key: RepoKey): string {
  return `${cfg.baseUrl()}/${key.type === "model" ? "" : `${key.type}s/`}${key.namespace}/${key.name}`;
}

async function regularEntry(store: HubStore, content: Buffer): Promise<TreeEntry> {
  return { size: content.length, sha256: await store.putObjectBytes(content), gitOid: gitBlobSha1(content), lfs: false };
}

async function createRepo(cfg: Cfg, ctx: Ctx): Promise<void> {
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  let name = typeof body.name === "string" ? body.name : "";
  let namespace = typeof body.organization === "string" && body.organization ? body.organization : undefined;
  if (name.includes("/")) [namespace, name] = name.split("/", 2) as [string, string];
  const type = (body.type ?? "model") as RepoType;
  if (!["model", "dataset", "space"].includes(type)) throw new HttpError(400, `Invalid repo type: ${String(body.type)}`);
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "Invalid credentials in Authorization header");
  namespace ??= p.user.name;
  if (!isValidRepoNamePart(namespace) || !isValidRepoNamePart(name)) {
    throw new HttpError(400, `Invalid repo name "${namespace}/${name}": use letters, digits, "-", "_" and ".", at most 96 characters`);
  }
  assertCanWrite(ctx, namespace);
  const key: RepoKey = { type, namespace, name };
  const isPrivate = body.visibility !== undefined ? body.visibility !== "public" : body.private === true;

  const tree: Record<string, TreeEntry> = { ".gitattributes": await regularEntry(cfg.store, Buffer.from(DEFAULT_GITATTRIBUTES)) };
  if (typeof body.license === "string") {
    tree["README.md"] = await regularEntry(cfg.store, Buffer.from(`---\nlicense: ${body.license}\n---\n`));
  }
  for (const f of Array.isArray(body.files) ? (body.files as { path?: unknown; content?: unknown; encoding?: unknown }[]) : []) {
    const path = String(f.path ?? "");
    const why = checkRepoPath(path);
    if (why) throw new HttpError(400, `Invalid file path "${path}": ${why}`);
    tree[path] = await regularEntry(cfg.store, Buffer.from(String(f.content ?? ""), f.encoding === "base64" ? "base64" : "utf8"));
  }
  const meta: RepoMeta = { ...key, id: randomBytes(12).toString("hex"), private: isPrivate, createdAt: new Date(cfg.now()).toISOString() };
  const created = await cfg.store.createRepo(meta, tree, "system");
  if (!created) throw new HttpError(409, `You already created this ${type} repo`, undefined, {});
  sendJson(ctx.res, 200, { url: repoUrl(cfg, key), name: `${namespace}/${name}`, id: meta.id });
}

async function deleteRepo(cfg: Cfg, ctx: Ctx): Promise<void> {
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  let name = String(body.name ?? "");
  let namespace = typeof body.organization === "string" && body.organization ? body.organization : ctx.principal?.user.name ?? "";
  if (name.includes("/")) [namespace, name] = name.split("/", 2) as [string, string];
  const key: RepoKey = { type: (body.type ?? "model") as RepoType, namespace, name };
  if (!["model", "dataset", "space"].includes(key.type)) throw new HttpError(400, `Invalid repo type: ${String(body.type)}`);
  if (!ctx.principal) throw new HttpError(401, "Invalid credentials in Authorization header");
  await repoForWrite(cfg, ctx, key);
  if (!(await cfg.store.deleteRepo(key))) throw repoNotFound();
  sendJson(ctx.res, 200, {});
}

async function resolveOrThrow(cfg: Cfg, key: RepoKey, rev: string, refs?: RepoRefs): Promise<CommitObject> {
  const id = await cfg.store.resolveRevision(key, rev, refs);
  const c = id ? await cfg.store.readCommit(key, id) : undefined;
  if (!c) throw revisionNotFound(rev);
  return c;
}

async function repoInfo(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  const meta = await repoForRead(cfg, ctx, key);
  const c = await resolveOrThrow(cfg, key, rev || "HEAD");
  const id = `${key.namespace}/${key.name}`;
  sendJson(ctx.res, 200, {
    _id: meta.id, id, ...(key.type === "model" ? { modelId: id } : {}), author: key.namespace, sha: c.id,
    lastModified: c.date, createdAt: meta.createdAt, private: meta.private, gated: false, disabled: false,
    downloads: 0, likes: 0, tags: [], siblings: Object.keys(c.tree).sort().map((rfilename) => ({ rfilename })),
  });
}

async function validateYaml(ctx: Ctx): Promise<void> {
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const content = typeof body.content === "string" ? body.content : "";
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(content);
  const errors: { message: string }[] = [];
  if (m) {
    try {
      const data: unknown = parseYaml(m[1]!);
      if (data !== null && (typeof data !== "object" || Array.isArray(data))) errors.push({ message: "YAML metadata must be a mapping" });
    } catch (err) {
      errors.push({ message: `Invalid YAML metadata: ${(err as Error).message}` });
    }
  }
  if (errors.length) sendJson(ctx.res, 400, { errors, warnings: [], error: errors.map((e) => e.message).join("; ") });
  else sendJson(ctx.res, 200, { errors: [], warnings: [] });
}

// ---------------------------------------------------------------- upload: preupload and commit

async function readGitattributes(cfg: Cfg, tree: Record<string, TreeEntry>): Promise<string> {
  const e = tree[".gitattributes"];
  return e ? readFile(cfg.store.objectPath(e.sha256), "utf8") : "";
}

async function preupload(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const files = body.files;
  if (!Array.isArray(files)) throw new HttpError(400, "files must be an array");
  if (files.length > MAX_PREUPLOAD_FILES) throw new HttpError(413, `At most ${MAX_PREUPLOAD_FILES} files per preupload request`);
  const c = await resolveOrThrow(cfg, key, rev || "main");
  const attrs = typeof body.gitAttributes === "string" ? body.gitAttributes : await readGitattributes(cfg, c.tree);
  const rules = parseGitattributes(attrs);
  const out = (files as { path?: unknown; size?: unknown; sample?: unknown }[]).map((f) => {
    const path = String(f.path ?? "");
    const why = checkRepoPath(path);
    if (why) throw new HttpError(400, `Invalid file path "${path}": ${why}`);
    const size = Number(f.size ?? 0);
    const sample = typeof f.sample === "string" ? Buffer.from(f.sample, "base64") : undefined;
    const existing = c.tree[path];
    return {
      path,
      uploadMode: planUploadMode({ path, size, sample, rules }),
      shouldIgnore: false,
      oid: existing ? (existing.lfs ? existing.sha256 : existing.gitOid) : null,
    };
  });
  sendJson(ctx.res, 200, { files: out, commitOid: c.id });
}

type Op =
  | { kind: "file"; path: string; entry: TreeEntry; head: Buffer }
  | { kind: "lfs"; path: string; entry: TreeEntry }
  | { kind: "delete"; path: string }
  | { kind: "deleteFolder"; path: string };

function opPath(v: Record<string, unknown>): string {
  const path = String(v.path ?? "");
  const why = checkRepoPath(path.replace(/\/$/, ""));
  if (why) throw new HttpError(400, `Invalid file path "${path}": ${why}`);
  return path;
}

async function commit(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const principal = ctx.principal!;
  const createPr = ["1", "true"].includes(ctx.url.searchParams.get("create_pr") ?? "");
  const raw = await readBody(ctx.req, cfg.maxCommitBytes);
  const lines = raw.toString("utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l) as { key?: unknown; value?: Record<string, unknown> };
    } catch {
      throw new HttpError(400, `Commit line ${i + 1} is not valid JSON`);
    }
  });
  const header = parsed[0];
  if (!header || header.key !== "header" || typeof header.value !== "object" || header.value === null) {
    throw new HttpError(400, "The first line of a commit must be the header");
  }
  const summary = String(header.value.summary ?? "").trim();
  if (!summary) throw new HttpError(400, "The commit header needs a non-empty summary");
  const description = typeof header.value.description === "string" ? header.value.description : "";
  const parentCommit = typeof header.value.parentCommit === "string" ? header.value.parentCommit : undefined;

  // Objects first: content is stored before any commit or ref can reference it.
  const ops: Op[] = [];
  for (const [i, line] of parsed.slice(1).entries()) {
    const v = line.value ?? {};
    if (line.key === "file") {
      const path = opPath(v);
      const content = Buffer.from(String(v.content ?? ""), v.encoding === "base64" ? "base64" : "utf8");
      ops.push({ kind: "file", path, entry: await regularEntry(cfg.store, content), head: content.subarray(0, 512) });
    } else if (line.key === "lfsFile") {
      const path = opPath(v);
      const oid = String(v.oid ?? "");
      if (!/^[0-9a-f]{64}$/.test(oid)) throw new HttpError(400, `lfsFile ${path}: oid must be a sha256`);
      const size = await cfg.store.objectSize(oid);
      if (size === undefined) throw new HttpError(400, `lfsFile ${path}: LFS object ${oid} was never uploaded`);
      if (v.size !== undefined && v.size !== size) throw new HttpError(400, `lfsFile ${path}: size ${String(v.size)} differs from the stored ${size} bytes`);
      const pointer = renderLfsPointer(oid, size);
      ops.push({ kind: "lfs", path, entry: { size, sha256: oid, gitOid: gitBlobSha1(pointer), lfs: true } });
    } else if (line.key === "deletedFile") {
      ops.push({ kind: "delete", path: opPath(v) });
    } else if (line.key === "deletedFolder") {
      ops.push({ kind: "deleteFolder", path: opPath(v).replace(/\/?$/, "/") });
    } else {
      throw new HttpError(400, `Commit line ${i + 2}: unknown key ${JSON.stringify(line.key)}`);
    }
  }

  const result = await cfg.store.updateRefs(key, async (refs) => {
    let head: string | undefined;
    let setRef: (id: string) => void;
    let prNum: number | undefined;
    const pr = /^refs\/pr\/(\d+)$/.exec(rev);
    if (createPr) {
      if (!Object.hasOwn(refs.branches, rev)) throw revisionNotFound(rev);
      head = parentCommit ? await cfg.store.resolveRevision(key, parentCommit, refs) : refs.branches[rev];
      if (!head) throw revisionNotFound(parentCommit ?? rev);
      prNum = refs.nextPr++;
      setRef = (id) => (refs.prs[String(prNum)] = id);
    } else if (pr) {
      head = refs.prs[pr[1]!];
      if (!head) throw revisionNotFound(rev);
      setRef = (id) => (refs.prs[pr[1]!] = id);
    } else {
      head = Object.hasOwn(refs.branches, rev) ? refs.branches[rev] : undefined;
      if (!head) throw revisionNotFound(rev);
      setRef = (id) => (refs.branches[rev] = id);
    }
    // Optimistic concurrency: checked under the repo lock, so of two commits built on the same
    // parent exactly one lands and the other gets 412.
    if (!createPr && parentCommit !== undefined && (parentCommit.length < 7 || !head.startsWith(parentCommit))) {
      throw new HttpError(412, STALE_PARENT);
    }
    const parent = await cfg.store.readCommit(key, head);
    if (!parent) throw new Error(`commit ${head} missing`);
    const tree: Record<string, TreeEntry> = { ...parent.tree };
    const lfsPaths: string[] = [];
    for (const op of ops) {
      if (op.kind === "delete") {
        if (!tree[op.path]) throw new HttpError(404, `A file with this name doesn't exist: ${op.path}`, "EntryNotFound");
        delete tree[op.path];
      } else if (op.kind === "deleteFolder") {
        const victims = Object.keys(tree).filter((p) => p.startsWith(op.path));
        if (victims.length === 0) throw new HttpError(404, `A folder with this name doesn't exist: ${op.path}`, "EntryNotFound");
        for (const p of victims) delete tree[p];
      } else {
        for (const p of Object.keys(tree)) {
          if (p.startsWith(`${op.path}/`) || op.path.startsWith(`${p}/`)) throw new HttpError(400, `Path ${op.path} conflicts with ${p} (a file cannot also be a folder)`);
        }
        tree[op.path] = op.entry;
        if (op.kind === "lfs") lfsPaths.push(op.path);
      }
    }
    // The Hub refuses inline content that its rules say must be LFS (binary >1 MB, >=10 MB, gitattributes).
    const attrs = await readGitattributes(cfg, tree);
    const rules = parseGitattributes(attrs);
    for (const op of ops) {
      if (op.kind === "file" && planUploadMode({ path: op.path, size: op.entry.size, sample: op.head, rules }) === "lfs") {
        throw new HttpError(400, `Your push was rejected because ${op.path} must be stored with Git LFS (its size or .gitattributes rules); upload it as an LFS file`);
      }
    }
    const updated = planGitattributesUpdate(attrs, lfsPaths);
    if (updated !== undefined) tree[".gitattributes"] = await regularEntry(cfg.store, Buffer.from(updated));
    const c = await cfg.store.writeCommit(key, {
      parents: [head], tree, author: principal.user.name, title: summary, message: description, date: new Date(cfg.now()).toISOString(),
    });
    setRef(c.id);
    return { commit: c, prNum };
  });
  const base = repoUrl(cfg, key);
  sendJson(ctx.res, 200, {
    success: true,
    commitOid: result.commit.id,
    commitUrl: `${base}/commit/${result.commit.id}`,
    hookOutput: "",
    ...(result.prNum !== undefined ? { pullRequestUrl: `${base}/discussions/${result.prNum}` } : {}),
  });
}

// ---------------------------------------------------------------- reads: tree, paths-info, commits, files

/** Splits unencoded `{rev}/{path}` segments git-style: the longest prefix naming a revision wins. */
async function resolveRevAndPath(cfg: Cfg, key: RepoKey, segs: string[]): Promise<{ commit: CommitObject; path: string }> {
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

interface ListEntry {
  type: "file" | "directory";
  oid: string;
  size: number;
  path: string;
  lfs?: { oid: string; size: number; pointerSize: number };
  lastCommit?: { id: string; title: string; date: string };
}

function fileEntry(path: string, e: TreeEntry): ListEntry {
  return {
    type: "file", oid: e.gitOid, size: e.size, path,
    ...(e.lfs ? { lfs: { oid: e.sha256, size: e.size, pointerSize: Buffer.byteLength(renderLfsPointer(e.sha256, e.size)) } } : {}),
  };
}

function dirEntry(tree: Record<string, TreeEntry>, dir: string): ListEntry {
  const h = createHash("sha1");
  for (const p of Object.keys(tree).filter((x) => x.startsWith(`${dir}/`)).sort()) h.update(`${p}\0${tree[p]!.gitOid}\0`);
  return { type: "directory", oid: h.digest("hex"), size: 0, path: dir };
}

/** Entries under `dir` ("" for the root), immediate children or all descendants. */
function listTree(tree: Record<string, TreeEntry>, dir: string, recursive: boolean): ListEntry[] {
  const prefix = dir ? `${dir}/` : "";
  const dirs = new Set<string>();
  const files: ListEntry[] = [];
  for (const [p, e] of Object.entries(tree)) {
    if (!p.startsWith(prefix)) continue;
    const rel = p.slice(prefix.length).split("/");
    if (rel.length === 1) files.push(fileEntry(p, e));
    else if (recursive) {
      files.push(fileEntry(p, e));
      for (let i = 1; i < rel.length; i++) dirs.add(prefix + rel.slice(0, i).join("/"));
    } else dirs.add(prefix + rel[0]!);
  }
  const byPath = (a: ListEntry, b: ListEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return [...[...dirs].map((d) => dirEntry(tree, d)).sort(byPath), ...files.sort(byPath)];
}

/** The newest first-parent ancestor of `head` from which `path` has been unchanged. */
async function lastCommitFor(cfg: Cfg, key: RepoKey, head: CommitObject, path: string, cache: Map<string, CommitObject>): Promise<CommitObject> {
  const sig = (c: CommitObject) => {
    const e = c.tree[path];
    if (e) return `f:${e.gitOid}`;
    const d = Object.keys(c.tree).filter((p) => p.startsWith(`${path}/`)).sort().map((p) => `${p}:${c.tree[p]!.gitOid}`).join(",");
    return `d:${d}`;
  };
  const want = sig(head);
  let last = head;
  let cur = head;
  while (cur.parents[0]) {
    const id = cur.parents[0];
    const parent = cache.get(id) ?? (await cfg.store.readCommit(key, id));
    if (!parent) break;
    cache.set(id, parent);
    if (sig(parent) !== want) break;
    last = parent;
    cur = parent;
  }
  return last;
}

async function expandEntries(cfg: Cfg, key: RepoKey, head: CommitObject, entries: ListEntry[]): Promise<void> {
  const cache = new Map<string, CommitObject>();
  for (const e of entries) {
    const c = await lastCommitFor(cfg, key, head, e.path, cache);
    e.lastCommit = { id: c.id, title: c.title, date: c.date };
  }
}

function paginate<T>(ctx: Ctx, items: T[], pageSize: number): T[] {
  const cursor = Number(ctx.url.searchParams.get("cursor") ?? "0");
  const start = Number.isSafeInteger(cursor) && cursor >= 0 ? cursor : 0;
  const page = items.slice(start, start + pageSize);
  const headers: Record<string, string> = { "x-total-count": String(items.length) };
  if (start + pageSize < items.length) {
    const next = new URL(ctx.url);
    next.searchParams.set("cursor", String(start + pageSize));
    // The JS client only follows absolute URLs followed by `>;` and at least one space.
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
  return page;
}

async function tree(cfg: Cfg, ctx: Ctx, key: RepoKey, segs: string[]): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const { commit: c, path } = await resolveRevAndPath(cfg, key, segs.length ? segs : ["main"]);
  const dir = path.replace(/\/$/, "");
  if (dir && checkRepoPath(dir)) throw new HttpError(400, `Invalid path "${dir}": ${checkRepoPath(dir)}`);
  let entries: ListEntry[];
  if (dir && c.tree[dir]) entries = [fileEntry(dir, c.tree[dir])];
  else {
    entries = listTree(c.tree, dir, ctx.url.searchParams.get("recursive") === "true");
    if (dir && entries.length === 0) throw entryNotFound(dir, c.id);
  }
  const page = paginate(ctx, entries, cfg.treePageSize);
  if (ctx.url.searchParams.get("expand") === "true") await expandEntries(cfg, key, c, page);
  sendJson(ctx.res, 200, page);
}

async function pathsInfo(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const c = await resolveOrThrow(cfg, key, rev || "main");
  let paths: string[];
  let expand: boolean;
  if ((ctx.req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
    // Python sends a form: repeated `paths=` and `expand=True|False`.
    const form = new URLSearchParams((await readBody(ctx.req, MAX_JSON_BYTES)).toString("utf8"));
    paths = form.getAll("paths");
    expand = (form.get("expand") ?? "").toLowerCase() === "true";
  } else {
    const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
    paths = Array.isArray(body.paths) ? body.paths.map(String) : typeof body.paths === "string" ? [body.paths] : [];
    expand = body.expand === true;
  }
  const out: ListEntry[] = [];
  for (const p of paths) {
    const path = p.replace(/\/$/, "");
    if (checkRepoPath(path)) continue;
    const e = c.tree[path];
    if (e) out.push(fileEntry(path, e));
    else if (Object.keys(c.tree).some((x) => x.startsWith(`${path}/`))) out.push(dirEntry(c.tree, path));
  }
  if (expand) await expandEntries(cfg, key, c, out);
  sendJson(ctx.res, 200, out);
}

async function listCommits(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const { commit: head } = await resolveRevAndPath(cfg, key, (rev || "main").split("/"));
  const all: CommitObject[] = [];
  for await (const c of cfg.store.walkHistory(key, head.id)) all.push(c);
  const limit = Number(ctx.url.searchParams.get("limit") ?? "50");
  const page = paginate(ctx, all, Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, 1000) : 50);
  const formatted = ctx.url.searchParams.getAll("expand[]").includes("formatted");
  sendJson(ctx.res, 200, page.map((c) => ({
    id: c.id, title: c.title, message: c.message, date: c.date, authors: [{ user: c.author, avatar: "" }],
    ...(formatted ? { formatted: { title: c.title, message: c.message } } : {}),
  })));
}

/** GET/HEAD .../resolve|raw/{rev}/{path}: range-aware, with the headers both clients read. */
async function serveFile(cfg: Cfg, ctx: Ctx, key: RepoKey, segs: string[], raw: boolean): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const { commit: c, path } = await resolveRevAndPath(cfg, key, segs);
  const why = checkRepoPath(path);
  if (why) throw new HttpError(400, `Invalid file path "${path}": ${why}`, undefined, { "x-repo-commit": c.id });
  const e = c.tree[path];
  if (!e) throw entryNotFound(path, c.id);
  const headers: Record<string, string> = {
    "x-repo-commit": c.id,
    "accept-ranges": "bytes",
    "content-type": "application/octet-stream",
  };
  let body: { kind: "object"; sha256: string } | { kind: "bytes"; data: Buffer };
  let size: number;
  if (e.lfs && raw) {
    const pointer = Buffer.from(renderLfsPointer(e.sha256, e.size));
    body = { kind: "bytes", data: pointer };
    size = pointer.length;
    headers.etag = `"${e.gitOid}"`;
  } else {
    body = { kind: "object", sha256: e.sha256 };
    size = e.size;
    headers.etag = e.lfs ? `"${e.sha256}"` : `"${e.gitOid}"`;
    if (e.lfs) {
      // Served in place rather than redirected; the linked headers say what a redirect would.
      headers["x-linked-etag"] = `"${e.sha256}"`;
      headers["x-linked-size"] = String(e.size);
    }
  }
  const range = parseRange(ctx.req.headers.range, size);
  let status = 200;
  let span: { start: number; end: number } | undefined;
  if (size === 0) {
    // The JS client needs a size even for empty files; a 416 would make it throw.
    headers["content-range"] = "bytes */0";
  } else if (range === "unsatisfiable") {
    throw new HttpError(416, "Range not satisfiable", undefined, { "content-range": `bytes */${size}` });
  } else if (range) {
    status = 206;
    span = range;
    headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
  }
  headers["content-length"] = String(span ? span.end - span.start + 1 : size);
  ctx.res.writeHead(status, headers);
  if (ctx.req.method === "HEAD" || size === 0) {
    ctx.res.end();
    return;
  }
  if (body.kind === "bytes") {
    ctx.res.end(span ? body.data.subarray(span.start, span.end + 1) : body.data);
    return;
  }
  const stream = cfg.store.readObject(body.sha256, span);
  await new Promise<void>((resolve) => {
    stream.on("error", () => {
      ctx.res.destroy();
      resolve();
    });
    ctx.res.on("close", () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(ctx.res);
  });
}

// ---------------------------------------------------------------- refs: branches and tags

async function listRefs(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const refs = await cfg.store.readRefs(key);
  const includePrs = ["1", "true"].includes(ctx.url.searchParams.get("include_prs") ?? "");
  sendJson(ctx.res, 200, {
    branches: Object.entries(refs.branches).map(([name, targetCommit]) => ({ name, ref: `refs/heads/${name}`, targetCommit })),
    converts: [],
    tags: Object.entries(refs.tags).map(([name, t]) => ({ name, ref: `refs/tags/${name}`, targetCommit: t.target })),
    ...(includePrs ? { pullRequests: Object.entries(refs.prs).map(([name, targetCommit]) => ({ name, ref: `refs/pr/${name}`, targetCommit })) } : {}),
  });
}

async function createBranch(cfg: Cfg, ctx: Ctx, key: RepoKey, branch: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  if (!isValidRefName(branch)) throw new HttpError(400, `Invalid reference for a branch: ${branch}`);
  await cfg.store.updateRefs(key, async (refs) => {
    if (Object.hasOwn(refs.branches, branch) && body.overwrite !== true) {
      throw new HttpError(409, `Reference refs/heads/${branch} already exists`);
    }
    let target: string;
    if (body.emptyBranch === true) {
      target = (await cfg.store.writeCommit(key, {
        parents: [], tree: {}, author: ctx.principal!.user.name, title: `Create empty branch ${branch}`, message: "", date: new Date(cfg.now()).toISOString(),
      })).id;
    } else {
      const start = typeof body.startingPoint === "string" ? body.startingPoint : "main";
      target = (await resolveOrThrow(cfg, key, start, refs)).id;
    }
    refs.branches[branch] = target;
  });
  sendJson(ctx.res, 200, {});
}

async function deleteBranch(cfg: Cfg, ctx: Ctx, key: RepoKey, branch: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  if (branch === "main") throw new HttpError(403, "Cannot delete refs/heads/main");
  await cfg.store.updateRefs(key, (refs) => {
    if (!Object.hasOwn(refs.branches, branch)) throw new HttpError(404, "Invalid rev id", "RevisionNotFound");
    delete refs.branches[branch];
  });
  sendJson(ctx.res, 200, {});
}

async function createTag(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const tag = typeof body.tag === "string" ? body.tag : "";
  if (!isValidRefName(tag)) throw new HttpError(400, `Invalid tag name: ${JSON.stringify(tag)}`);
  if (body.message !== undefined && typeof body.message !== "string") throw new HttpError(400, "message must be a string");
  await cfg.store.updateRefs(key, async (refs) => {
    // Tags never move: a release tag that could be re-pointed would not pin anything.
    if (Object.hasOwn(refs.tags, tag)) throw new HttpError(409, `Tag ${tag} already exists`);
    const c = await resolveOrThrow(cfg, key, rev || "main", refs);
    refs.tags[tag] = { target: c.id, ...(body.message ? { message: body.message as string } : {}), createdAt: new Date(cfg.now()).toISOString() };
  });
  sendJson(ctx.res, 200, {});
}

async function deleteTag(cfg: Cfg, ctx: Ctx, key: RepoKey, tag: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  await cfg.store.updateRefs(key, (refs) => {
    if (!Object.hasOwn(refs.tags, tag)) throw new HttpError(404, `Tag ${tag} not found`, "RevisionNotFound");
    delete refs.tags[tag];
  });
  sendJson(ctx.res, 200, {});
}
