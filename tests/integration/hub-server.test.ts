import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  HubApiError,
  commit,
  createBranch,
  createRepo,
  datasetInfo,
  deleteBranch,
  deleteFile,
  deleteRepo,
  pathsInfo,
  downloadFile,
  listCommits,
  listFiles,
  modelInfo,
  repoExists,
  snapshotDownload,
  uploadFile,
  uploadFiles,
  whoAmI,
} from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../../src/local/hub/start-hub-server.js";

/** Deterministic pseudo-random bytes (binary, so the server must not take them inline above 1 MB). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
// biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted field by field in each test
const json = (r: Response): Promise<any> => r.json();
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const blob = (b: Uint8Array | string) => new Blob([typeof b === "string" ? b : new Uint8Array(b)]);

async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    if (err instanceof HubApiError) return err.statusCode;
    return (err as Error).message;
  }
}

let dataDir: string;
let hub: HubServer;
let alice: string; // owns "alice" and org "acme", write
let bob: string; // owns "bob", write
let aliceRead: string; // read-only token of alice
let hubUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "hub-server-"));
  // Tiny multipart parts and tree pages so both paths run on KB-sized fixtures.
  hub = await startHubServer({ dataDir, multipartChunkBytes: 64 * 1024, treePageSize: 2 });
  hubUrl = hub.url;
  alice = (await hub.createUser({ name: "alice", orgs: ["acme"] })).token;
  aliceRead = (await hub.createUser({ name: "alice", role: "read", tokenName: "ci-read" })).token;
  bob = (await hub.createUser({ name: "bob" })).token;
});

afterAll(async () => {
  await hub?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("identity", () => {
  it("whoAmI returns the user, orgs and token role", async () => {
    const me = await whoAmI({ accessToken: alice, hubUrl });
    expect(me.name).toBe("alice");
    expect(me.type).toBe("user");
    expect((me as { orgs: { name: string }[] }).orgs.map((o) => o.name)).toEqual(["acme"]);
    expect(me.auth.accessToken?.role).toBe("write");
    expect(me.auth.accessToken?.createdAt).toBeInstanceOf(Date);
  });

  it("answers 401 to an unknown token and to `Bearer undefined`", async () => {
    expect(await statusOf(whoAmI({ accessToken: "hf_not_a_real_token", hubUrl }))).toBe(401);
    const res = await fetch(`${hubUrl}/api/whoami-v2`, { headers: { authorization: "Bearer undefined" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-error-message")).toBe("Invalid credentials in Authorization header");
  });
});

describe("publish a model with inline, LFS and multipart files", () => {
  const repo = { type: "model" as const, name: "acme/tiny" };
  const weights = bytes(3 * 1024, 1); // LFS by the default .gitattributes (*.safetensors)
  const big = bytes(200 * 1024 + 7, 2); // > 64 KiB: multipart, 4 parts
  const config = '{"hidden_size": 8}\n';
  let commitOid = "";

  it("creates the repo with the Hub's default .gitattributes in an initial commit", async () => {
    const created = await createRepo({ repo, accessToken: alice, hubUrl });
    expect(created.repoUrl).toBe(`${hubUrl}/acme/tiny`);
    expect(await statusOf(createRepo({ repo, accessToken: alice, hubUrl }))).toBe(409);
    const files = [];
    for await (const f of listFiles({ repo, accessToken: alice, hubUrl })) files.push(f.path);
    expect(files).toEqual([".gitattributes"]);
    const attrs = await (await downloadFile({ repo, path: ".gitattributes", accessToken: alice, hubUrl }))!.text();
    expect(attrs).toContain("*.safetensors filter=lfs diff=lfs merge=lfs -text");
  });

  it("uploads through preupload, the LFS batch API (basic and multipart) and an NDJSON commit", async () => {
    const out = await uploadFiles({
      repo,
      accessToken: alice,
      hubUrl,
      files: [
        { path: "config.json", content: blob(config) },
        { path: "model.safetensors", content: blob(weights) },
        { path: "shards/big.bin", content: blob(big) },
      ],
    });
    expect(out?.commit.oid).toMatch(/^[0-9a-f]{40}$/);
    commitOid = out!.commit.oid;
    expect(out?.commit.url).toBe(`${hubUrl}/acme/tiny/commit/${commitOid}`);
  });

  it("lists files with LFS metadata across paginated pages", async () => {
    const entries = [];
    for await (const f of listFiles({ repo, recursive: true, accessToken: alice, hubUrl })) entries.push(f);
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      "directory shards",
      "file .gitattributes",
      "file config.json",
      "file model.safetensors",
      "file shards/big.bin",
    ]);
    const st = entries.find((e) => e.path === "model.safetensors")!;
    expect(st.lfs).toEqual({ oid: sha256(weights), size: weights.length, pointerSize: 129 });
    expect(entries.find((e) => e.path === "config.json")!.lfs).toBeUndefined();
    const res = await fetch(`${hubUrl}/api/models/acme/tiny/tree/main?recursive=true`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(res.headers.get("link")).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/api\/models\/acme\/tiny\/tree\/main\?recursive=true&cursor=2>; rel="next"$/,
    );
    expect(res.headers.get("x-total-count")).toBe("5");
  });

  it("downloads inline, LFS and multipart files byte for byte", async () => {
    const get = async (path: string) =>
      new Uint8Array(await (await downloadFile({ repo, path, accessToken: alice, hubUrl }))!.arrayBuffer());
    expect(Buffer.from(await get("config.json")).toString()).toBe(config);
    expect(sha256(await get("model.safetensors"))).toBe(sha256(weights));
    expect(sha256(await get("shards/big.bin"))).toBe(sha256(big));
    expect(await downloadFile({ repo, path: "missing.txt", accessToken: alice, hubUrl })).toBeNull();
  });

  it("serves resolve with Range, ETag, X-Repo-Commit and the linked LFS headers", async () => {
    const res = await fetch(`${hubUrl}/acme/tiny/resolve/main/model.safetensors`, {
      headers: { range: "bytes=2-5", authorization: `Bearer ${alice}` },
    });
    expect(res.status).toBe(206);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(weights.subarray(2, 6));
    expect(res.headers.get("content-range")).toBe(`bytes 2-5/${weights.length}`);
    expect(res.headers.get("etag")).toBe(`"${sha256(weights)}"`);
    expect(res.headers.get("x-linked-etag")).toBe(`"${sha256(weights)}"`);
    expect(res.headers.get("x-linked-size")).toBe(String(weights.length));
    expect(res.headers.get("x-repo-commit")).toBe(commitOid);
    const raw = await fetch(`${hubUrl}/acme/tiny/raw/main/model.safetensors`);
    expect(await raw.text()).toBe(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(weights)}\nsize ${weights.length}\n`,
    );
    const missing = await fetch(`${hubUrl}/acme/tiny/resolve/main/nope.txt`, { method: "HEAD" });
    expect([missing.status, missing.headers.get("x-error-code"), missing.headers.get("x-repo-commit")]).toEqual([
      404,
      "EntryNotFound",
      commitOid,
    ]);
    const badRev = await fetch(`${hubUrl}/acme/tiny/resolve/nobranch/config.json`);
    expect([badRev.status, badRev.headers.get("x-error-code")]).toEqual([404, "RevisionNotFound"]);
  });

  it("snapshotDownload fills the standard cache layout", async () => {
    const cacheDir = join(dataDir, "..", `${dataDir.split("/").pop()}-cache`);
    try {
      const snap = await snapshotDownload({ repo, accessToken: alice, hubUrl, cacheDir });
      const root = join(cacheDir, "models--acme--tiny");
      expect(snap).toBe(join(root, "snapshots", commitOid));
      expect(await readFile(join(root, "refs", "main"), "utf8")).toBe(commitOid);
      expect(sha256(await readFile(join(snap, "shards", "big.bin")))).toBe(sha256(big));
      expect(await readlink(join(snap, "model.safetensors"))).toBe(`../../blobs/${sha256(weights)}`);
      expect((await readdir(join(root, "blobs"))).sort()).toContain(sha256(big));
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it("lists commits newest first, including the initial commit", async () => {
    const commits = [];
    for await (const c of listCommits({ repo, accessToken: alice, hubUrl, batchSize: 1 })) commits.push(c);
    expect(commits.map((c) => c.title)).toEqual(["Add 3 files", "initial commit"]);
    expect(commits[0]!.oid).toBe(commitOid);
    expect(commits[0]!.authors[0]!.username).toBe("alice");
  });

  it("refuses inline content that the rules send to LFS", async () => {
    const res = await fetch(`${hubUrl}/api/models/acme/tiny/commit/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/x-ndjson" },
      body: [
        JSON.stringify({ key: "header", value: { summary: "sneak" } }),
        JSON.stringify({
          key: "file",
          value: { path: "w.safetensors", content: Buffer.from(weights).toString("base64"), encoding: "base64" },
        }),
      ].join("\n"),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatch(/must be stored with Git LFS/);
  });
});

describe("branches and tags", () => {
  const repo = { type: "model" as const, name: "alice/refs" };
  const auth = () => ({ authorization: `Bearer ${alice}`, "content-type": "application/json" });
  let v1 = "";

  beforeAll(async () => {
    await createRepo({ repo, accessToken: alice, hubUrl });
    v1 = (await uploadFile({ repo, file: { path: "a.txt", content: blob("one") }, accessToken: alice, hubUrl }))!.commit
      .oid;
  });

  it("creates, commits to and deletes a branch", async () => {
    await createBranch({ repo, branch: "dev", accessToken: alice, hubUrl });
    expect(await statusOf(createBranch({ repo, branch: "dev", accessToken: alice, hubUrl }))).toBe(409);
    await uploadFile({
      repo,
      branch: "dev",
      file: { path: "a.txt", content: blob("two") },
      accessToken: alice,
      hubUrl,
    });
    expect(
      await (await downloadFile({ repo, path: "a.txt", revision: "dev", accessToken: alice, hubUrl }))!.text(),
    ).toBe("two");
    expect(await (await downloadFile({ repo, path: "a.txt", accessToken: alice, hubUrl }))!.text()).toBe("one");
    await deleteBranch({ repo, branch: "dev", accessToken: alice, hubUrl });
    expect(await statusOf(deleteBranch({ repo, branch: "dev", accessToken: alice, hubUrl }))).toBe(404);
    expect(await statusOf(deleteBranch({ repo, branch: "main", accessToken: alice, hubUrl }))).toBe(403);
  });

  it("creates a tag once (409 after), resolves it, lists it in refs and deletes it", async () => {
    const create = () =>
      fetch(`${hubUrl}/api/models/alice/refs/tag/main`, {
        method: "POST",
        headers: auth(),
        body: JSON.stringify({ tag: "v1.0.0", message: "first" }),
      });
    expect((await create()).status).toBe(200);
    const again = await create();
    expect([again.status, (await json(again)).error]).toEqual([409, "Tag v1.0.0 already exists"]);
    await uploadFile({ repo, file: { path: "a.txt", content: blob("three") }, accessToken: alice, hubUrl });
    expect(
      await (await downloadFile({ repo, path: "a.txt", revision: "v1.0.0", accessToken: alice, hubUrl }))!.text(),
    ).toBe("one");
    const info = await modelInfo({
      name: "alice/refs",
      revision: "v1.0.0",
      additionalFields: ["sha"],
      accessToken: alice,
      hubUrl,
    });
    expect(info.sha).toBe(v1);
    const refs = await json(await fetch(`${hubUrl}/api/models/alice/refs/refs`, { headers: auth() }));
    expect(refs.tags).toEqual([{ name: "v1.0.0", ref: "refs/tags/v1.0.0", targetCommit: v1 }]);
    expect(refs.converts).toEqual([]);
    expect(refs.branches.map((b: { name: string }) => b.name)).toEqual(["main"]);
    const bad = await fetch(`${hubUrl}/api/models/alice/refs/tag/main`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ tag: "bad tag" }),
    });
    expect(bad.status).toBe(400);
    const noRev = await fetch(`${hubUrl}/api/models/alice/refs/tag/nope`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ tag: "v2" }),
    });
    expect([noRev.status, noRev.headers.get("x-error-code")]).toEqual([404, "RevisionNotFound"]);
    const short = await fetch(`${hubUrl}/api/models/alice/refs/tag/${v1.slice(0, 7)}`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ tag: "short" }),
    });
    expect(short.status).toBe(200);
    const bobTag = await fetch(`${hubUrl}/api/models/alice/refs/tag/main`, {
      method: "POST",
      headers: { ...auth(), authorization: `Bearer ${bob}` },
      body: JSON.stringify({ tag: "x" }),
    });
    expect(bobTag.status).toBe(403);
    expect(
      (await fetch(`${hubUrl}/api/models/alice/refs/tag/v1.0.0`, { method: "DELETE", headers: auth() })).status,
    ).toBe(200);
    expect(
      (await fetch(`${hubUrl}/api/models/alice/refs/tag/v1.0.0`, { method: "DELETE", headers: auth() })).status,
    ).toBe(404);
  });
});

describe("access control and validation", () => {
  it("403 without rights on the namespace; 403 for a read-only token", async () => {
    await createRepo({ repo: "alice/guarded", accessToken: alice, hubUrl });
    const up = (token: string) =>
      uploadFile({ repo: "alice/guarded", file: { path: "x.txt", content: blob("x") }, accessToken: token, hubUrl });
    expect(await statusOf(up(bob))).toBe(403);
    expect(await statusOf(up(aliceRead))).toBe(403);
    expect(await statusOf(createRepo({ repo: "acme/by-bob", accessToken: bob, hubUrl }))).toBe(403);
    expect(await statusOf(up(alice))).toBe("ok");
  });

  it("private repos are invisible (404) without rights, visible with a read token", async () => {
    await createRepo({ repo: "alice/secret", private: true, accessToken: alice, hubUrl });
    await uploadFile({ repo: "alice/secret", file: { path: "s.txt", content: blob("s") }, accessToken: alice, hubUrl });
    expect(await statusOf(modelInfo({ name: "alice/secret", accessToken: bob, hubUrl }))).toBe(404);
    expect(await repoExists({ repo: "alice/secret", hubUrl })).toBe(false);
    expect(await repoExists({ repo: "alice/secret", accessToken: bob, hubUrl })).toBe(false);
    const res = await fetch(`${hubUrl}/alice/secret/resolve/main/s.txt`);
    expect([res.status, res.headers.get("x-error-code")]).toEqual([404, "RepoNotFound"]);
    expect(
      await statusOf(
        uploadFile({ repo: "alice/secret", file: { path: "t.txt", content: blob("t") }, accessToken: bob, hubUrl }),
      ),
    ).toBe(404);
    expect((await modelInfo({ name: "alice/secret", accessToken: aliceRead, hubUrl })).private).toBe(true);
  });

  it("refuses file paths with .., absolute paths and NUL bytes", async () => {
    await createRepo({ repo: "alice/paths", accessToken: alice, hubUrl });
    for (const path of ["../evil.txt", "a/../../evil.txt", "/etc/passwd", "a\0b.txt", "a//b.txt", ".git/config"]) {
      const res = await fetch(`${hubUrl}/api/models/alice/paths/commit/main`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice}` },
        body: `${JSON.stringify({ key: "header", value: { summary: "evil" } })}\n${JSON.stringify({ key: "file", value: { path, content: "eA==", encoding: "base64" } })}`,
      });
      expect([path, res.status]).toEqual([path, 400]);
    }
    expect(
      await statusOf(
        uploadFile({
          repo: "alice/paths",
          file: { path: "../up.txt", content: blob("x") },
          accessToken: alice,
          hubUrl,
        }),
      ),
    ).toBe(400);
    const files = [];
    for await (const f of listFiles({ repo: "alice/paths", recursive: true, accessToken: alice, hubUrl }))
      files.push(f.path);
    expect(files).toEqual([".gitattributes"]);
  });

  it("rejects LFS uploads whose bytes differ from the declared oid, and tampered signatures", async () => {
    const good = bytes(1000, 7);
    await createRepo({ repo: "alice/lfs", accessToken: alice, hubUrl });
    const batch = await fetch(`${hubUrl}/alice/lfs.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({
        operation: "upload",
        transfers: ["basic"],
        hash_algo: "sha_256",
        objects: [{ oid: sha256(good), size: good.length }],
      }),
    });
    const href = (await json(batch)).objects[0].actions.upload.href as string;
    expect((await fetch(href, { method: "PUT", body: bytes(1000, 8) })).status).toBe(400);
    expect(
      (
        await fetch(
          href.replace(/sig=(.)/, (_, c: string) => `sig=${c === "0" ? "1" : "0"}`),
          { method: "PUT", body: good },
        )
      ).status,
    ).toBe(403);
    expect((await fetch(href, { method: "PUT", body: good })).status).toBe(200);
    const again = await fetch(`${hubUrl}/alice/lfs.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
      body: JSON.stringify({ operation: "upload", objects: [{ oid: sha256(good), size: good.length }] }),
    });
    expect((await json(again)).objects).toEqual([{ oid: sha256(good), size: good.length }]); // stored: no actions
  });
});

describe("concurrency", () => {
  it("a stale parentCommit gets 412", async () => {
    const repo = "alice/stale";
    await createRepo({ repo, accessToken: alice, hubUrl });
    const base = (await modelInfo({ name: repo, additionalFields: ["sha"], accessToken: alice, hubUrl })).sha;
    await uploadFile({ repo, file: { path: "a.txt", content: blob("a") }, accessToken: alice, hubUrl });
    const err = await commit({
      repo,
      title: "late",
      parentCommit: base,
      accessToken: alice,
      hubUrl,
      operations: [{ operation: "addOrUpdate", path: "b.txt", content: blob("b") }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubApiError);
    expect((err as HubApiError).statusCode).toBe(412);
    expect((err as HubApiError).message.split(". URL:")[0]).toMatchInlineSnapshot(
      `"The branch was updated since you opened this page. Please refresh and try again."`,
    );
  });

  it("two concurrent commits on the same parent: one wins, the other gets 412", async () => {
    const repo = "alice/race";
    await createRepo({ repo, accessToken: alice, hubUrl });
    const base = (await modelInfo({ name: repo, additionalFields: ["sha"], accessToken: alice, hubUrl })).sha;
    const attempt = (n: number) =>
      commit({
        repo,
        title: `c${n}`,
        parentCommit: base,
        accessToken: alice,
        hubUrl,
        operations: [{ operation: "addOrUpdate", path: `f${n}.txt`, content: blob(String(n)) }],
      });
    const results = await Promise.allSettled([attempt(1), attempt(2), attempt(3)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected"))
      expect(((r as PromiseRejectedResult).reason as HubApiError).statusCode).toBe(412);
    const commits = [];
    for await (const c of listCommits({ repo, accessToken: alice, hubUrl })) commits.push(c.title);
    expect(commits).toHaveLength(2);
  });
});

describe("fault injection", () => {
  it("a 429 with Retry-After, then success when the call is repeated", async () => {
    await createRepo({ repo: "alice/flaky", accessToken: alice, hubUrl });
    hub.faults.setRules([
      {
        method: "POST",
        path: "^/api/models/alice/flaky/preupload/",
        action: { kind: "status", status: 429, retryAfterSeconds: 1 },
      },
    ]);
    try {
      const seen: (string | null)[] = [];
      // The JS client does not retry; a caller-supplied fetch that honours Retry-After does.
      const retryingFetch: typeof fetch = async (input, init) => {
        for (let attempt = 0; ; attempt++) {
          const res = await fetch(input, init);
          if (res.status !== 429 || attempt >= 2) return res;
          seen.push(res.headers.get("retry-after"));
          await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after")) * 10)); // scaled down for the test
        }
      };
      await uploadFile({
        repo: "alice/flaky",
        file: { path: "a.txt", content: blob("a") },
        accessToken: alice,
        hubUrl,
        fetch: retryingFetch,
      });
      expect(seen).toEqual(["1"]);
      expect(hub.faults.hits).toEqual([2]);
    } finally {
      hub.faults.setRules([]);
    }
  });

  it("a 500 surfaces as HubApiError and leaves the branch unchanged", async () => {
    hub.faults.setRules([{ method: "POST", path: "/commit/", action: { kind: "status", status: 500 } }]);
    try {
      const before = (await modelInfo({ name: "alice/flaky", additionalFields: ["sha"], accessToken: alice, hubUrl }))
        .sha;
      expect(
        await statusOf(
          uploadFile({ repo: "alice/flaky", file: { path: "b.txt", content: blob("b") }, accessToken: alice, hubUrl }),
        ),
      ).toBe(500);
      expect(
        (await modelInfo({ name: "alice/flaky", additionalFields: ["sha"], accessToken: alice, hubUrl })).sha,
      ).toBe(before);
    } finally {
      hub.faults.setRules([]);
    }
  });

  it("a dropped connection on the LFS PUT fails the upload; a re-run completes it", async () => {
    hub.faults.setRules([{ method: "PUT", path: "^/lfs/upload/", action: { kind: "drop" } }]);
    const content = bytes(5000, 9);
    try {
      const first = await statusOf(
        uploadFile({
          repo: "alice/flaky",
          file: { path: "w.bin", content: blob(content) },
          accessToken: alice,
          hubUrl,
        }),
      );
      expect(first).toMatch(/fetch failed/);
      await uploadFile({
        repo: "alice/flaky",
        file: { path: "w.bin", content: blob(content) },
        accessToken: alice,
        hubUrl,
      });
      expect(
        sha256(
          new Uint8Array(
            await (await downloadFile({
              repo: "alice/flaky",
              path: "w.bin",
              accessToken: alice,
              hubUrl,
            }))!.arrayBuffer(),
          ),
        ),
      ).toBe(sha256(content));
    } finally {
      hub.faults.setRules([]);
    }
  });
});

describe("datasets and persistence", () => {
  it("hosts dataset repos under datasets/ and keeps everything across a restart", async () => {
    const repo = { type: "dataset" as const, name: "acme/samples" };
    await createRepo({ repo, accessToken: alice, hubUrl });
    const parquet = bytes(2048, 11);
    await uploadFiles({
      repo,
      accessToken: alice,
      hubUrl,
      files: [
        { path: "data/train.parquet", content: blob(parquet) },
        { path: "README.md", content: blob("# samples\n") },
      ],
    });
    const info = await datasetInfo({ name: "acme/samples", additionalFields: ["sha"], accessToken: alice, hubUrl });
    await hub.close();
    hub = await startHubServer({ dataDir, multipartChunkBytes: 64 * 1024, treePageSize: 2 });
    hubUrl = hub.url;
    const after = await datasetInfo({ name: "acme/samples", additionalFields: ["sha"], accessToken: alice, hubUrl });
    expect(after.sha).toBe(info.sha);
    const got = await downloadFile({ repo, path: "data/train.parquet", accessToken: alice, hubUrl });
    expect(sha256(new Uint8Array(await got!.arrayBuffer()))).toBe(sha256(parquet));
    const res = await fetch(`${hubUrl}/datasets/acme/samples/resolve/main/data/train.parquet`, { method: "HEAD" });
    expect(res.headers.get("x-linked-etag")).toBe(`"${sha256(parquet)}"`);
  });

  it("refuses a second server on a data dir in use", async () => {
    const err = await startHubServer({ dataDir }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`The Hub data dir ${dataDir} is in use by process ${process.pid}`);
  });

  it("deleteFile removes a file and reports a missing one as EntryNotFound", async () => {
    const repo = { type: "dataset" as const, name: "acme/samples" };
    await deleteFile({ repo, path: "README.md", accessToken: alice, hubUrl });
    expect(await downloadFile({ repo, path: "README.md", accessToken: alice, hubUrl })).toBeNull();
    expect(await statusOf(deleteFile({ repo, path: "README.md", accessToken: alice, hubUrl }))).toBe(404);
  });
});

describe("validate-yaml and limits", () => {
  it("accepts good card metadata and rejects broken YAML", async () => {
    const post = (content: string) =>
      fetch(`${hubUrl}/api/validate-yaml`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ content, repoType: "model" }),
      });
    const ok = await post("---\nlicense: mit\ntags: [a]\n---\n# Card\n");
    expect([ok.status, await ok.json()]).toEqual([200, { errors: [], warnings: [] }]);
    const bad = await post("---\nlicense: [mit\n---\n# Card\n");
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors[0].message).toMatch(/^Invalid YAML metadata/);
  });

  it("refuses files above maxFileBytes and bodies above maxCommitBytes", async () => {
    const smallDir = await mkdtemp(join(tmpdir(), "hub-limits-"));
    let clock = Date.now();
    const small = await startHubServer({
      dataDir: smallDir,
      maxFileBytes: 1000,
      maxCommitBytes: 2000,
      now: () => clock,
    });
    try {
      const carol = (await small.createUser({ name: "carol" })).token;
      await createRepo({ repo: "carol/tiny", accessToken: carol, hubUrl: small.url });
      const err = await uploadFile({
        repo: "carol/tiny",
        file: { path: "big.bin", content: blob(bytes(1001, 3)) },
        accessToken: carol,
        hubUrl: small.url,
      }).catch((e: unknown) => e);
      expect((err as HubApiError).statusCode).toBe(422);
      expect((err as HubApiError).message).toMatch(/exceeds the limit of 1000 bytes/);
      expect(
        await statusOf(
          uploadFile({
            repo: "carol/tiny",
            file: { path: "notes.txt", content: blob("x".repeat(3000)) },
            accessToken: carol,
            hubUrl: small.url,
          }),
        ),
      ).toBe(413);

      // Signed upload URLs expire (900 s by default, like the Hub's S3 URLs).
      const data = bytes(100, 4);
      const batch = await json(
        await fetch(`${small.url}/carol/tiny.git/info/lfs/objects/batch`, {
          method: "POST",
          headers: { authorization: `Bearer ${carol}` },
          body: JSON.stringify({ operation: "upload", objects: [{ oid: sha256(data), size: data.length }] }),
        }),
      );
      clock += 901_000;
      const late = await fetch(batch.objects[0].actions.upload.href, { method: "PUT", body: data });
      expect([late.status, (await json(late)).error]).toEqual([
        403,
        "Transfer URL expired; request a new one from the LFS batch API",
      ]);
    } finally {
      await small.close();
      await rm(smallDir, { recursive: true, force: true });
    }
  });
});

describe("multipart transfer details", () => {
  it("accepts parts out of order and re-uploaded parts; refuses wrong ETags, missing parts and wrong bytes", async () => {
    await createRepo({ repo: "alice/parts", accessToken: alice, hubUrl });
    const content = bytes(3 * 64 * 1024 + 100, 21); // 4 parts of 64 KiB
    const start = async (data: Uint8Array) => {
      const res = await fetch(`${hubUrl}/alice/parts.git/info/lfs/objects/batch`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice}` },
        body: JSON.stringify({
          operation: "upload",
          transfers: ["basic", "multipart"],
          hash_algo: "sha256",
          objects: [{ oid: sha256(data), size: data.length }],
        }),
      });
      const body = await json(res);
      expect(body.transfer).toBe("multipart");
      return body.objects[0].actions.upload as { href: string; header: Record<string, string> };
    };
    const up = await start(content);
    expect(Object.keys(up.header)).toEqual(["chunk_size", "00001", "00002", "00003", "00004"]);
    const chunk = Number(up.header.chunk_size);
    const part = (n: number, data = content) => data.subarray((n - 1) * chunk, n * chunk);
    const put = async (n: number, body: Uint8Array) =>
      (await fetch(up.header[String(n).padStart(5, "0")]!, { method: "PUT", body })).headers.get("etag");
    const etags: (string | null)[] = [];
    for (const n of [3, 1, 4, 2]) etags[n - 1] = await put(n, part(n));
    // Part 1 sent again with other bytes, then again with the right ones (a client retry).
    await put(1, part(1, bytes(content.length, 99)));
    etags[0] = await put(1, part(1));
    const complete = (parts: { partNumber: number; etag: string | null }[]) =>
      fetch(up.href, {
        method: "POST",
        headers: { "content-type": "application/vnd.git-lfs+json" },
        body: JSON.stringify({ oid: sha256(content), parts }),
      });
    const stale = await complete(etags.map((etag, i) => ({ partNumber: i + 1, etag: i === 2 ? '"0"' : etag })));
    expect([stale.status, (await json(stale)).error]).toEqual([400, "ETag of part 3 does not match the uploaded part"]);
    expect((await complete(etags.slice(0, 3).map((etag, i) => ({ partNumber: i + 1, etag })))).status).toBe(400);
    const ok = await complete(etags.map((etag, i) => ({ partNumber: i + 1, etag })));
    expect(ok.status).toBe(200);

    // All parts present but one holds the wrong bytes: the assembled sha256 is refused.
    const other = bytes(content.length, 22);
    const up2 = await start(other);
    const etags2 = [];
    for (let n = 1; n <= 4; n++) {
      const data = n === 2 ? part(2, content) : part(n, other);
      etags2.push(
        (await fetch(up2.header[String(n).padStart(5, "0")]!, { method: "PUT", body: data })).headers.get("etag"),
      );
    }
    const bad = await fetch(up2.href, {
      method: "POST",
      body: JSON.stringify({ oid: sha256(other), parts: etags2.map((etag, i) => ({ partNumber: i + 1, etag })) }),
    });
    expect([bad.status, (await json(bad)).error]).toEqual([
      400,
      expect.stringMatching(/^Assembled content has sha256 [0-9a-f]{64} and 196708 bytes, expected/),
    ]);
    const tooLong = await fetch(up2.header["00004"]!, { method: "PUT", body: new Uint8Array(chunk + 1) });
    expect(tooLong.status).toBe(400);
  });

  it("a part cut off mid-body and sent again, in order, completes with the right object", async () => {
    await createRepo({ repo: "alice/cut", accessToken: alice, hubUrl });
    const content = bytes(3 * 64 * 1024 + 100, 23);
    const batch = await fetch(`${hubUrl}/alice/cut.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
      body: JSON.stringify({
        operation: "upload",
        transfers: ["basic", "multipart"],
        objects: [{ oid: sha256(content), size: content.length }],
      }),
    });
    const up = (await json(batch)).objects[0].actions.upload as { href: string; header: Record<string, string> };
    const chunk = Number(up.header.chunk_size);
    const url = (n: number) => up.header[String(n).padStart(5, "0")]!;
    // Half of part 1, then the client's body fails: the server must forget those bytes.
    const cut = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(content.subarray(0, chunk / 2));
      },
      pull(c) {
        c.error(new Error("connection lost"));
      },
    });
    await expect(fetch(url(1), { method: "PUT", body: cut, duplex: "half" } as RequestInit)).rejects.toThrow();
    const etags: (string | null)[] = [];
    for (let n = 1; n <= 4; n++) {
      const res = await fetch(url(n), { method: "PUT", body: content.subarray((n - 1) * chunk, n * chunk) });
      expect(res.status).toBe(200);
      etags.push(res.headers.get("etag"));
    }
    const done = await fetch(up.href, {
      method: "POST",
      body: JSON.stringify({ oid: sha256(content), parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) }),
    });
    expect([done.status, await json(done)]).toEqual([200, { oid: sha256(content), size: content.length }]);
    const again = await fetch(`${hubUrl}/alice/cut.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
      body: JSON.stringify({ operation: "upload", objects: [{ oid: sha256(content), size: content.length }] }),
    });
    expect((await json(again)).objects).toEqual([{ oid: sha256(content), size: content.length }]);
  });
});

describe("repo lifecycle and paths-info", () => {
  it("deletes a repo (owner only) and answers paths-info as JSON and as Python's form body", async () => {
    const repo = { type: "model" as const, name: "alice/doomed" };
    await createRepo({ repo, accessToken: alice, hubUrl });
    await uploadFile({ repo, file: { path: "d/x.txt", content: blob("x") }, accessToken: alice, hubUrl });
    const info = await pathsInfo({ repo, paths: ["d/x.txt", "d", "nope"], expand: true, accessToken: alice, hubUrl });
    expect(info.map((i) => [i.type, i.path, i.lastCommit?.title])).toEqual([
      ["file", "d/x.txt", "Add d/x.txt"],
      ["directory", "d", "Add d/x.txt"],
    ]);
    const form = await fetch(`${hubUrl}/api/models/alice/doomed/paths-info/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/x-www-form-urlencoded" },
      body: "paths=d%2Fx.txt&paths=.gitattributes&expand=False",
    });
    expect((await json(form)).map((e: { path: string }) => e.path)).toEqual(["d/x.txt", ".gitattributes"]);
    expect(await statusOf(deleteRepo({ repo, accessToken: bob, hubUrl }))).toBe(403);
    await deleteRepo({ repo, accessToken: alice, hubUrl });
    expect(await repoExists({ repo, hubUrl })).toBe(false);
    expect(await statusOf(deleteRepo({ repo, accessToken: alice, hubUrl }))).toBe(404);
  });

  it("a delayed response still succeeds (the delay fault answers normally afterwards)", async () => {
    hub.faults.setRules([{ path: "^/api/whoami-v2$", action: { kind: "delay", ms: 50 } }]);
    try {
      expect((await whoAmI({ accessToken: alice, hubUrl })).name).toBe("alice");
      expect(hub.faults.hits).toEqual([1]);
    } finally {
      hub.faults.setRules([]);
    }
  });
});

describe("pull requests", () => {
  it("isPullRequest opens refs/pr/N, later commits go to it, main is untouched", async () => {
    const repo = "alice/prs";
    await createRepo({ repo, accessToken: alice, hubUrl });
    const out = await commit({
      repo,
      title: "propose",
      isPullRequest: true,
      accessToken: alice,
      hubUrl,
      operations: [{ operation: "addOrUpdate", path: "w.safetensors", content: blob(bytes(500, 5)) }],
    });
    expect(out?.pullRequestUrl).toBe(`${hubUrl}/alice/prs/discussions/1`);
    await uploadFile({
      repo,
      branch: "refs/pr/1",
      file: { path: "notes.md", content: blob("more") },
      accessToken: alice,
      hubUrl,
    });
    const files = [];
    for await (const f of listFiles({ repo, revision: "refs/pr/1", accessToken: alice, hubUrl })) files.push(f.path);
    expect(files).toEqual([".gitattributes", "notes.md", "w.safetensors"]);
    expect(await downloadFile({ repo, path: "notes.md", accessToken: alice, hubUrl })).toBeNull();
    const refs = await json(
      await fetch(`${hubUrl}/api/models/alice/prs/refs?include_prs=1`, {
        headers: { authorization: `Bearer ${alice}` },
      }),
    );
    expect(refs.pullRequests.map((p: { ref: string }) => p.ref)).toEqual(["refs/pr/1"]);
  });
});
