import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Bottleneck from "bottleneck";
import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GITHUB_OPERATIONS,
  startGitHubServer,
  type GitHubServerHandle,
} from "../../src/local/github/start-github-server.js";
import { gitEnv } from "../../src/local/github/git-bare-repo.js";
import { loadGitHubOpenApi, validateResponse, type RecordedResponse } from "../lib/validate-openapi-response.js";

const run = promisify(execFile);
const OWNER = "acme";
const REPO = "robot-coder";

let dataDir: string;
let work: string;
let gh: GitHubServerHandle;
let token: string;
let octokit: Octokit;
let anonymous: Octokit;
const recorded: RecordedResponse[] = [];

/** Records every response octokit receives, to validate them all against GitHub's OpenAPI description. */
const recordingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const url = new URL(typeof input === "string" || input instanceof URL ? input.toString() : input.url);
  const contentType = res.headers.get("content-type") ?? "";
  // Asset bytes (Accept: application/octet-stream) are compared byte for byte instead; GitHub documents only a redirect for them.
  if (!contentType.startsWith("application/octet-stream")) {
    const base = url.pathname.startsWith("/api/uploads") ? "/api/uploads" : "/api/v3";
    recorded.push({
      method: init?.method ?? "GET",
      path: url.pathname.slice(base.length),
      status: res.status,
      contentType,
      body: await res.clone().text(),
    });
  }
  return res;
};

const client = (auth?: string) =>
  new Octokit({
    baseUrl: gh.url,
    ...(auth ? { auth } : {}),
    request: { fetch: recordingFetch },
    // Same plugins and policies as production, with the waits shrunk: octokit spaces writes 1 s
    // apart, notification-triggering writes (create release) 3 s, and backs off 1 s, 4 s, 9 s
    // between retries, which would make this file take a minute.
    retry: { retryAfterBaseValue: 10 },
    throttle: {
      onRateLimit: () => true,
      onSecondaryRateLimit: () => true,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });

async function git(cwd: string, ...args: string[]) {
  const { stdout } = await run("git", args, {
    cwd,
    env: {
      ...gitEnv(),
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  });
  return stdout.trim();
}

/** Status and body of a failed octokit call. */
async function failure(p: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; response?: { data: unknown } };
    return { status: e.status, data: e.response?.data };
  }
  throw new Error("expected the request to fail");
}

let mainSha: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "gh-server-"));
  work = await mkdtemp(join(tmpdir(), "gh-work-"));
  gh = await startGitHubServer({ dataDir });
  token = gh.ensureToken("alice");
  await gh.createRepo({ owner: OWNER, name: REPO, members: ["alice"] });
  octokit = client(token);
  anonymous = client();
  // The code part of a release goes over real git, to the URL the repository object advertises.
  await git(work, "init", "-q", "-b", "main");
  await writeFile(join(work, "README.md"), "# robot-coder\n");
  await git(work, "add", "README.md");
  await git(work, "commit", "-q", "-m", "initial");
  mainSha = await git(work, "rev-parse", "HEAD");
  await git(work, "push", "-q", gh.cloneUrl(OWNER, REPO, token), "main");
});

afterAll(async () => {
  await gh?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe("GitHub stand-in with the real octokit client", () => {
  it("serves the authenticated user and the repository", async () => {
    const { data: me } = await octokit.rest.users.getAuthenticated();
    expect(me.login).toBe("alice");
    const { data: repo } = await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(repo).toMatchObject({
      full_name: `${OWNER}/${REPO}`,
      default_branch: "main",
      clone_url: gh.cloneUrl(OWNER, REPO),
    });
    expect(repo.permissions?.push).toBe(true);
    const { data: created } = await octokit.rest.repos.createForAuthenticatedUser({ name: "scratch" });
    expect(created.full_name).toBe("alice/scratch");
    const { data: inOrg } = await octokit.rest.repos.createInOrg({ org: "newco", name: "vision" });
    expect(inOrg.owner.type).toBe("Organization");
    expect((await failure(octokit.rest.repos.createInOrg({ org: "newco", name: "vision" }))).status).toBe(422);
  });

  it("reports the refs that git pushed, and creates annotated tags that git sees", async () => {
    const { data: ref } = await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: "heads/main" });
    expect(ref.object).toMatchObject({ type: "commit", sha: mainSha });
    const { data: commit } = await octokit.rest.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: mainSha });
    expect(commit).toMatchObject({
      sha: mainSha,
      message: "initial\n",
      author: { name: "t", email: "t@example.com" },
      parents: [],
    });
    expect(
      (await failure(octokit.rest.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: "f".repeat(40) }))).status,
    ).toBe(404);

    const { data: tag } = await octokit.rest.git.createTag({
      owner: OWNER,
      repo: REPO,
      tag: "v1.0.0",
      message: "robot-coder 1.0.0",
      object: mainSha,
      type: "commit",
      tagger: { name: "Release Bot", email: "bot@example.com", date: "2026-01-02T03:04:05Z" },
    });
    expect(tag.tagger).toEqual({ name: "Release Bot", email: "bot@example.com", date: "2026-01-02T03:04:05Z" });
    await octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: "refs/tags/v1.0.0", sha: tag.sha });
    const { data: got } = await octokit.rest.git.getTag({ owner: OWNER, repo: REPO, tag_sha: tag.sha });
    expect(got).toMatchObject({
      tag: "v1.0.0",
      message: "robot-coder 1.0.0\n",
      object: { sha: mainSha, type: "commit" },
    });
    const { data: tagRef } = await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: "tags/v1.0.0" });
    expect(tagRef.object).toMatchObject({ type: "tag", sha: tag.sha });
    // git itself agrees: the tag is in the bare repository.
    const remote = await git(work, "ls-remote", "--tags", gh.cloneUrl(OWNER, REPO, token));
    expect(remote).toContain(`${tag.sha}\trefs/tags/v1.0.0`);

    // The token as an Authorization header (how publishers keep it out of argv and URLs) works too.
    const header = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
    await git(
      work,
      "-c",
      `http.extraHeader=${header}`,
      "push",
      "-q",
      "--atomic",
      gh.cloneUrl(OWNER, REPO),
      "main:refs/heads/via-header",
    );
    const { data: viaHeader } = await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: "heads/via-header" });
    expect(viaHeader.object.sha).toBe(mainSha);

    const { data: matching } = await octokit.rest.git.listMatchingRefs({ owner: OWNER, repo: REPO, ref: "tags/v1" });
    expect(matching.map((r) => r.ref)).toEqual(["refs/tags/v1.0.0"]);

    // A version tag never moves: creating it again is refused.
    const dup = await failure(
      octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: "refs/tags/v1.0.0", sha: mainSha }),
    );
    expect(dup).toMatchInlineSnapshot(`
      {
        "data": {
          "documentation_url": "https://docs.github.com/rest",
          "message": "Reference already exists",
          "status": "422",
        },
        "status": 422,
      }
    `);
    expect(
      (await failure(octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: "refs/tags/x", sha: "0".repeat(40) })))
        .status,
    ).toBe(422);
    expect((await failure(octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: "tags/nope" }))).status).toBe(404);

    // Branch refs can be moved (fast-forward) and deleted.
    await octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: "refs/heads/scratch", sha: mainSha });
    const { data: moved } = await octokit.rest.git.updateRef({
      owner: OWNER,
      repo: REPO,
      ref: "heads/scratch",
      sha: mainSha,
    });
    expect(moved.object.sha).toBe(mainSha);
    await octokit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: "heads/scratch" });
    expect((await failure(octokit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: "heads/scratch" }))).status).toBe(
      422,
    );
  });

  it("lists tags, serves contents and the rate limit; auto_init commits a README; clones without .git", async () => {
    const { data: tags } = await octokit.rest.repos.listTags({ owner: OWNER, repo: REPO });
    expect(tags.map((t) => [t.name, t.commit.sha])).toEqual([["v1.0.0", mainSha]]);
    const { data: file } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "README.md" });
    expect(Buffer.from((file as { content: string }).content, "base64").toString()).toBe("# robot-coder\n");
    // The root listing (`/contents` without a path) is not in the OpenAPI description: fetched directly.
    const root = (await (await fetch(`${gh.url}/repos/${OWNER}/${REPO}/contents?ref=v1.0.0`)).json()) as {
      name: string;
      type: string;
    }[];
    expect(root.map((e) => [e.name, e.type])).toEqual([["README.md", "file"]]);
    expect((await failure(octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "nope" }))).status).toBe(404);
    const { data: limits } = await octokit.rest.rateLimit.get();
    expect(limits.rate.remaining).toBe(5000);

    const { data: inited } = await octokit.rest.repos.createForAuthenticatedUser({
      name: "inited",
      description: "with a README",
      auto_init: true,
    });
    const { data: initRef } = await octokit.rest.git.getRef({ owner: "alice", repo: inited.name, ref: "heads/main" });
    const { data: initCommit } = await octokit.rest.git.getCommit({
      owner: "alice",
      repo: inited.name,
      commit_sha: initRef.object.sha,
    });
    expect(initCommit).toMatchObject({ message: "Initial commit\n", author: { name: "alice" } });

    // The older `GET /git/refs/{ref}` spelling (curl, gh): a ref, or the refs it prefixes.
    const legacy = await fetch(`${gh.url}/repos/${OWNER}/${REPO}/git/refs/tags/v1.0.0`);
    expect(((await legacy.json()) as { ref: string }).ref).toBe("refs/tags/v1.0.0");
    const prefix = await fetch(`${gh.url}/repos/${OWNER}/${REPO}/git/refs/tags`);
    expect(((await prefix.json()) as { ref: string }[]).map((r) => r.ref)).toEqual(["refs/tags/v1.0.0"]);

    const clone = join(work, "clone-no-dot-git");
    await git(work, "clone", "-q", `${gh.webUrl}/alice/inited`, clone);
    expect(await readFile(join(clone, "README.md"), "utf8")).toBe("# inited\n\nwith a README\n");
  });

  it("runs the draft → assets → publish flow and serves the asset bytes", async () => {
    const { data: draft } = await octokit.rest.repos.createRelease({
      owner: OWNER,
      repo: REPO,
      tag_name: "v2.0.0",
      name: "2.0.0",
      body: "notes",
      draft: true,
    });
    expect(draft).toMatchObject({ draft: true, published_at: null, tarball_url: null });
    // Drafts are invisible by tag and to anyone without push access, as on GitHub.
    expect(
      (await failure(octokit.rest.repos.getReleaseByTag({ owner: OWNER, repo: REPO, tag: "v2.0.0" }))).status,
    ).toBe(404);
    expect((await anonymous.rest.repos.listReleases({ owner: OWNER, repo: REPO })).data).toEqual([]);
    expect((await octokit.rest.repos.listReleases({ owner: OWNER, repo: REPO })).data.map((r) => r.id)).toEqual([
      draft.id,
    ]);

    const bytes = Buffer.from("weights-manifest\n");
    // Upload through the release's upload_url template, as publishers do on github.com ...
    const { data: asset } = await octokit.rest.repos.uploadReleaseAsset({
      owner: OWNER,
      repo: REPO,
      release_id: draft.id,
      name: "manifest.json",
      url: draft.upload_url,
      data: bytes as unknown as string,
      headers: { "content-type": "application/json" },
    });
    expect(asset).toMatchObject({
      name: "manifest.json",
      size: bytes.length,
      state: "uploaded",
      content_type: "application/json",
    });
    expect(asset.digest).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
    // ... or through baseUrl, and a name with special characters is renamed like GitHub does.
    const { data: second } = await octokit.rest.repos.uploadReleaseAsset({
      owner: OWNER,
      repo: REPO,
      release_id: draft.id,
      name: "SHA256 SUMS",
      label: "checksums",
      baseUrl: gh.uploadsUrl,
      data: "abc  file\n",
    });
    expect(second).toMatchObject({ name: "SHA256.SUMS", label: "checksums" });

    const dup = await failure(
      octokit.rest.repos.uploadReleaseAsset({
        owner: OWNER,
        repo: REPO,
        release_id: draft.id,
        name: "manifest.json",
        url: draft.upload_url,
        data: "x",
      }),
    );
    expect(dup).toMatchInlineSnapshot(`
      {
        "data": {
          "documentation_url": "https://docs.github.com/rest",
          "errors": [
            {
              "code": "already_exists",
              "field": "name",
              "resource": "ReleaseAsset",
            },
          ],
          "message": "Validation Failed",
          "status": "422",
        },
        "status": 422,
      }
    `);

    const { data: assets } = await octokit.rest.repos.listReleaseAssets({
      owner: OWNER,
      repo: REPO,
      release_id: draft.id,
    });
    expect(assets.map((a) => a.name)).toEqual(["manifest.json", "SHA256.SUMS"]);
    const { data: meta } = await octokit.rest.repos.getReleaseAsset({ owner: OWNER, repo: REPO, asset_id: asset.id });
    expect(meta.browser_download_url).toBe(asset.browser_download_url);
    const raw = await octokit.rest.repos.getReleaseAsset({
      owner: OWNER,
      repo: REPO,
      asset_id: asset.id,
      headers: { accept: "application/octet-stream" },
    });
    expect(Buffer.from(raw.data as unknown as ArrayBuffer)).toEqual(bytes);
    // The browser URL of a draft's asset needs push access.
    expect((await fetch(asset.browser_download_url)).status).toBe(404);

    await octokit.rest.repos.deleteReleaseAsset({ owner: OWNER, repo: REPO, asset_id: second.id });
    expect(
      (await failure(octokit.rest.repos.getReleaseAsset({ owner: OWNER, repo: REPO, asset_id: second.id }))).status,
    ).toBe(404);

    // Publishing creates the tag from target_commitish, since v2.0.0 does not exist yet.
    const { data: published } = await octokit.rest.repos.updateRelease({
      owner: OWNER,
      repo: REPO,
      release_id: draft.id,
      draft: false,
    });
    expect(published.draft).toBe(false);
    expect(published.published_at).not.toBeNull();
    const { data: ref } = await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: "tags/v2.0.0" });
    expect(ref.object).toMatchObject({ type: "commit", sha: mainSha });
    expect((await octokit.rest.repos.getReleaseByTag({ owner: OWNER, repo: REPO, tag: "v2.0.0" })).data.id).toBe(
      draft.id,
    );
    expect((await octokit.rest.repos.getLatestRelease({ owner: OWNER, repo: REPO })).data.id).toBe(draft.id);
    expect(
      (await anonymous.rest.repos.getRelease({ owner: OWNER, repo: REPO, release_id: draft.id })).data.assets,
    ).toHaveLength(1);
    const download = await fetch(asset.browser_download_url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    // A second published release for the same tag is refused; a second draft is allowed (GitHub does too).
    const again = await failure(octokit.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: "v2.0.0" }));
    expect(again).toMatchInlineSnapshot(`
      {
        "data": {
          "documentation_url": "https://docs.github.com/rest",
          "errors": [
            {
              "code": "already_exists",
              "field": "tag_name",
              "resource": "Release",
            },
          ],
          "message": "Validation Failed",
          "status": "422",
        },
        "status": 422,
      }
    `);
    // A backport published with make_latest "false" leaves "latest" where it was.
    const { data: backport } = await octokit.rest.repos.createRelease({
      owner: OWNER,
      repo: REPO,
      tag_name: "v1.0.0",
      make_latest: "false",
    });
    expect(backport.draft).toBe(false);
    expect((await octokit.rest.repos.getLatestRelease({ owner: OWNER, repo: REPO })).data.id).toBe(draft.id);
    await octokit.rest.repos.deleteRelease({ owner: OWNER, repo: REPO, release_id: backport.id });

    const { data: draft2 } = await octokit.rest.repos.createRelease({
      owner: OWNER,
      repo: REPO,
      tag_name: "v2.0.0",
      draft: true,
    });
    expect(
      (
        await failure(
          octokit.rest.repos.updateRelease({ owner: OWNER, repo: REPO, release_id: draft2.id, draft: false }),
        )
      ).status,
    ).toBe(422);
    await octokit.rest.repos.deleteRelease({ owner: OWNER, repo: REPO, release_id: draft2.id });
    expect(
      (await failure(octokit.rest.repos.getRelease({ owner: OWNER, repo: REPO, release_id: draft2.id }))).status,
    ).toBe(404);
  });

  it("answers bad credentials, missing auth and unknown resources in GitHub's error shape", async () => {
    const bad = await failure(client("ghp_notavalidtoken").rest.users.getAuthenticated());
    expect(bad).toMatchInlineSnapshot(`
      {
        "data": {
          "documentation_url": "https://docs.github.com/rest",
          "message": "Bad credentials",
          "status": "401",
        },
        "status": 401,
      }
    `);
    expect(
      (await failure(anonymous.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: "v9" }))).status,
    ).toBe(401);
    const missing = await failure(octokit.rest.repos.get({ owner: OWNER, repo: "nope" }));
    expect(missing).toMatchInlineSnapshot(`
      {
        "data": {
          "documentation_url": "https://docs.github.com/rest",
          "message": "Not Found",
          "status": "404",
        },
        "status": 404,
      }
    `);
    expect((await failure(octokit.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: "" }))).status).toBe(
      422,
    );
    // An anonymous git push is challenged, so git retries with the credentials in its URL.
    await expect(git(work, "push", "-q", gh.cloneUrl(OWNER, REPO), "main:other")).rejects.toThrow();
  });

  it("lets exactly one of two racing creators win a tag ref or an asset name", async () => {
    // Two clients, so octokit's own write queue does not serialize the requests.
    const racers = [client(token), client(token)];
    const refs = await Promise.allSettled(
      racers.map((c) => c.rest.git.createRef({ owner: OWNER, repo: REPO, ref: "refs/tags/race", sha: mainSha })),
    );
    expect(refs.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const { data: rel } = await octokit.rest.repos.createRelease({
      owner: OWNER,
      repo: REPO,
      tag_name: "race",
      draft: true,
    });
    const uploads = await Promise.allSettled(
      racers.map((c, i) =>
        c.rest.repos.uploadReleaseAsset({
          owner: OWNER,
          repo: REPO,
          release_id: rel.id,
          name: "same.bin",
          url: rel.upload_url,
          data: `bytes ${i}`,
        }),
      ),
    );
    expect(uploads.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((uploads.find((r) => r.status === "rejected") as PromiseRejectedResult).reason.status).toBe(422);
    expect(
      (await octokit.rest.repos.listReleaseAssets({ owner: OWNER, repo: REPO, release_id: rel.id })).data,
    ).toHaveLength(1);
    await octokit.rest.repos.deleteRelease({ owner: OWNER, repo: REPO, release_id: rel.id });
  });

  it("retries through injected faults: 500, 429 with Retry-After and a dropped connection", async () => {
    gh.faults.setRules([
      { method: "GET", path: "^/api/v3/repos/acme/robot-coder$", nth: 1, action: { kind: "status", status: 500 } },
      { method: "GET", path: "^/api/v3/user$", nth: 1, action: { kind: "status", status: 429, retryAfterSeconds: 0 } },
      { method: "GET", path: "^/api/v3/repos/acme/robot-coder/releases$", nth: 1, action: { kind: "drop" } },
    ]);
    expect((await octokit.rest.repos.get({ owner: OWNER, repo: REPO })).data.name).toBe(REPO);
    expect((await octokit.rest.users.getAuthenticated()).data.login).toBe("alice");
    expect((await octokit.rest.repos.listReleases({ owner: OWNER, repo: REPO })).status).toBe(200);
    expect(gh.faults.hits).toEqual([2, 2, 2]);
    gh.faults.setRules([]);
  });

  it("every response served matches GitHub's OpenAPI description, and every served operation was exercised", () => {
    const spec = loadGitHubOpenApi();
    const seen = new Set<string>();
    const errors: string[] = [];
    // Injected faults are the fault injector's bodies, not the stand-in's.
    for (const r of recorded.filter((r) => !r.body.includes("injected fault"))) {
      const result = validateResponse(spec, r);
      if (result.operationId) seen.add(result.operationId);
      errors.push(...result.errors);
    }
    expect(errors).toEqual([]);
    expect(GITHUB_OPERATIONS.filter((op) => !seen.has(op))).toEqual([]);
  });

  it("keeps tokens, repositories and releases across a restart", async () => {
    await gh.close();
    gh = await startGitHubServer({ dataDir });
    expect(gh.ensureToken("alice")).toBe(token);
    const fresh = client(token);
    const { data } = await fresh.rest.repos.getReleaseByTag({ owner: OWNER, repo: REPO, tag: "v2.0.0" });
    expect(data.assets.map((a) => a.name)).toEqual(["manifest.json"]);
  });
});

describe("release asset size cap", () => {
  it("refuses an asset over the cap with 422 and keeps nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gh-cap-"));
    const small = await startGitHubServer({ dataDir: dir, maxAssetBytes: 8 });
    try {
      const t = small.ensureToken("bob");
      await small.createRepo({ owner: "bob", name: "r" });
      const ok = new Octokit({ baseUrl: small.url, auth: t });
      const { data: rel } = await ok.rest.repos.createRelease({ owner: "bob", repo: "r", tag_name: "v1", draft: true });
      const err = await failure(
        ok.rest.repos.uploadReleaseAsset({
          owner: "bob",
          repo: "r",
          release_id: rel.id,
          name: "big.bin",
          url: rel.upload_url,
          data: "123456789",
        }),
      );
      expect(err.status).toBe(422);
      expect((await ok.rest.repos.listReleaseAssets({ owner: "bob", repo: "r", release_id: rel.id })).data).toEqual([]);
    } finally {
      await small.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
