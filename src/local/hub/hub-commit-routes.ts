import { readFile } from "node:fs/promises";
import { openPullRequest } from "./hub-discussion-routes.js";
import { HttpError, readBody, readJsonBody, revisionNotFound, sendJson } from "./hub-http.js";
import {
  checkRepoPath,
  gitBlobSha1,
  isIgnoredPath,
  parseGitattributes,
  parseGitignore,
  planGitattributesUpdate,
  planUploadMode,
  renderLfsPointer,
} from "./hub-paths.js";
import type { RepoKey, TreeEntry } from "./hub-store.js";
import {
  MAX_JSON_BYTES,
  regularEntry,
  repoForWrite,
  repoUrl,
  resolveOrThrow,
  type Cfg,
  type Ctx,
} from "./hub-context.js";

/** Route handlers of the upload path: preupload (LFS or inline) and the NDJSON commit. */

/** Most files per preupload request (the clients send 100 or 256). */
const MAX_PREUPLOAD_FILES = 1000;
const STALE_PARENT = "The branch was updated since you opened this page. Please refresh and try again.";

async function readGitattributes(cfg: Cfg, tree: Record<string, TreeEntry>): Promise<string> {
  const e = tree[".gitattributes"];
  return e ? readFile(cfg.store.objectPath(e.sha256), "utf8") : "";
}

/** POST .../preupload/{rev}: decides `lfs` or `regular` per file (hub-protocol.md §2.8). */
export async function preupload(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const files = body.files;
  if (!Array.isArray(files)) throw new HttpError(400, "files must be an array");
  if (files.length > MAX_PREUPLOAD_FILES)
    throw new HttpError(413, `At most ${MAX_PREUPLOAD_FILES} files per preupload request`);
  const c = await resolveOrThrow(cfg, key, rev || "main");
  const attrs = typeof body.gitAttributes === "string" ? body.gitAttributes : await readGitattributes(cfg, c.tree);
  const rules = parseGitattributes(attrs);
  // The Hub applies the repo's own .gitignore: upload_folder then skips what it names.
  const ignore = c.tree[".gitignore"]
    ? parseGitignore(await readFile(cfg.store.objectPath(c.tree[".gitignore"].sha256), "utf8"))
    : [];
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
      shouldIgnore: isIgnoredPath(ignore, path),
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

/** POST .../commit/{rev}: the NDJSON commit; 412 on a stale `parentCommit`, `?create_pr=1` opens refs/pr/N. */
export async function commit(cfg: Cfg, ctx: Ctx, key: RepoKey, rev: string): Promise<void> {
  await repoForWrite(cfg, ctx, key);
  const principal = ctx.principal!;
  const createPr = ["1", "true"].includes(ctx.url.searchParams.get("create_pr") ?? "");
  const raw = await readBody(ctx.req, cfg.maxCommitBytes);
  const lines = raw
    .toString("utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l) as { key?: unknown; value?: Record<string, unknown> };
    } catch {
      throw new HttpError(400, `Commit line ${i + 1} is not valid JSON`);
    }
  });
  const header = parsed[0];
  if (header?.key !== "header" || typeof header.value !== "object" || header.value === null) {
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
      if (v.size !== undefined && v.size !== size)
        throw new HttpError(400, `lfsFile ${path}: size ${String(v.size)} differs from the stored ${size} bytes`);
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
        if (!tree[op.path])
          throw new HttpError(404, `A file with this name doesn't exist: ${op.path}`, "EntryNotFound");
        delete tree[op.path];
      } else if (op.kind === "deleteFolder") {
        const victims = Object.keys(tree).filter((p) => p.startsWith(op.path));
        if (victims.length === 0)
          throw new HttpError(404, `A folder with this name doesn't exist: ${op.path}`, "EntryNotFound");
        for (const p of victims) delete tree[p];
      } else {
        for (const p of Object.keys(tree)) {
          if (p.startsWith(`${op.path}/`) || op.path.startsWith(`${p}/`))
            throw new HttpError(400, `Path ${op.path} conflicts with ${p} (a file cannot also be a folder)`);
        }
        tree[op.path] = op.entry;
        if (op.kind === "lfs") lfsPaths.push(op.path);
      }
    }
    // The Hub refuses inline content that its rules say must be LFS (binary >1 MB, >=10 MB, gitattributes).
    const attrs = await readGitattributes(cfg, tree);
    const rules = parseGitattributes(attrs);
    for (const op of ops) {
      if (
        op.kind === "file" &&
        planUploadMode({ path: op.path, size: op.entry.size, sample: op.head, rules }) === "lfs"
      ) {
        throw new HttpError(
          400,
          `Your push was rejected because ${op.path} must be stored with Git LFS (its size or .gitattributes rules); upload it as an LFS file`,
        );
      }
    }
    const updated = planGitattributesUpdate(attrs, lfsPaths);
    if (updated !== undefined) tree[".gitattributes"] = await regularEntry(cfg.store, Buffer.from(updated));
    const c = await cfg.store.writeCommit(key, {
      parents: [head],
      tree,
      author: principal.user.name,
      title: summary,
      message: description,
      date: new Date(cfg.now()).toISOString(),
    });
    setRef(c.id);
    if (createPr && prNum !== undefined)
      openPullRequest(refs, {
        num: prNum,
        title: summary,
        author: principal.user.name,
        base: rev,
        baseCommit: head,
        commit: c.id,
        now: cfg.now(),
      });
    return { commit: c, prNum };
  });
  const base = repoUrl(cfg, key);
  sendJson(ctx.res, 200, {
    success: true,
    commitOid: result.commit.id,
    commitUrl: `${base}/commit/${result.commit.id}`,
    hookOutput: "",
    pullRequestUrl: result.prNum === undefined ? undefined : `${base}/discussions/${result.prNum}`,
  });
}
