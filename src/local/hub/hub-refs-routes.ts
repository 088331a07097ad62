import { HttpError, readJsonBody, sendJson } from "./hub-http.js";
import { isValidRefName } from "./hub-paths.js";
import type { RepoKey } from "./hub-store.js";
import { MAX_JSON_BYTES, repoForRead, repoForWrite, resolveOrThrow, type Cfg, type Ctx } from "./hub-context.js";

/** Route handlers for refs: listing, branches, and tags (which never move). */

/** GET .../refs: branches, converts, tags (and pullRequests with include_prs=1). */
export async function listRefs(cfg: Cfg, ctx: Ctx, key: RepoKey): Promise<void> {
  await repoForRead(cfg, ctx, key);
  const refs = await cfg.store.readRefs(key);
  const includePrs = ["1", "true"].includes(ctx.url.searchParams.get("include_prs") ?? "");
  sendJson(ctx.res, 200, {
    branches: Object.entries(refs.branches).map(([name, targetCommit]) => ({
      name,
      ref: `refs/heads/${name}`,
      targetCommit,
    })),
    converts: [],
    tags: Object.entries(refs.tags).map(([name, t]) => ({ name, ref: `refs/tags/${name}`, targetCommit: t.target })),
    pullRequests: includePrs
      ? Object.entries(refs.prs).map(([name, targetCommit]) => ({ name, ref: `refs/pr/${name}`, targetCommit }))
      : undefined,
  });
}

/** POST .../branch/{branch} with {startingPoint?, emptyBranch?, overwrite?}; 409 if it exists. */
export async function createBranch(cfg: Cfg, ctx: Ctx, key: RepoKey, branch: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  if (!isValidRefName(branch)) throw new HttpError(400, `Invalid reference for a branch: ${branch}`);
  await cfg.store.updateRefs(key, async (refs) => {
    if (Object.hasOwn(refs.branches, branch) && body.overwrite !== true) {
      throw new HttpError(409, `Reference refs/heads/${branch} already exists`);
    }
    let target: string;
    if (body.emptyBranch === true) {
      target = (
        await cfg.store.writeCommit(key, {
          parents: [],
          tree: {},
          author: ctx.principal!.user.name,
          title: `Create empty branch ${branch}`,
          message: "",
          date: new Date(cfg.now()).toISOString(),
        })
      ).id;
    } else {
      const start = typeof body.startingPoint === "string" ? body.startingPoint : "main";
      target = (await resolveOrThrow(cfg, key, start, refs)).id;
    }
    refs.branches[branch] = target;
  });
  sendJson(ctx.res, 200, {});
}

/** DELETE .../branch/{branch}; main cannot be deleted. */
export async function deleteBranch(cfg: Cfg, ctx: Ctx, key: RepoKey, branch: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  if (branch === "main") throw new HttpError(403, "Cannot delete refs/heads/main");
  await cfg.store.updateRefs(key, (refs) => {
    if (!Object.hasOwn(refs.branches, branch)) throw new HttpError(404, "Invalid rev id", "RevisionNotFound");
    delete refs.branches[branch];
  });
  sendJson(ctx.res, 200, {});
}

/** POST .../tag/{revision} with {tag, message?}; 409 on an existing tag. */
export async function createTag(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const tag = typeof body.tag === "string" ? body.tag : "";
  if (body.message !== undefined && typeof body.message !== "string")
    throw new HttpError(400, "message must be a string");
  await cfg.store.updateRefs(key, async (refs) => {
    // The Hub resolves the revision first: a missing one is RevisionNotFound even for a taken name.
    const c = await resolveOrThrow(cfg, key, rev || "main", refs);
    if (!isValidRefName(tag)) throw new HttpError(400, `Invalid tag name: ${JSON.stringify(tag)}`);
    // Tags never move: a release tag that could be re-pointed would not pin anything.
    if (Object.hasOwn(refs.tags, tag)) throw new HttpError(409, `Tag ${tag} already exists`);
    refs.tags[tag] = {
      target: c.id,
      message: (body.message as string) || undefined,
      createdAt: new Date(cfg.now()).toISOString(),
    };
  });
  sendJson(ctx.res, 200, {});
}

/** DELETE .../tag/{tag}; 404 RevisionNotFound if absent. */
export async function deleteTag(cfg: Cfg, ctx: Ctx, key: RepoKey, tag: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  await cfg.store.updateRefs(key, (refs) => {
    if (!Object.hasOwn(refs.tags, tag)) throw new HttpError(404, `Tag ${tag} not found`, "RevisionNotFound");
    delete refs.tags[tag];
  });
  sendJson(ctx.res, 200, {});
}
