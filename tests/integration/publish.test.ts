import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listCommits, listFiles } from "@huggingface/hub";
import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReleaseError } from "../../src/errors.js";
import { createCountingFetch } from "../../src/publish/create-retrying-fetch.js";
import { fetchHubRefs } from "../../src/publish/hub-publisher.js";
import type { ProgressEvent } from "../../src/publish/progress.js";
import { publishRelease, type PublishReleaseParams } from "../../src/publish/publish-release.js";
import { pullRelease } from "../../src/publish/pull-release.js";
import { verifyBundle } from "../../src/bundle/verify-bundle.js";
import { writeTestBundle } from "./helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "./helpers/stand-ins.js";

let s: StandIns;
beforeAll(async () => {
  s = await startStandIns();
});
afterAll(async () => s?.close());

const REPO = "acme/robot-coder";
let bundleCount = 0;
async function bundle(params: Parameters<typeof writeTestBundle>[1]): Promise<string> {
  const dir = join(s.root, `bundle-${++bundleCount}`);
  await writeTestBundle(dir, params);
  return dir;
}

function publish(bundleDir: string, extra: Partial<PublishReleaseParams> = {}) {
  return publishRelease({
    bundleDir,
    targets: { hub: { url: s.hub.url, token: s.hfToken }, github: { apiUrl: s.gh.url, token: s.ghToken } },
    options: {
      code: { remote: s.gh.cloneUrl("acme", "robot-coder"), sourceDir: s.codeDir, paths: ["train/**"], branch: "main" },
    },
    githubPace: false,
    retry: { baseDelayMs: 5 },
    gitEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
    // These tests reshard between versions on purpose (the guard itself is tested end to end).
    allowWeightReplacement: true,
    ...extra,
  });
}

const hubClient = () => ({ hubUrl: s.hub.url, accessToken: s.hfToken, fetch });
const octokit = () => new Octokit({ baseUrl: s.gh.url, auth: s.ghToken });

async function hubFilesAt(revision: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of listFiles({
    repo: { type: "model", name: REPO },
    recursive: true,
    revision,
    hubUrl: s.hub.url,
    accessToken: s.hfToken,
  }))
    if (f.type === "file") out.push(f.path);
  return out.sort();
}

async function releasesFor(tag: string) {
  const all = await octokit().paginate(octokit().rest.repos.listReleases, {
    owner: "acme",
    repo: "robot-coder",
    per_page: 100,
  });
  return all.filter((r) => r.tag_name === tag);
}

async function hubCommitCount(): Promise<number> {
  let n = 0;
  for await (const _ of listCommits({ repo: { type: "model", name: REPO }, hubUrl: s.hub.url, accessToken: s.hfToken }))
    n++;
  return n;
}

describe("publish against the local stand-ins", () => {
  it("publishes a first release: Hub commit and tag, code with internal blocks stripped, a published GitHub release with assets", async () => {
    const dir = await bundle({ version: "1.0.0", shards: 3 });
    const events: ProgressEvent[] = [];
    const result = await publish(dir, { onEvent: (e) => events.push(e) });
    expect(result.hub?.plan.createRepo).toBe(true);
    const refs = await fetchHubRefs(hubClient(), REPO, "model");
    expect(refs?.tags.map((t) => t.name)).toEqual(["v1.0.0"]);
    expect(refs?.tags[0]?.targetCommit).toBe(result.hub?.commit);
    expect(await hubFilesAt("v1.0.0")).toEqual([
      ".gitattributes",
      "README.md",
      "SHA256SUMS",
      "config.json",
      "eval-results.json",
      "manifest.json",
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
    ]);

    const [release, ...others] = await releasesFor("v1.0.0");
    expect(others).toEqual([]);
    expect(release).toMatchObject({ draft: false, prerelease: false });
    expect(release!.assets.map((a) => a.name).sort()).toEqual([
      "MODEL_CARD.md",
      "SHA256SUMS",
      "eval-results.json",
      "manifest.json",
    ]);
    expect(release!.body).toContain(`${s.hub.url}/${REPO}/tree/v1.0.0`);
    expect(release!.body).toContain("| job2drl | exact_match | 0.81 |");

    const gitDir = s.gh.gitDir("acme", "robot-coder");
    const files = execFileSync("git", ["--git-dir", gitDir, "ls-tree", "-r", "--name-only", "v1.0.0"], {
      encoding: "utf8",
    })
      .trim()
      .split("\n");
    expect(files).toEqual(["train/train.py"]);
    const train = execFileSync("git", ["--git-dir", gitDir, "show", "v1.0.0:train/train.py"], { encoding: "utf8" });
    expect(train).toBe("import torch\nprint('train')\n");

    const steps = events
      .filter((e) => e.type === "step" && e.status === "done")
      .map((e) => (e as { step: string }).step);
    expect(steps).toEqual([
      "plan",
      "verify",
      "hub-commit",
      "hub-tag",
      "code-push",
      "github-tag",
      "github-draft",
      "github-assets",
      "github-publish",
    ]);
  });

  it("a re-run of the same version is a no-op success that sends no weight bytes and duplicates nothing", async () => {
    const dir = await bundle({ version: "1.0.0", shards: 3 });
    const commitsBefore = await hubCommitCount();
    const counting = createCountingFetch();
    const result = await publish(dir, { fetch: counting.fetch });
    expect(result.hub?.plan.commit).toBeNull();
    expect(counting.sent.lfs).toBe(0);
    expect(await hubCommitCount()).toBe(commitsBefore);
    expect(await releasesFor("v1.0.0")).toHaveLength(1);
  });

  let plainPull: { bytes: number; manifestBytes: number } | undefined;
  it("pulls exactly the tag and verifies it; a flipped byte is reported with the file's name", async () => {
    const to = await mkdtemp(join(s.root, "pull-"));
    const pulled = await pullRelease(hubClient(), { ref: `${REPO}@1.0.0`, to });
    expect(pulled.tag).toBe("v1.0.0");
    expect(pulled.checked).toBe(6);
    const manifest = JSON.parse(await readFile(join(to, "manifest.json"), "utf8")) as { files: { size: number }[] };
    expect(pulled.manifestBytes).toBe(manifest.files.reduce((n, f) => n + f.size, 0));
    expect(pulled.bytes).toBeGreaterThan(pulled.manifestBytes);
    plainPull = { bytes: pulled.bytes, manifestBytes: pulled.manifestBytes };
    const shard = join(to, "model-00002-of-00003.safetensors");
    const bytes = await readFile(shard);
    bytes[100] = bytes[100]! ^ 0x01;
    await writeFile(shard, bytes);
    const verified = await verifyBundle({ dir: to });
    expect(verified.ok).toBe(false);
    expect(verified.changed.map((c) => c.path)).toEqual(["model-00002-of-00003.safetensors"]);
  });

  it("pulls into the standard Hugging Face cache layout", async () => {
    const cacheDir = await mkdtemp(join(s.root, "hf-cache-"));
    const pulled = await pullRelease(hubClient(), { ref: `${REPO}@v1.0.0`, to: "unused", cacheDir });
    expect(pulled.dir).toBe(join(cacheDir, "models--acme--robot-coder", "snapshots", pulled.commit));
    expect(pulled.checked).toBe(6);
    // The same bytes as a plain pull of the same tag (it used to report 0 B).
    expect({ bytes: pulled.bytes, manifestBytes: pulled.manifestBytes }).toEqual(plainPull);
    expect((await readFile(join(cacheDir, "models--acme--robot-coder", "refs", "v1.0.0"), "utf8")).trim()).toBe(
      pulled.commit,
    );
  });

  it("a second release with fewer shards leaves no stale shard, and the old tag keeps its files", async () => {
    const dir = await bundle({ version: "1.1.0", shards: 2, shardSeed: 11 });
    const result = await publish(dir);
    expect(result.hub?.plan.commit?.delete.map((f) => f.path)).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
    ]);
    expect((await hubFilesAt("v1.1.0")).filter((f) => f.endsWith(".safetensors"))).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
    ]);
    expect((await hubFilesAt("v1.0.0")).filter((f) => f.endsWith(".safetensors"))).toHaveLength(3);
    expect(result.versionPolicy.previous).toBe("1.0.0");
  });

  it("a re-release that changed only the card sends no weight bytes", async () => {
    const dir = await bundle({
      version: "1.1.1",
      shards: 2,
      shardSeed: 11,
      card: "---\nlicense: apache-2.0\n---\n# Robot coder\n\nNow with a better card.\n",
    });
    const counting = createCountingFetch();
    const result = await publish(dir, { fetch: counting.fetch });
    expect(result.hub?.plan.commit?.change.map((f) => f.path).sort()).toEqual([
      "README.md",
      "SHA256SUMS",
      "manifest.json",
    ]);
    expect(counting.sent.lfs).toBe(0);
    expect(counting.sent.total).toBeLessThan(20_000);
  });

  it("refuses a version that is not newer, and a tag that exists with other content", async () => {
    const older = await bundle({ version: "1.0.5", shards: 1 });
    await expect(publish(older)).rejects.toMatchObject({ code: "VERSION_NOT_NEWER", category: "conflict" });
    const changed = await bundle({ version: "1.0.0", shards: 1 });
    await expect(publish(changed)).rejects.toMatchObject({ code: "TAG_CONFLICT", category: "conflict" });
  });

  it("refuses a bundle whose files no longer match its manifest, before sending anything", async () => {
    const b = await bundle({ version: "3.0.0", shards: 1 });
    const manifest = JSON.parse(await readFile(join(b, "manifest.json"), "utf8")) as { files: { path: string }[] };
    const weights = manifest.files.find((f) => f.path.endsWith(".safetensors"))!.path;
    const bytes = await readFile(join(b, weights));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(join(b, weights), bytes);
    const commits = await hubCommitCount();
    await expect(publish(b)).rejects.toMatchObject({
      code: "BUNDLE_MISMATCH",
      category: "verify",
      message: expect.stringContaining(`changed ${weights}`),
    });
    expect(await hubCommitCount()).toBe(commits);
    expect(await releasesFor("v3.0.0")).toEqual([]);
  });

  it("refuses a card whose metadata the Hub rejects, before creating or committing anything", async () => {
    const b = await bundle({
      version: "3.1.0",
      shards: 1,
      hubRepo: "acme/bad-card",
      card: "---\nlicense: [apache-2.0\n---\n# Card\n",
    });
    await expect(publish(b)).rejects.toMatchObject({
      code: "HUB_CARD_INVALID",
      category: "blocked",
      message: expect.stringContaining("README.md"),
    });
    expect(
      (await fetch(`${s.hub.url}/api/models/acme/bad-card`, { headers: { authorization: `Bearer ${s.hfToken}` } }))
        .status,
    ).toBe(404);
  });

  it("blocks the code export on a secret or a project pattern before anything is sent", async () => {
    const code = join(s.root, "leaky-code");
    await mkdir(join(code, "train"), { recursive: true });
    await writeFile(join(code, "train", "train.py"), `import os\nHF = "hf_${"aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF"}"\n`);
    const dir = await bundle({ version: "1.5.0", shards: 1 });
    const codeOption = {
      remote: s.gh.cloneUrl("acme", "robot-coder"),
      sourceDir: code,
      paths: ["train/**"],
      branch: "main",
    };
    const err = await publish(dir, { options: { code: codeOption } }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "CODE_SECRET_FOUND",
      category: "blocked",
      location: { file: "train/train.py", line: 2 },
    });
    expect(JSON.stringify((err as { toJSON(): unknown }).toJSON())).not.toContain("aB3dE5gH7jK9");
    await writeFile(join(code, "train", "train.py"), "# tuned for the Hyundai Ulsan plant line 3\n");
    await expect(
      publish(dir, {
        options: { code: codeOption, secretPatterns: [{ name: "plant-name", values: ["Ulsan plant"] }] },
      }),
    ).rejects.toMatchObject({ code: "CODE_SECRET_FOUND" });
    expect((await fetchHubRefs(hubClient(), REPO, "model"))?.tags.map((t) => t.name)).not.toContain("v1.5.0");
  });

  it("publishes a prerelease that is tagged but never latest", async () => {
    const dir = await bundle({ version: "2.0.0-rc.1", shards: 2, shardSeed: 20 });
    const result = await publish(dir);
    expect(result.versionPolicy).toMatchObject({ prerelease: true, latest: false });
    const [release] = await releasesFor("v2.0.0-rc.1");
    expect(release).toMatchObject({ prerelease: true, draft: false });
    const latest = await octokit().rest.repos.getLatestRelease({ owner: "acme", repo: "robot-coder" });
    expect(latest.data.tag_name).toBe("v1.1.1");
  });
});

describe("remote errors", () => {
  it("translates a refused token without leaking it, for the Hub and for GitHub", async () => {
    const dir = await bundle({ version: "5.0.0", shards: 1 });
    const badHf = `hf_${"x".repeat(34)}`;
    const hubErr = await publish(dir, { targets: { hub: { url: s.hub.url, token: badHf } } }).catch((e: unknown) => e);
    // The preflight asks the Hub who the token is: a refused token is named before anything else.
    expect(hubErr).toMatchObject({ category: "remote", code: "HUB_TOKEN_INVALID" });
    expect(JSON.stringify((hubErr as { toJSON(): unknown }).toJSON()) + String((hubErr as Error).stack)).not.toContain(
      badHf,
    );
    const badGh = `ghp_${"y".repeat(36)}`;
    const ghErr = await publish(dir, { targets: { github: { apiUrl: s.gh.url, token: badGh } } }).catch(
      (e: unknown) => e,
    );
    expect(ghErr).toMatchObject({
      category: "remote",
      code: "GITHUB_TOKEN_INVALID",
      hint: expect.stringContaining("GITHUB_TOKEN"),
    });
    expect((ghErr as { cause?: unknown }).cause).toBeUndefined();
    expect(JSON.stringify((ghErr as { toJSON(): unknown }).toJSON()) + String((ghErr as Error).stack)).not.toContain(
      badGh,
    );
  });
});

describe("datasets", () => {
  it("publishes a dataset repo through the same publisher and pulls it back", async () => {
    const dir = join(s.root, "dataset-bundle");
    await writeTestBundle(dir, { version: "0.1.0", shards: 1, hubRepo: "acme/robot-jobs", repoType: "dataset" });
    const result = await publishRelease({
      bundleDir: dir,
      targets: { hub: { url: s.hub.url, token: s.hfToken } },
      retry: { baseDelayMs: 5 },
    });
    expect(result.hub?.url).toBe(`${s.hub.url}/datasets/acme/robot-jobs/tree/v0.1.0`);
    expect((await fetchHubRefs(hubClient(), "acme/robot-jobs", "dataset"))?.tags.map((t) => t.name)).toEqual([
      "v0.1.0",
    ]);
    expect(await fetchHubRefs(hubClient(), "acme/robot-jobs", "model")).toBeUndefined();
    const to = await mkdtemp(join(s.root, "pull-ds-"));
    const pulled = await pullRelease(hubClient(), { ref: "acme/robot-jobs@0.1.0", to, repoType: "dataset" });
    expect(pulled.checked).toBe(4);
  });
});

describe("faults and resume", () => {
  it("rides out 429 storms, 500s and dropped connections on every Hub and GitHub step", async () => {
    s.hub.faults.setRules([
      { path: "/preupload/", count: 3, action: { kind: "status", status: 429, retryAfterSeconds: 0 } },
      { path: "/info/lfs/objects/batch", count: 2, action: { kind: "status", status: 503 } },
      { method: "PUT", path: "/", count: 1, action: { kind: "drop" } },
      { path: "/commit/", count: 2, action: { kind: "status", status: 500 } },
      { path: "/tag/", count: 1, action: { kind: "drop" } },
    ]);
    s.gh.faults.setRules([
      { method: "POST", path: "/releases$", count: 2, action: { kind: "status", status: 502 } },
      { method: "POST", path: "/assets", count: 3, action: { kind: "status", status: 429, retryAfterSeconds: 0 } },
      { method: "PATCH", path: "/releases/", count: 1, action: { kind: "drop" } },
    ]);
    const retries: ProgressEvent[] = [];
    try {
      const dir = await bundle({ version: "2.1.0", shards: 2, shardSeed: 21 });
      await publish(dir, { onEvent: (e) => e.type === "retry" && retries.push(e) });
    } finally {
      s.hub.faults.setRules([]);
      s.gh.faults.setRules([]);
    }
    expect(retries.length).toBeGreaterThanOrEqual(10);
    expect((await fetchHubRefs(hubClient(), REPO, "model"))?.tags.map((t) => t.name)).toContain("v2.1.0");
    const releases = await releasesFor("v2.1.0");
    expect(releases).toHaveLength(1);
    expect(releases[0]).toMatchObject({ draft: false });
    expect(releases[0]!.assets).toHaveLength(4);
  });

  it("a publish that fails after uploading its LFS objects re-sends none of them on the re-run", async () => {
    const dir = await bundle({ version: "2.2.0", shards: 3, shardSeed: 22 });
    s.hub.faults.setRules([{ path: "/commit/", count: 50, action: { kind: "status", status: 503 } }]);
    const first = createCountingFetch();
    try {
      await expect(publish(dir, { fetch: first.fetch, retry: { retries: 2, baseDelayMs: 1 } })).rejects.toMatchObject({
        code: "REMOTE_FAILED",
        category: "remote",
      });
    } finally {
      s.hub.faults.setRules([]);
    }
    expect(first.sent.lfs).toBe(3 * 4096);
    const again = createCountingFetch();
    await publish(dir, { fetch: again.fetch });
    expect(again.sent.lfs).toBe(0);
    expect(await hubFilesAt("v2.2.0")).toContain("model-00003-of-00003.safetensors");
  });

  for (const crashAfter of ["hub-commit", "hub-tag", "github-tag", "github-draft", "github-assets"] as const) {
    it(`a crash right after ${crashAfter} is completed by a re-run: one release, no duplicates, nothing half-public`, async () => {
      const version = `3.0.${["hub-commit", "hub-tag", "github-tag", "github-draft", "github-assets"].indexOf(crashAfter)}`;
      const dir = await bundle({ version, shards: 2, shardSeed: 30 + version.length });
      const commitsBefore = await hubCommitCount();
      const crash = new Error(`simulated crash after ${crashAfter}`);
      await expect(
        publish(dir, {
          onEvent: (e) => {
            if (e.type === "step" && e.step === crashAfter && e.status === "done") throw crash;
          },
        }),
      ).rejects.toBe(crash);
      // Nothing public on GitHub yet: at most a draft.
      expect((await releasesFor(`v${version}`)).every((r) => r.draft)).toBe(true);
      const resumed = await publish(dir);
      expect(resumed.resumed).toContain(crashAfter);
      expect(await hubCommitCount()).toBe(commitsBefore + 1);
      const releases = await releasesFor(`v${version}`);
      expect(releases).toHaveLength(1);
      expect(releases[0]).toMatchObject({ draft: false });
      expect(
        (await fetchHubRefs(hubClient(), REPO, "model"))?.tags.filter((t) => t.name === `v${version}`),
      ).toHaveLength(1);
    });
  }

  it("two concurrent publishes of one version: exactly one succeeds, the other fails clearly", async () => {
    const a = await bundle({ version: "4.0.0", shards: 2, shardSeed: 40 });
    const b = join(s.root, "bundle-copy");
    await cp(a, b, { recursive: true });
    const results = await Promise.allSettled([publish(a), publish(b)]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const err = failed[0]!.reason;
    expect(isReleaseError(err) && err.category).toBe("conflict");
    expect(isReleaseError(err) && [err.code, err.message.replace(/[0-9a-f]{12}/g, "<sha>")]).toMatchInlineSnapshot(`
      [
        "CONCURRENT_PUBLISH",
        "acme/robot-coder changed while publishing v4.0.0: the main branch moved past <sha>",
      ]
    `);
    expect(await releasesFor("v4.0.0")).toHaveLength(1);
  });

  it("a publish of the same version from another machine meets the interrupted one's commit and draft: conflict, or --takeover", async () => {
    const a = await bundle({ version: "4.1.0", shards: 1, shardSeed: 41 });
    const b = join(s.root, "bundle-elsewhere");
    await cp(a, b, { recursive: true });
    const crash = new Error("machine A died");
    await expect(
      publish(a, {
        onEvent: (e) => {
          if (e.type === "step" && e.step === "hub-commit" && e.status === "done") throw crash;
        },
      }),
    ).rejects.toBe(crash);
    await expect(publish(b)).rejects.toMatchObject({
      code: "CONCURRENT_PUBLISH",
      hint: expect.stringContaining("--takeover"),
    });
    await expect(
      publish(a, {
        onEvent: (e) => {
          if (e.type === "step" && e.step === "github-draft" && e.status === "done") throw crash;
        },
      }),
    ).rejects.toBe(crash);
    await expect(publish(b)).rejects.toMatchObject({
      code: "CONCURRENT_PUBLISH",
      message: expect.stringContaining("draft"),
    });
    const taken = await publish(b, { takeover: true });
    expect(taken.github?.releaseUrl).toBeTruthy();
    const releases = await releasesFor("v4.1.0");
    expect(releases).toHaveLength(1);
    expect(releases[0]).toMatchObject({ draft: false });
  });

  it("a CI re-run on a fresh runner (no journal) with the same run id completes its first attempt's release", async () => {
    const a = await bundle({ version: "4.2.0", shards: 1, shardSeed: 42 });
    const b = join(s.root, "bundle-fresh-runner");
    await cp(a, b, { recursive: true });
    const crash = new Error("runner lost");
    await expect(
      publish(a, {
        runId: "github-actions:acme/robot-coder:77",
        onEvent: (e) => {
          if (e.type === "step" && e.step === "github-draft" && e.status === "done") throw crash;
        },
      }),
    ).rejects.toBe(crash);
    const done = await publish(b, { runId: "github-actions:acme/robot-coder:77" });
    expect(done.github?.releaseUrl).toBeTruthy();
    expect(await releasesFor("v4.2.0")).toHaveLength(1);
  });
});
