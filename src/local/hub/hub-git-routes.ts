import { constants } from "node:fs";
import { access, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { initBareRepo } from "../github/git-bare-repo.js";
import { serveGitHttp } from "../serve-git-http.js";
import { HttpError } from "./hub-http.js";
import { renderLfsPointer } from "./hub-paths.js";
import type { CommitObject, HubStore, RepoKey } from "./hub-store.js";
import { gitObjectId, renderGitCommit, renderGitTrees } from "./render-git-objects.js";
import { repoForDownload, type Cfg, type Ctx } from "./hub-context.js";

/**
 * Git smart HTTP (clone and fetch) for Hub repos. The store stays the truth: a bare repo under
 * `<dataDir>/git/` is brought up to date from the stored commits on each request (objects are
 * immutable and content-addressed, so only commits not yet written cost anything), then
 * `git http-backend` serves it. LFS files are pointer files in git; `git lfs pull` fetches
 * their content through the batch API's `download` operation.
 */

const gitDirOf = (store: HubStore, k: RepoKey) =>
  join(store.dataDir, "git", `${k.type}s`, k.namespace, `${k.name}.git`);

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** Writes a loose object (zlib of `<type> <len>\0<content>`) unless present; temp file then rename. */
async function writeLooseObject(gitDir: string, id: string, type: string, content: Buffer): Promise<void> {
  const path = join(gitDir, "objects", id.slice(0, 2), id.slice(2));
  if (await exists(path)) return;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, deflateSync(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content])));
  await rename(tmp, path);
}

/** Writes one commit's blobs, trees and commit object; the commit last, so its presence means complete. */
async function writeCommitObjects(store: HubStore, gitDir: string, c: CommitObject): Promise<void> {
  for (const e of Object.values(c.tree)) {
    const content = e.lfs
      ? Buffer.from(renderLfsPointer(e.sha256, e.size))
      : await readFile(store.objectPath(e.sha256));
    await writeLooseObject(gitDir, e.gitOid, "blob", content);
  }
  const { root, objects } = renderGitTrees(c.tree);
  for (const [id, o] of objects) await writeLooseObject(gitDir, id, o.type, o.content);
  const text = renderGitCommit(c, root);
  // Commits stored before ids were git ids cannot be served: their parents name no git object.
  if (gitObjectId("commit", text) !== c.id)
    throw new HttpError(501, `Commit ${c.id} predates git-compatible ids; git access needs a repo created since`);
  await writeLooseObject(gitDir, c.id, "commit", text);
}

/** Brings the bare repo up to the store's refs: missing commits (oldest first), then packed-refs. */
async function syncBareRepo(store: HubStore, key: RepoKey): Promise<void> {
  const gitDir = gitDirOf(store, key);
  if (!(await exists(join(gitDir, "HEAD")))) await initBareRepo(gitDir);
  const refs = await store.readRefs(key);
  const named: [string, string][] = [
    ...Object.entries(refs.branches).map(([n, id]): [string, string] => [`refs/heads/${n}`, id]),
    ...Object.entries(refs.tags).map(([n, t]): [string, string] => [`refs/tags/${n}`, t.target]),
    ...Object.entries(refs.prs).map(([n, id]): [string, string] => [`refs/pr/${n}`, id]),
  ];
  const todo: CommitObject[] = [];
  const seen = new Set<string>();
  const stack = named.map(([, id]) => id);
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (await exists(join(gitDir, "objects", id.slice(0, 2), id.slice(2)))) continue;
    const c = await store.readCommit(key, id);
    if (!c) continue;
    todo.push(c);
    stack.push(...c.parents);
  }
  // The walk lists children before their parents; written in reverse, an interrupted sync never
  // leaves a commit object whose ancestors are missing.
  for (const c of todo.reverse()) await writeCommitObjects(store, gitDir, c);
  const packed = `# pack-refs with: peeled fully-peeled sorted \n${named
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ref, id]) => `${id} ${ref}\n`)
    .join("")}`;
  const tmp = join(gitDir, `packed-refs.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(tmp, packed);
  await rename(tmp, join(gitDir, "packed-refs"));
}

/** Whether a path under a repo is one of git's smart-HTTP endpoints (`info/refs`, `git-upload-pack`, ...). */
export function isGitHttpPath(rest: string[]): boolean {
  const p = rest.join("/");
  return p === "info/refs" || p === "git-upload-pack" || p === "git-receive-pack" || p === "HEAD";
}

/** GET info/refs, POST git-upload-pack: clone and fetch. Push goes through the Hub API (commits), not git. */
export async function serveHubGit(cfg: Cfg, ctx: Ctx, key: RepoKey, rest: string[]): Promise<void> {
  const service = ctx.url.searchParams.get("service");
  if (rest.join("/") === "git-receive-pack" || service === "git-receive-pack")
    throw new HttpError(
      403,
      "git push is not served by the local Hub; commit with huggingface_hub or @huggingface/hub",
    );
  // git asks for credentials only when challenged: an anonymous clone of a private or gated repo
  // gets 401 with Basic, so a credential helper or prompt can answer with the token.
  if (!ctx.principal) {
    const meta = await cfg.store.readRepo(key);
    if (meta && (meta.private || meta.gated))
      throw new HttpError(401, "Authentication required", undefined, {
        "www-authenticate": 'Basic realm="Hugging Face"',
      });
  }
  await repoForDownload(cfg, ctx, key);
  await cfg.store.withRepoLock(key, () => syncBareRepo(cfg.store, key));
  await serveGitHttp({
    req: ctx.req,
    res: ctx.res,
    projectRoot: join(cfg.store.dataDir, "git"),
    pathInfo: `/${key.type}s/${key.namespace}/${key.name}.git/${rest.join("/")}`,
    query: ctx.url.search.slice(1),
  });
}

/** The LFS objects any commit of the repo references (the batch `download` gate), read once per batch. */
export async function readRepoLfsObjects(store: HubStore, key: RepoKey): Promise<Set<string>> {
  const refs = await store.readRefs(key);
  const heads = [
    ...Object.values(refs.branches),
    ...Object.values(refs.tags).map((t) => t.target),
    ...Object.values(refs.prs),
  ];
  const seen = new Set<string>();
  const oids = new Set<string>();
  for (const head of heads) {
    for await (const c of store.walkHistory(key, head)) {
      if (seen.has(c.id)) break;
      seen.add(c.id);
      for (const e of Object.values(c.tree)) if (e.lfs) oids.add(e.sha256);
    }
  }
  return oids;
}
