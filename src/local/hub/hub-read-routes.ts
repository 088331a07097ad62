import { createHash } from "node:crypto";
import { HttpError, entryNotFound, readBody, readJsonBody, sendJson } from "./hub-http.js";
import { checkRepoPath, renderLfsPointer } from "./hub-paths.js";
import type { CommitObject, RepoKey, TreeEntry } from "./hub-store.js";
import { MAX_JSON_BYTES, repoForRead, resolveOrThrow, resolveRevAndPath, type Cfg, type Ctx } from "./hub-context.js";

/** Route handlers that read: tree listing, paths-info, commit history, file content. */

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
    type: "file",
    oid: e.gitOid,
    size: e.size,
    path,
    lfs: e.lfs
      ? { oid: e.sha256, size: e.size, pointerSize: Buffer.byteLength(renderLfsPointer(e.sha256, e.size)) }
      : undefined,
  };
}

function dirEntry(tree: Record<string, TreeEntry>, dir: string): ListEntry {
  const h = createHash("sha1");
  for (const p of Object.keys(tree)
    .filter((x) => x.startsWith(`${dir}/`))
    .sort())
    h.update(`${p}\0${tree[p]!.gitOid}\0`);
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
async function lastCommitFor(
  cfg: Cfg,
  key: RepoKey,
  head: CommitObject,
  path: string,
  cache: Map<string, CommitObject>,
): Promise<CommitObject> {
  const sig = (c: CommitObject) => {
    const e = c.tree[path];
    if (e) return `f:${e.gitOid}`;
    const d = Object.keys(c.tree)
      .filter((p) => p.startsWith(`${path}/`))
      .sort()
      .map((p) => `${p}:${c.tree[p]!.gitOid}`)
      .join(",");
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

/** GET /api/{type}s/{ns}/{name}/tree/{rev}[/{path}]: one page, `Link` to the next (absolute URL). */
export async function tree(cfg: Cfg, ctx: Ctx, key: RepoKey, segs: string[]): Promise<void> {
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

/** POST .../paths-info/{rev}: JSON or form body; missing paths are omitted. */
export async function pathsInfo(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
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

/** GET .../commits/{rev}: first-parent history, newest first, paginated, `X-Total-Count`. */
export async function listCommits(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const { commit: head } = await resolveRevAndPath(cfg, key, (rev || "main").split("/"));
  const all: CommitObject[] = [];
  for await (const c of cfg.store.walkHistory(key, head.id)) all.push(c);
  const limit = Number(ctx.url.searchParams.get("limit") ?? "50");
  const page = paginate(ctx, all, Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, 1000) : 50);
  const formatted = ctx.url.searchParams.getAll("expand[]").includes("formatted");
  sendJson(
    ctx.res,
    200,
    page.map((c) => ({
      id: c.id,
      title: c.title,
      message: c.message,
      date: c.date,
      authors: [{ user: c.author, avatar: "" }],
      formatted: formatted ? { title: c.title, message: c.message } : undefined,
    })),
  );
}
