import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { planCardInfo } from "./hub-card-metadata.js";
import { HttpError, readJsonBody, sendJson } from "./hub-http.js";
import { isValidRepoNamePart, renderLfsPointer } from "./hub-paths.js";
import type { CommitObject, RepoKey, RepoMeta, RepoType } from "./hub-store.js";
import { ownsNamespace } from "./hub-users.js";
import {
  MAX_JSON_BYTES,
  assertCanWrite,
  repoForRead,
  repoForWrite,
  repoUrl,
  resolveOrThrow,
  type Cfg,
  type Ctx,
} from "./hub-context.js";

/** Route handlers: repo info and listings, settings, auth-check, move and duplicate. */

async function readCard(cfg: Cfg, c: CommitObject): Promise<string | undefined> {
  const e = c.tree["README.md"];
  return e ? readFile(cfg.store.objectPath(e.sha256), "utf8") : undefined;
}

/** The fields of repo info that repo listings share (`GET /api/models?author=`). */
async function renderRepoSummary(cfg: Cfg, meta: RepoMeta, c: CommitObject) {
  const id = `${meta.namespace}/${meta.name}`;
  const card = planCardInfo(await readCard(cfg, c));
  return {
    _id: meta.id,
    id,
    modelId: meta.type === "model" ? id : undefined,
    author: meta.namespace,
    sha: c.id,
    lastModified: c.date,
    createdAt: meta.createdAt,
    private: meta.private,
    gated: meta.gated ?? false,
    disabled: false,
    downloads: 0,
    likes: 0,
    tags: card.tags,
    pipeline_tag: card.pipeline_tag,
    library_name: card.library_name,
    cardData: card.cardData,
  };
}

/**
 * GET /api/{type}s/{ns}/{name}[/revision/{rev}]: `sha` is what snapshotDownload needs;
 * `?blobs=true` (Python `files_metadata=True`) adds size, blobId and lfs to each sibling.
 */
export async function repoInfo(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  const meta = await repoForRead(cfg, ctx, key);
  const c = await resolveOrThrow(cfg, key, rev || "HEAD");
  const blobs = ["1", "true"].includes(ctx.url.searchParams.get("blobs") ?? "");
  sendJson(ctx.res, 200, {
    ...(await renderRepoSummary(cfg, meta, c)),
    siblings: Object.keys(c.tree)
      .sort()
      .map((rfilename) => {
        if (!blobs) return { rfilename };
        const e = c.tree[rfilename]!;
        return {
          rfilename,
          size: e.size,
          blobId: e.gitOid,
          lfs: e.lfs
            ? { size: e.size, sha256: e.sha256, pointerSize: Buffer.byteLength(renderLfsPointer(e.sha256, e.size)) }
            : undefined,
        };
      }),
  });
}

/** GET /api/{models|datasets|spaces}?author=&search=: the repos the caller may see, newest last. */
export async function listRepos(cfg: Cfg, ctx: Ctx, type: RepoType): Promise<void> {
  const author = ctx.url.searchParams.get("author") ?? undefined;
  const search = (ctx.url.searchParams.get("search") ?? "").toLowerCase();
  const limit = Number(ctx.url.searchParams.get("limit") ?? "1000");
  const out = [];
  for (const meta of await cfg.store.listRepos(type, author)) {
    if (meta.private && !ownsNamespace(ctx.principal, meta.namespace)) continue;
    if (search && !`${meta.namespace}/${meta.name}`.toLowerCase().includes(search)) continue;
    const c = await resolveOrThrow(cfg, meta, "HEAD");
    out.push(await renderRepoSummary(cfg, meta, c));
    if (Number.isSafeInteger(limit) && limit > 0 && out.length >= limit) break;
  }
  sendJson(ctx.res, 200, out);
}

/** GET /api/settings/repositories: the caller's own repos with visibility and storage. */
export async function listOwnRepos(cfg: Cfg, ctx: Ctx, namespace?: string): Promise<void> {
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "Invalid credentials in Authorization header");
  const ns = namespace ?? p.user.name;
  if (!ownsNamespace(p, ns)) throw new HttpError(403, `You are not a member of "${ns}"`);
  const out = [];
  for (const type of ["model", "dataset", "space"] as const) {
    for (const meta of await cfg.store.listRepos(type, ns)) {
      const c = await resolveOrThrow(cfg, meta, "HEAD");
      out.push({
        id: `${meta.namespace}/${meta.name}`,
        type,
        updatedAt: c.date,
        visibility: meta.private ? "private" : "public",
        storage: Object.values(c.tree).reduce((n, e) => n + e.size, 0),
      });
    }
  }
  sendJson(ctx.res, 200, out);
}

/** GET .../auth-check[/write]: 200 when the caller may read (or write) the repo. */
export async function authCheck(cfg: Cfg, ctx: Ctx, key: RepoKey, write: boolean): Promise<void> {
  if (write) await repoForWrite(cfg, ctx, key);
  else await repoForRead(cfg, ctx, key);
  sendJson(ctx.res, 200, {});
}

/** PUT /api/{type}s/{repo}/settings {private?, visibility?, gated?}: flips a staged private repo public. */
export async function updateSettings(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  if (body.gated !== undefined && !["auto", "manual", false].includes(body.gated as string | boolean))
    throw new HttpError(400, `gated must be "auto", "manual" or false, not ${JSON.stringify(body.gated)}`);
  if (body.visibility !== undefined && !["public", "private"].includes(body.visibility as string))
    throw new HttpError(400, `visibility must be "public" or "private", not ${JSON.stringify(body.visibility)}`);
  if (body.private !== undefined && typeof body.private !== "boolean")
    throw new HttpError(400, "private must be a boolean");
  await cfg.store.updateRepoMeta(key, (meta) => {
    if (body.visibility !== undefined) meta.private = body.visibility === "private";
    if (typeof body.private === "boolean") meta.private = body.private;
    if (body.gated !== undefined) meta.gated = body.gated as RepoMeta["gated"];
  });
  sendJson(ctx.res, 200, {});
}

function parseRepoId(value: unknown, type: RepoType): RepoKey {
  const [namespace = "", name = "", extra] = String(value ?? "").split("/");
  if (extra !== undefined || !isValidRepoNamePart(namespace) || !isValidRepoNamePart(name))
    throw new HttpError(400, `Invalid repo id ${JSON.stringify(value)}: expected "namespace/name"`);
  return { type, namespace, name };
}

/** POST /api/repos/move {fromRepo, toRepo, type}: both namespaces must be writable by the caller. */
export async function moveRepo(cfg: Cfg, ctx: Ctx): Promise<void> {
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const type = (body.type ?? "model") as RepoType;
  if (!["model", "dataset", "space"].includes(type)) throw new HttpError(400, `Invalid repo type: ${String(type)}`);
  const from = await cfg.store.canonicalKey(parseRepoId(body.fromRepo, type));
  const to = parseRepoId(body.toRepo, type);
  await repoForWrite(cfg, ctx, from);
  assertCanWrite(ctx, to.namespace);
  if ((await cfg.store.readRepo(await cfg.store.canonicalKey(to))) || !(await cfg.store.moveRepo(from, to)))
    throw new HttpError(409, `Repository ${to.namespace}/${to.name} already exists`);
  sendJson(ctx.res, 200, { url: repoUrl(cfg, to) });
}

/** POST /api/{type}s/{repo}/duplicate {repository, visibility?}: a new repo holding the source's main tree. */
export async function duplicateRepo(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<void> {
  const source = await repoForRead(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const to = parseRepoId(body.repository, key.type);
  const p = assertCanWrite(ctx, to.namespace);
  const head = await resolveOrThrow(cfg, key, "main");
  if (await cfg.store.readRepo(await cfg.store.canonicalKey(to)))
    throw new HttpError(
      409,
      `Repository ${to.namespace}/${to.name} already exists`,
      undefined,
      {},
      {
        url: repoUrl(cfg, to),
      },
    );
  const created = await cfg.store.createRepo(
    {
      ...to,
      id: randomBytes(12).toString("hex"),
      private: body.visibility !== undefined ? body.visibility === "private" : source.private,
      createdAt: new Date(cfg.now()).toISOString(),
    },
    head.tree,
    p.user.name,
  );
  if (!created) throw new HttpError(409, `Repository ${to.namespace}/${to.name} already exists`);
  sendJson(ctx.res, 200, { url: repoUrl(cfg, to) });
}
