import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gitCommitId } from "./render-git-objects.js";
import { fsyncDir, fsyncFile, writeFileAtomic } from "./write-file-atomic.js";

/**
 * On-disk store of the local Hub.
 *
 * Layout under `dataDir`:
 *   objects/<aa>/<sha256>          every file's content, content-addressed (regular and LFS alike)
 *   tmp/                           partial uploads; anything here after a crash is garbage
 *   uploads/<id>/                  multipart sessions (meta.json, data, part-N.etag)
 *   repos/<type>s/<ns>/<name>/repo.json, refs.json, commits/<sha1>.json (sha1 = the git commit id)
 *   git/<type>s/<ns>/<name>.git    bare git repos generated from the commits for git clone (a cache)
 *
 * Crash consistency (the order of writes is the whole design):
 *   1. content goes to tmp/, is fsynced, then renamed to objects/<sha256> (a reader either sees
 *      the complete object or none; the name is the hash, so a half-written object never exists);
 *   2. a commit object is written (atomically) only after every object it references exists;
 *   3. refs.json, the only mutable file of a repo, is replaced by an atomic rename last.
 * A crash between any two steps leaves unreferenced objects or commits (harmless garbage), never a
 * ref pointing at something missing. Ref updates of one repo are serialized by an in-process lock
 * and compare-and-swap against the expected head, so two concurrent commits on one branch
 * cannot both win. One server process per data dir.
 */

import type { CommitObject, RepoKey, RepoMeta, RepoRefs, RepoType, TreeEntry } from "./hub-store-types.js";

export type {
  CommitObject,
  DiscussionEvent,
  DiscussionRecord,
  RepoKey,
  RepoMeta,
  RepoRefs,
  RepoType,
  TagRecord,
  TreeEntry,
} from "./hub-store-types.js";

export type HubStore = ReturnType<typeof createHubStore>;

const SHA256_RE = /^[0-9a-f]{64}$/;
/** Multipart sessions untouched this long are abandoned (signed URLs live 15 minutes by default). */
const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** Opens (creating if needed) the store rooted at `dataDir`. */
export function createHubStore(dataDir: string) {
  const locks = new Map<string, Promise<unknown>>();
  const tmpDir = join(dataDir, "tmp");
  const repoDir = (k: RepoKey) => join(dataDir, "repos", `${k.type}s`, k.namespace, k.name);
  const objectPath = (sha256: string) => {
    if (!SHA256_RE.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(dataDir, "objects", sha256.slice(0, 2), sha256);
  };
  const tmpPath = () => join(tmpDir, randomBytes(12).toString("hex"));

  /** Runs `fn` with the repo's lock held; locks are per repo, in this process. */
  async function withRepoLock<T>(k: RepoKey, fn: () => Promise<T>): Promise<T> {
    const id = `${k.type}/${k.namespace}/${k.name}`;
    const prev = locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = prev.then(() => mine);
    locks.set(id, chained);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (locks.get(id) === chained) locks.delete(id);
    }
  }

  async function init(): Promise<void> {
    await mkdir(tmpDir, { recursive: true });
    await mkdir(join(dataDir, "objects"), { recursive: true });
    await mkdir(join(dataDir, "uploads"), { recursive: true });
    await mkdir(join(dataDir, "repos"), { recursive: true });
    // Partial uploads from a previous run are unreachable by construction.
    for (const f of await readdir(tmpDir)) await rm(join(tmpDir, f), { recursive: true, force: true });
    // Multipart sessions outlive a restart (their URLs are still signed), but not a day.
    const uploads = join(dataDir, "uploads");
    for (const f of await readdir(uploads)) {
      const st = await stat(join(uploads, f)).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > ABANDONED_UPLOAD_MS)
        await rm(join(uploads, f), { recursive: true, force: true });
    }
  }

  async function objectSize(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(objectPath(sha256))).size;
    } catch {
      return undefined;
    }
  }

  /** Moves a fully written, fsynced temp file into the object store under its hash. */
  async function adoptObject(tmpFile: string, sha256: string): Promise<void> {
    const dest = objectPath(sha256);
    await mkdir(join(dest, ".."), { recursive: true });
    await rename(tmpFile, dest); // same content under the same name: overwriting is harmless
    await fsyncDir(join(dest, ".."));
  }

  /**
   * Streams a body into a temp file while hashing it, then verifies and adopts it. Never holds
   * more than a chunk in memory. Throws `ObjectMismatchError` when the size or hash differs.
   */
  async function putObjectFromStream(
    body: Readable,
    expect: { sha256?: string; size?: number; maxBytes: number },
  ): Promise<{ sha256: string; size: number }> {
    const tmp = tmpPath();
    const limit = Math.min(expect.maxBytes, expect.size ?? Infinity);
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) return done(new ObjectMismatchError(`body exceeds ${limit} bytes`, 413));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      // Streams with 1 MiB buffers: awaiting one small write per socket chunk halves throughput.
      await pipeline(body, meter, createWriteStream(tmp, { flags: "wx", highWaterMark: 1024 * 1024 }));
      await fsyncFile(tmp);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const sha256 = hash.digest("hex");
    if (
      (expect.size !== undefined && size !== expect.size) ||
      (expect.sha256 !== undefined && sha256 !== expect.sha256)
    ) {
      await unlink(tmp).catch(() => undefined);
      throw new ObjectMismatchError(
        `content does not match the declared object: got sha256 ${sha256} and ${size} bytes, expected ${expect.sha256 ?? "any"} and ${expect.size ?? "any"} bytes`,
        400,
      );
    }
    await adoptObject(tmp, sha256);
    return { sha256, size };
  }

  async function putObjectBytes(data: Uint8Array): Promise<string> {
    const sha256 = createHash("sha256").update(data).digest("hex");
    if ((await objectSize(sha256)) === data.length) return sha256;
    const tmp = tmpPath();
    await writeFileAtomic(tmp, data);
    await adoptObject(tmp, sha256);
    return sha256;
  }

  const readObject = (sha256: string, range?: { start: number; end: number }) =>
    createReadStream(objectPath(sha256), range ? { start: range.start, end: range.end } : {});

  async function readJson<T>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(path, "utf8")) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  const readRepo = (k: RepoKey) => readJson<RepoMeta>(join(repoDir(k), "repo.json"));

  async function readRefs(k: RepoKey): Promise<RepoRefs> {
    const refs = await readJson<RepoRefs>(join(repoDir(k), "refs.json"));
    if (!refs) throw new Error(`refs.json missing for ${k.namespace}/${k.name}`);
    return refs;
  }

  const readCommit = (k: RepoKey, id: string) =>
    /^[0-9a-f]{40}$/.test(id)
      ? readJson<CommitObject>(join(repoDir(k), "commits", `${id}.json`))
      : Promise.resolve(undefined);

  /** Writes a commit object (atomically) and returns its id: the git commit id of its tree and text. */
  async function writeCommit(k: RepoKey, c: Omit<CommitObject, "id">): Promise<CommitObject> {
    const id = gitCommitId(c);
    const commit: CommitObject = { id, ...c };
    await writeFileAtomic(join(repoDir(k), "commits", `${id}.json`), JSON.stringify(commit));
    return commit;
  }

  /**
   * Resolves a revision to a commit id: `HEAD`, a branch, a tag, `refs/heads|tags/x`,
   * `refs/pr/N`, a full sha, or a unique short sha of 7+ hex digits.
   */
  async function resolveRevision(k: RepoKey, rev: string, refs?: RepoRefs): Promise<string | undefined> {
    const r = refs ?? (await readRefs(k));
    if (rev === "HEAD") return r.branches.main;
    if (Object.hasOwn(r.branches, rev)) return r.branches[rev];
    if (Object.hasOwn(r.tags, rev)) return r.tags[rev]!.target;
    let m = /^refs\/heads\/(.+)$/.exec(rev);
    if (m && Object.hasOwn(r.branches, m[1]!)) return r.branches[m[1]!];
    m = /^refs\/tags\/(.+)$/.exec(rev);
    if (m && Object.hasOwn(r.tags, m[1]!)) return r.tags[m[1]!]!.target;
    m = /^refs\/pr\/(\d+)$/.exec(rev);
    if (m) return Object.hasOwn(r.prs, m[1]!) ? r.prs[m[1]!] : undefined;
    if (/^[0-9a-f]{40}$/.test(rev)) return (await readCommit(k, rev)) ? rev : undefined;
    if (/^[0-9a-f]{7,39}$/.test(rev)) {
      const ids = (await readdir(join(repoDir(k), "commits")))
        .filter((f) => f.startsWith(rev))
        .map((f) => f.slice(0, 40));
      return ids.length === 1 ? ids[0] : undefined;
    }
    return undefined;
  }

  /**
   * Applies `fn` to the refs under the repo lock and commits the result by atomic rename.
   * `fn` may throw to abort (nothing is written).
   */
  async function updateRefs<T>(k: RepoKey, fn: (refs: RepoRefs) => Promise<T> | T): Promise<T> {
    return withRepoLock(k, async () => {
      if (!(await readRepo(k))) throw new RepoGoneError();
      const refs = await readRefs(k);
      const result = await fn(refs);
      await writeFileAtomic(join(repoDir(k), "refs.json"), JSON.stringify(refs, null, 1));
      return result;
    });
  }

  /**
   * Creates a repo with its initial commit. Built in tmp/ and renamed into place, so a crash
   * leaves either no repo or a complete one. Returns undefined when the repo already exists.
   */
  async function createRepo(
    meta: RepoMeta,
    initialTree: Record<string, TreeEntry>,
    author: string,
  ): Promise<RepoMeta | undefined> {
    const k: RepoKey = meta;
    return withRepoLock(k, async () => {
      if (await readRepo(k)) return undefined;
      const staging = join(tmpDir, `repo-${randomBytes(8).toString("hex")}`);
      await mkdir(join(staging, "commits"), { recursive: true });
      const commit: Omit<CommitObject, "id"> = {
        parents: [],
        tree: initialTree,
        author,
        title: "initial commit",
        message: "",
        date: meta.createdAt,
      };
      const id = gitCommitId(commit);
      await writeFileAtomic(join(staging, "commits", `${id}.json`), JSON.stringify({ id, ...commit }));
      const refs: RepoRefs = { branches: { main: id }, tags: {}, prs: {}, nextPr: 1 };
      await writeFileAtomic(join(staging, "refs.json"), JSON.stringify(refs, null, 1));
      await writeFileAtomic(join(staging, "repo.json"), JSON.stringify(meta, null, 1));
      const dest = repoDir(k);
      await mkdir(join(dest, ".."), { recursive: true });
      await rm(dest, { recursive: true, force: true }); // a leftover of a crashed delete
      await rename(staging, dest);
      await fsyncDir(join(dest, ".."));
      return meta;
    });
  }

  /** Deletes a repo: renamed away first (atomic disappearance), then removed. */
  async function deleteRepo(k: RepoKey): Promise<boolean> {
    return withRepoLock(k, async () => {
      if (!(await readRepo(k))) return false;
      const trash = join(tmpDir, `deleted-${randomBytes(8).toString("hex")}`);
      await rename(repoDir(k), trash);
      await rm(trash, { recursive: true, force: true });
      return true;
    });
  }

  /** Rewrites repo.json (settings) under the repo lock. */
  async function updateRepoMeta(k: RepoKey, fn: (meta: RepoMeta) => void): Promise<RepoMeta> {
    return withRepoLock(k, async () => {
      const meta = await readRepo(k);
      if (!meta) throw new RepoGoneError();
      fn(meta);
      await writeFileAtomic(join(repoDir(k), "repo.json"), JSON.stringify(meta, null, 1));
      return meta;
    });
  }

  /**
   * The stored spelling of a repo id: the Hub treats `Org/Name` and `org/name` as one repo.
   * Returns `k` itself when nothing matches (the caller then answers 404 or creates it).
   */
  async function canonicalKey(k: RepoKey): Promise<RepoKey> {
    // Only plain names reach the filesystem; anything else is the caller's 404.
    const plain = (s: string) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s) && !s.includes("..");
    if (!plain(k.namespace) || !plain(k.name)) return k;
    if (await readRepo(k)) return k;
    const typeDir = join(dataDir, "repos", `${k.type}s`);
    const ns = (await readdir(typeDir).catch(() => [] as string[])).find(
      (n) => n.toLowerCase() === k.namespace.toLowerCase(),
    );
    if (!ns) return k;
    const name = (await readdir(join(typeDir, ns)).catch(() => [] as string[])).find(
      (n) => n.toLowerCase() === k.name.toLowerCase(),
    );
    return name ? { type: k.type, namespace: ns, name } : k;
  }

  /** Every repo of a type, optionally of one namespace (case-insensitive), in name order. */
  async function listRepos(type: RepoType, namespace?: string): Promise<RepoMeta[]> {
    const typeDir = join(dataDir, "repos", `${type}s`);
    const out: RepoMeta[] = [];
    for (const ns of (await readdir(typeDir).catch(() => [] as string[])).sort()) {
      if (namespace !== undefined && ns.toLowerCase() !== namespace.toLowerCase()) continue;
      for (const name of (await readdir(join(typeDir, ns)).catch(() => [] as string[])).sort()) {
        const meta = await readRepo({ type, namespace: ns, name });
        if (meta) out.push(meta);
      }
    }
    return out;
  }

  /** Renames a repo (same store, so objects stay shared); false when the target exists. */
  async function moveRepo(from: RepoKey, to: RepoKey): Promise<boolean> {
    return withRepoLock(from, () =>
      withRepoLock(to, async () => {
        const meta = await readRepo(from);
        if (!meta) throw new RepoGoneError();
        if (await readRepo(to)) return false;
        const dest = repoDir(to);
        await mkdir(join(dest, ".."), { recursive: true });
        await rm(dest, { recursive: true, force: true });
        await rename(repoDir(from), dest);
        await writeFileAtomic(join(dest, "repo.json"), JSON.stringify({ ...meta, ...to }, null, 1));
        await fsyncDir(join(dest, ".."));
        return true;
      }),
    );
  }

  /** Walks first parents from `head`, newest first. */
  async function* walkHistory(k: RepoKey, head: string): AsyncGenerator<CommitObject> {
    let id: string | undefined = head;
    while (id) {
      const c: CommitObject | undefined = await readCommit(k, id);
      if (!c) return;
      yield c;
      id = c.parents[0];
    }
  }

  return {
    dataDir,
    init,
    objectPath,
    objectSize,
    putObjectFromStream,
    putObjectBytes,
    adoptObject,
    readObject,
    tmpPath,
    readRepo,
    readRefs,
    readCommit,
    writeCommit,
    resolveRevision,
    updateRefs,
    createRepo,
    deleteRepo,
    updateRepoMeta,
    canonicalKey,
    listRepos,
    moveRepo,
    walkHistory,
    withRepoLock,
  };
}

/** Uploaded bytes differ from what the client declared (status: 400 mismatch, 413 too large). */
export class ObjectMismatchError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = "ObjectMismatchError";
    this.status = status;
  }
}

/** The repo was deleted while an operation waited for its lock. */
export class RepoGoneError extends Error {
  constructor() {
    super("repository not found");
    this.name = "RepoGoneError";
  }
}
