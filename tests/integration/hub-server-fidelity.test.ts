import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { commit, createRepo, listCommits, modelInfo, uploadFiles } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../../src/local/hub/start-hub-server.js";

/**
 * The Hub stand-in as clients other than ours see it (issue 13): the answers huggingface_hub,
 * the `hf` CLI, git and git-lfs depend on, checked over real HTTP and with the real git CLI.
 */

const run = promisify(execFile);
const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const hasGitLfs = await run("git", ["lfs", "version"]).then(
  () => true,
  () => false,
);
// biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted field by field below
const json = (r: Response): Promise<any> => r.json();

let dataDir: string;
let hub: HubServer;
let token: string;
let hubUrl: string;
const weights = new Uint8Array(3000).map((_, i) => (i * 7919) % 251);
const card =
  "---\nlicense: apache-2.0\ntags: [robotics]\npipeline_tag: text-generation\nlibrary_name: transformers\n---\n# Card\n";
const auth = () => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "hub-fidelity-"));
  hub = await startHubServer({ dataDir });
  hubUrl = hub.url;
  token = (await hub.createUser({ name: "alice", orgs: ["acme"] })).token;
  await createRepo({ repo: "acme/model", accessToken: token, hubUrl });
  await uploadFiles({
    repo: "acme/model",
    accessToken: token,
    hubUrl,
    files: [
      { path: "README.md", content: new Blob([card]) },
      { path: "model.safetensors", content: new Blob([weights]) },
      { path: "sub/notes.txt", content: new Blob(["notes\n"]) },
    ],
  });
  await fetch(`${hubUrl}/api/models/acme/model/tag/main`, {
    method: "POST",
    headers: auth(),
    body: JSON.stringify({ tag: "v1.0.0" }),
  });
});

afterAll(async () => {
  await hub?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("repo ids and errors", () => {
  it("a second create is 409 with the repo's url and X-Error-Code, whatever the case of the id", async () => {
    const r = await fetch(`${hubUrl}/api/repos/create`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ name: "MODEL", organization: "ACME" }),
    });
    expect([r.status, r.headers.get("x-error-code"), (await json(r)).url]).toEqual([
      409,
      "Conflict",
      `${hubUrl}/acme/model`,
    ]);
    expect((await modelInfo({ name: "Acme/Model", hubUrl, accessToken: token })).name).toBe("acme/model");
  });

  it("a namespace-less id is RepoNotFound; 401 carries X-Error-Code", async () => {
    const r = await fetch(`${hubUrl}/api/models/just-a-name`);
    expect([r.status, r.headers.get("x-error-code")]).toEqual([404, "RepoNotFound"]);
    const anon = await fetch(`${hubUrl}/api/repos/create`, { method: "POST", body: "{}" });
    expect([anon.status, anon.headers.get("x-error-code")]).toEqual([401, "Unauthorized"]);
  });

  it("the initial commit is authored by the creator; create_tag checks the revision before the name", async () => {
    const commits = [];
    for await (const c of listCommits({ repo: "acme/model", hubUrl, accessToken: token })) commits.push(c);
    expect(commits.at(-1)).toMatchObject({ title: "initial commit", authors: [{ username: "alice" }] });
    const r = await fetch(`${hubUrl}/api/models/acme/model/tag/no-such-rev`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ tag: "v1.0.0" }),
    });
    expect([r.status, r.headers.get("x-error-code")]).toEqual([404, "RevisionNotFound"]);
  });
});

describe("repo info and settings", () => {
  it("?blobs=true gives siblings size, blobId and lfs; card metadata becomes cardData, tags, pipeline_tag", async () => {
    const info = await json(await fetch(`${hubUrl}/api/models/acme/model?blobs=true`, { headers: auth() }));
    const st = info.siblings.find((s: { rfilename: string }) => s.rfilename === "model.safetensors");
    expect(st).toEqual({
      rfilename: "model.safetensors",
      size: 3000,
      blobId: expect.stringMatching(/^[0-9a-f]{40}$/),
      lfs: { size: 3000, sha256: createHash("sha256").update(weights).digest("hex"), pointerSize: 129 },
    });
    expect(info).toMatchObject({
      cardData: { license: "apache-2.0", tags: ["robotics"] },
      tags: expect.arrayContaining(["robotics", "transformers", "license:apache-2.0"]),
      pipeline_tag: "text-generation",
      library_name: "transformers",
    });
  });

  it("PUT settings flips visibility and gating; GET /api/settings/repositories lists them", async () => {
    await createRepo({ repo: "acme/staged", accessToken: token, hubUrl, private: true });
    const put = await fetch(`${hubUrl}/api/models/acme/staged/settings`, {
      method: "PUT",
      headers: auth(),
      body: JSON.stringify({ visibility: "public", gated: "manual" }),
    });
    expect(put.status).toBe(200);
    expect(await json(await fetch(`${hubUrl}/api/models/acme/staged`))).toMatchObject({
      private: false,
      gated: "manual",
    });
    const mine = await json(await fetch(`${hubUrl}/api/organizations/acme/settings/repositories`, { headers: auth() }));
    expect(mine.map((r: { id: string }) => r.id)).toEqual(["acme/model", "acme/staged"]);
    const byAuthor = await json(await fetch(`${hubUrl}/api/models?author=acme`));
    expect(byAuthor.map((r: { id: string }) => r.id)).toEqual(["acme/model", "acme/staged"]);
  });
});

describe("validate-yaml as the Hub", () => {
  const validate = async (content: string) => {
    const r = await fetch(`${hubUrl}/api/validate-yaml`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content, repoType: "model" }),
    });
    return { status: r.status, body: await json(r) };
  };

  it.each([
    ["license: not-a-license", '"license" must be one of'],
    ["model-index: 5", '"model-index" must be an array'],
    ["base_model: ./local/path", '"base_model" must be a model id'],
    ["pipeline_tag: text-wrangling", '"pipeline_tag" must be a valid pipeline type'],
    ["library_name: no-such-lib", '"library_name" must be a known library'],
  ])("rejects %s", async (yaml, message) => {
    const { status, body } = await validate(`---\n${yaml}\n---\n# x\n`);
    expect(status).toBe(400);
    expect(body.errors[0].message).toContain(message);
  });

  it("accepts a complete card and warns about a card without metadata", async () => {
    expect(await validate(card)).toEqual({ status: 200, body: { errors: [], warnings: [] } });
    expect((await validate("# no metadata\n")).body.warnings).toHaveLength(1);
  });
});

describe("downloads", () => {
  it("an LFS file answers 302 to a signed URL on the same server; If-None-Match gives 304", async () => {
    const r = await fetch(`${hubUrl}/acme/model/resolve/main/model.safetensors`, { redirect: "manual" });
    expect(r.status).toBe(302);
    const location = new URL(r.headers.get("location")!);
    expect(location.origin).toBe(hubUrl);
    expect(r.headers.get("x-linked-size")).toBe("3000");
    const body = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(body).toEqual(weights);

    const first = await fetch(`${hubUrl}/acme/model/resolve/main/sub/notes.txt`);
    const again = await fetch(`${hubUrl}/acme/model/resolve/main/sub/notes.txt`, {
      headers: { "if-none-match": first.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
  });
});

describe("gated repos", () => {
  it("files of a gated repo need access: 401 anonymous, 403 without access, both GatedRepo", async () => {
    await createRepo({ repo: "acme/gated", accessToken: token, hubUrl });
    await fetch(`${hubUrl}/api/models/acme/gated/settings`, {
      method: "PUT",
      headers: auth(),
      body: JSON.stringify({ gated: "auto" }),
    });
    const anon = await fetch(`${hubUrl}/acme/gated/resolve/main/.gitattributes`);
    expect([anon.status, anon.headers.get("x-error-code")]).toEqual([401, "GatedRepo"]);
    const outsider = (await hub.createUser({ name: "outsider" })).token;
    const other = await fetch(`${hubUrl}/acme/gated/resolve/main/.gitattributes`, {
      headers: { authorization: `Bearer ${outsider}` },
    });
    expect([other.status, other.headers.get("x-error-code")]).toEqual([403, "GatedRepo"]);
    expect((await fetch(`${hubUrl}/acme/gated/resolve/main/.gitattributes`, { headers: auth() })).status).toBe(200);
  });
});

describe("pull requests, squash, move, duplicate, .gitignore", () => {
  it("a create_pr commit is a listed discussion that can be commented on and merged", async () => {
    const pr = await commit({
      repo: "acme/model",
      accessToken: token,
      hubUrl,
      title: "Add eval",
      isPullRequest: true,
      operations: [{ operation: "addOrUpdate", path: "eval.json", content: new Blob(["{}"]) }],
    });
    const num = Number(pr?.pullRequestUrl?.split("/").at(-1));
    const list = await json(await fetch(`${hubUrl}/api/models/acme/model/discussions?p=0`, { headers: auth() }));
    expect(list.discussions[0]).toMatchObject({ num, isPullRequest: true, status: "open", title: "Add eval" });
    const base = `${hubUrl}/api/models/acme/model/discussions/${num}`;
    const c = await fetch(`${base}/comment`, { method: "POST", headers: auth(), body: '{"comment":"ok"}' });
    expect((await json(c)).newMessage.data.latest.raw).toBe("ok");
    expect((await fetch(`${base}/merge`, { method: "POST", headers: auth(), body: "{}" })).status).toBe(200);
    expect((await fetch(`${hubUrl}/acme/model/resolve/main/eval.json`)).status).toBe(200);
    expect((await json(await fetch(base, { headers: auth() }))).status).toBe("merged");
  });

  it("preupload applies the repo's .gitignore", async () => {
    await uploadFiles({
      repo: "acme/model",
      accessToken: token,
      hubUrl,
      files: [{ path: ".gitignore", content: new Blob(["*.log\ncache/\n"]) }],
    });
    const r = await fetch(`${hubUrl}/api/models/acme/model/preupload/main`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({
        files: ["a.log", "cache/x.bin", "keep.txt"].map((path) => ({ path, size: 1, sample: "eA==" })),
      }),
    });
    expect((await json(r)).files.map((f: { shouldIgnore: boolean }) => f.shouldIgnore)).toEqual([true, true, false]);
  });

  it("super-squash leaves one commit; move and duplicate keep the files", async () => {
    await createRepo({ repo: "acme/scratch", accessToken: token, hubUrl });
    await uploadFiles({
      repo: "acme/scratch",
      accessToken: token,
      hubUrl,
      files: [{ path: "a", content: new Blob(["a"]) }],
    });
    const sq = await fetch(`${hubUrl}/api/models/acme/scratch/super-squash/main`, {
      method: "POST",
      headers: auth(),
      body: '{"message":"squash"}',
    });
    expect(sq.status).toBe(200);
    const commits = [];
    for await (const c of listCommits({ repo: "acme/scratch", hubUrl, accessToken: token })) commits.push(c.title);
    expect(commits).toEqual(["squash"]);
    const dup = await fetch(`${hubUrl}/api/models/acme/scratch/duplicate`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ repository: "alice/copy" }),
    });
    expect((await json(dup)).url).toBe(`${hubUrl}/alice/copy`);
    const mv = await fetch(`${hubUrl}/api/repos/move`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ fromRepo: "alice/copy", toRepo: "acme/moved", type: "model" }),
    });
    expect(mv.status).toBe(200);
    expect((await fetch(`${hubUrl}/acme/moved/resolve/main/a`)).status).toBe(200);
    expect((await fetch(`${hubUrl}/api/models/alice/copy`)).status).toBe(404);
  });
});

describe("git over HTTP", () => {
  it("ls-remote shows the Hub's commit ids; a clone passes fsck", async () => {
    const { stdout } = await run("git", ["ls-remote", `${hubUrl}/acme/model`], { env: gitEnv });
    const info = await modelInfo({ name: "acme/model", hubUrl, accessToken: token, additionalFields: ["sha"] });
    expect(stdout).toContain(`${info.sha}\trefs/heads/main`);
    expect(stdout).toMatch(/\trefs\/tags\/v1\.0\.0\n/);
    const dir = await mkdtemp(join(tmpdir(), "hub-clone-"));
    try {
      await run("git", ["clone", "-q", `${hubUrl}/acme/model`, dir], { env: { ...gitEnv, GIT_LFS_SKIP_SMUDGE: "1" } });
      await run("git", ["fsck", "--strict"], { cwd: dir, env: gitEnv });
      expect(await readFile(join(dir, "sub/notes.txt"), "utf8")).toBe("notes\n");
      expect(await readFile(join(dir, "model.safetensors"), "utf8")).toMatch(/^version https:\/\/git-lfs/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasGitLfs)("git clone + git lfs pull of a tag reproduces its files byte for byte", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hub-clone-lfs-"));
    try {
      const env = { ...gitEnv, GIT_LFS_SKIP_SMUDGE: "1" };
      await run("git", ["clone", "-q", "--branch", "v1.0.0", `${hubUrl}/acme/model`, dir], { env });
      await run("git", ["lfs", "install", "--local"], { cwd: dir, env });
      await run("git", ["lfs", "pull"], { cwd: dir, env });
      expect(new Uint8Array(await readFile(join(dir, "model.safetensors")))).toEqual(weights);
      expect(await readFile(join(dir, "README.md"), "utf8")).toBe(card);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a private repo challenges anonymous git with Basic and clones with the token as password", async () => {
    await createRepo({ repo: "acme/private", accessToken: token, hubUrl, private: true });
    const anon = await fetch(`${hubUrl}/acme/private/info/refs?service=git-upload-pack`);
    expect([anon.status, anon.headers.get("www-authenticate")]).toEqual([401, 'Basic realm="Hugging Face"']);
    const basic = `Authorization: Basic ${Buffer.from(`user:${token}`).toString("base64")}`;
    const { stdout } = await run("git", ["-c", `http.extraHeader=${basic}`, "ls-remote", `${hubUrl}/acme/private`], {
      env: gitEnv,
    });
    expect(stdout).toContain("refs/heads/main");
  });

  it("git push is refused with a pointer to the Hub API", async () => {
    const r = await fetch(`${hubUrl}/acme/model.git/info/refs?service=git-receive-pack`, { headers: auth() });
    expect(r.status).toBe(403);
  });
});
