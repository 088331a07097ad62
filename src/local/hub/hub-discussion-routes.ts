import { randomBytes } from "node:crypto";
import { HttpError, readJsonBody, revisionNotFound, sendJson } from "./hub-http.js";
import type { DiscussionEvent, DiscussionRecord, RepoKey, RepoRefs, TreeEntry } from "./hub-store.js";
import { MAX_JSON_BYTES, repoForRead, repoForWrite, resolveOrThrow, type Cfg, type Ctx } from "./hub-context.js";

/**
 * Route handlers for discussions and pull requests (what `create_commit(create_pr=True)` opens
 * and a release flow lists, comments and merges), and super-squash. Discussions live in
 * refs.json beside `refs/pr/N`, so a PR and its discussion appear in one atomic rename.
 */

const PAGE = 50;

/** A new event; the Hub's ids are 24-hex object ids. */
export function newEvent(type: DiscussionEvent["type"], author: string, now: number, data: Record<string, unknown>) {
  return { id: randomBytes(12).toString("hex"), type, author, createdAt: new Date(now).toISOString(), data };
}

/** The record a `create_pr` commit opens (called under the refs lock, by the commit route). */
export function openPullRequest(
  refs: RepoRefs,
  p: { num: number; title: string; author: string; base: string; baseCommit: string; commit: string; now: number },
): void {
  refs.discussions ??= {};
  refs.discussions[String(p.num)] = {
    num: p.num,
    title: p.title,
    author: p.author,
    isPullRequest: true,
    status: "open",
    createdAt: new Date(p.now).toISOString(),
    base: p.base,
    baseCommit: p.baseCommit,
    events: [newEvent("commit", p.author, p.now, { subject: p.title, oid: p.commit })],
  };
}

function renderEvent(e: DiscussionEvent) {
  const data =
    e.type === "comment"
      ? { edited: false, hidden: false, latest: { raw: e.data.raw, html: e.data.raw, updatedAt: e.createdAt } }
      : e.data;
  return { id: e.id, type: e.type, createdAt: e.createdAt, author: { name: e.author }, data };
}

function renderDiscussion(key: RepoKey, d: DiscussionRecord) {
  return {
    num: d.num,
    title: d.title,
    status: d.status,
    createdAt: d.createdAt,
    isPullRequest: d.isPullRequest,
    author: { name: d.author },
    repo: { name: `${key.namespace}/${key.name}`, type: key.type },
    numComments: d.events.filter((e) => e.type === "comment").length,
  };
}

/** GET .../discussions?p=N: newest first, pages of 50 (Python stops when start + length reaches count). */
export async function listDiscussions(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const all = Object.values((await cfg.store.readRefs(key)).discussions ?? {}).sort((a, b) => b.num - a.num);
  const page = Math.max(0, Number(ctx.url.searchParams.get("p") ?? "0") || 0);
  sendJson(ctx.res, 200, {
    discussions: all.slice(page * PAGE, (page + 1) * PAGE).map((d) => renderDiscussion(key, d)),
    count: all.length,
    start: page * PAGE,
    numClosedDiscussions: all.filter((d) => d.status !== "open").length,
  });
}

function discussionOf(refs: RepoRefs, num: string): DiscussionRecord {
  const d = refs.discussions?.[num];
  if (!d) throw new HttpError(404, `Discussion ${num} not found`);
  return d;
}

/** GET .../discussions/{num}: details with events, PR base and merge commit. */
export async function getDiscussion(cfg: Cfg, ctx: Ctx, key: RepoKey, num: string): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const d = discussionOf(await cfg.store.readRefs(key), num);
  sendJson(ctx.res, 200, {
    ...renderDiscussion(key, d),
    events: d.events.map(renderEvent),
    changes: d.isPullRequest ? { base: `refs/heads/${d.base}`, mergeCommitId: d.mergeCommitId } : undefined,
    filesWithConflicts: d.isPullRequest ? [] : undefined,
  });
}

/** POST .../discussions {title, description?, pullRequest?}: a draft PR gets an empty refs/pr/N. */
export async function createDiscussion(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const title = typeof body.title === "string" ? body.title.trim() : "";
  if (title.length < 3) throw new HttpError(400, "title must be at least 3 characters");
  const author = ctx.principal!.user.name;
  const now = cfg.now();
  const num = await cfg.store.updateRefs(key, (refs) => {
    const n = refs.nextPr++;
    refs.discussions ??= {};
    const isPr = body.pullRequest === true;
    const events =
      typeof body.description === "string" ? [newEvent("comment", author, now, { raw: body.description })] : [];
    refs.discussions[String(n)] = {
      num: n,
      title,
      author,
      isPullRequest: isPr,
      status: isPr ? "draft" : "open",
      createdAt: new Date(now).toISOString(),
      base: isPr ? "main" : undefined,
      baseCommit: isPr ? refs.branches.main : undefined,
      events,
    };
    if (isPr) refs.prs[String(n)] = refs.branches.main!;
    return n;
  });
  sendJson(ctx.res, 200, { num, url: `${ctx.url.origin}/${key.namespace}/${key.name}/discussions/${num}` });
}

/** POST .../discussions/{num}/comment {comment}. */
export async function commentDiscussion(cfg: Cfg, ctx: Ctx, key: RepoKey, num: string): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "You must be authenticated to comment");
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  if (typeof body.comment !== "string" || !body.comment.trim())
    throw new HttpError(400, "comment must be a non-empty string");
  const event = newEvent("comment", p.user.name, cfg.now(), { raw: body.comment });
  await cfg.store.updateRefs(key, (refs) => void discussionOf(refs, num).events.push(event));
  sendJson(ctx.res, 200, { newMessage: renderEvent(event) });
}

/** POST .../discussions/{num}/status {status: open|closed, comment?}. */
export async function changeDiscussionStatus(cfg: Cfg, ctx: Ctx, key: RepoKey, num: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  if (body.status !== "open" && body.status !== "closed") throw new HttpError(400, 'status must be "open" or "closed"');
  const event = newEvent("status-change", ctx.principal!.user.name, cfg.now(), { status: body.status });
  await cfg.store.updateRefs(key, (refs) => {
    const d = discussionOf(refs, num);
    if (d.status === "merged") throw new HttpError(400, "A merged pull request cannot change status");
    d.status = body.status as "open" | "closed";
    d.events.push(event);
  });
  sendJson(ctx.res, 200, { newStatus: renderEvent(event) });
}

/**
 * POST .../discussions/{num}/merge: applies the PR's changes (its head against the commit it
 * started from) onto the current base branch as one commit; 409 when the base changed the same paths.
 */
export async function mergePullRequest(cfg: Cfg, ctx: Ctx, key: RepoKey, num: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const author = ctx.principal!.user.name;
  const now = cfg.now();
  await cfg.store.updateRefs(key, async (refs) => {
    const d = discussionOf(refs, num);
    if (!d.isPullRequest || d.status === "merged" || d.status === "closed")
      throw new HttpError(400, `Discussion ${num} is not an open pull request`);
    const baseName = d.base ?? "main";
    const baseHead = refs.branches[baseName];
    if (!baseHead) throw revisionNotFound(baseName);
    const [from, head, onto] = await Promise.all([
      resolveOrThrow(cfg, key, d.baseCommit ?? baseHead, refs),
      resolveOrThrow(cfg, key, refs.prs[num]!, refs),
      resolveOrThrow(cfg, key, baseHead, refs),
    ]);
    const tree: Record<string, TreeEntry> = { ...onto.tree };
    for (const path of new Set([...Object.keys(from.tree), ...Object.keys(head.tree)])) {
      const before = from.tree[path]?.gitOid;
      const after = head.tree[path]?.gitOid;
      if (before === after) continue;
      if (onto.tree[path]?.gitOid !== before && onto.tree[path]?.gitOid !== after)
        throw new HttpError(409, `Merge conflict on ${path}: ${baseName} changed it since the pull request was opened`);
      if (head.tree[path]) tree[path] = head.tree[path]!;
      else delete tree[path];
    }
    const c = await cfg.store.writeCommit(key, {
      parents: [onto.id],
      tree,
      author,
      title: `Merge pull request #${num}: ${d.title}`,
      message: "",
      date: new Date(now).toISOString(),
    });
    refs.branches[baseName] = c.id;
    d.status = "merged";
    d.mergeCommitId = c.id;
    d.events.push(newEvent("status-change", author, now, { status: "merged" }));
  });
  sendJson(ctx.res, 200, {});
}

/** POST .../super-squash/{branch} {message}: the branch becomes one parentless commit of its tree. */
export async function superSquash(cfg: Cfg, ctx: Ctx, key: RepoKey, branch: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const name = branch || "main";
  const id = await cfg.store.updateRefs(key, async (refs) => {
    if (!Object.hasOwn(refs.branches, name)) throw revisionNotFound(name);
    const head = await resolveOrThrow(cfg, key, refs.branches[name]!, refs);
    const c = await cfg.store.writeCommit(key, {
      parents: [],
      tree: head.tree,
      author: ctx.principal!.user.name,
      title: typeof body.message === "string" && body.message ? body.message : `Super-squash branch '${name}'`,
      message: "",
      date: new Date(cfg.now()).toISOString(),
    });
    refs.branches[name] = c.id;
    return c.id;
  });
  sendJson(ctx.res, 200, { commitId: id });
}
