import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubServer } from "../../src/local/hub/start-hub-server.js";
import { writeTestBundle } from "../integration/helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "../integration/helpers/stand-ins.js";
import { BIN, runCli, writeReleaseConfig, standInEnv, writeDemoConfig } from "./helpers/run-cli.js";
import { startCountingProxy } from "./helpers/start-counting-proxy.js";

// Every check before the first byte (tokens, write access, repos, tags on both sides, the
// options later steps need, weights and architecture guards), the journal as a hint the remote
// confirms, and proxies: the built CLI against the stand-ins.

let s: StandIns;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the e2e tests`);
  s = await startStandIns();
  env = standInEnv(s);
});
afterAll(async () => s?.close());

/** The first `error[…]` line of a run's stderr (progress lines come before it). */
const errorLine = (stderr: string) => stderr.split("\n").find((l) => l.startsWith("error[")) ?? "";
const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, cwd: s.root });
const octokit = () => new Octokit({ baseUrl: s.gh.url, auth: s.ghToken });
const hubTags = async (repo: string, hubUrl = s.hub.url, token = s.hfToken) => {
  const r = await fetch(`${hubUrl}/api/models/${repo}/refs`, { headers: { authorization: `Bearer ${token}` } });
  return r.status === 200 ? ((await r.json()) as { tags: { name: string }[] }).tags.map((t) => t.name) : undefined;
};
const ghReleases = async (name: string) =>
  (await octokit().paginate(octokit().rest.repos.listReleases, { owner: "acme", repo: name })).map((r) => ({
    tag: r.tag_name,
    draft: r.draft,
  }));

let n = 0;
async function bundle(repo: string, version: string, more: Partial<Parameters<typeof writeTestBundle>[1]> = {}) {
  const dir = join(s.root, `bundle-${++n}`);
  await writeTestBundle(dir, { version, shards: 2, shardSeed: n, hubRepo: repo, githubRepo: repo, ...more });
  return dir;
}

describe("publish preflight (built CLI)", () => {
  it("a refused token, a missing GitHub repo and a missing --config fail before anything is sent", async () => {
    const dir = await bundle("acme/pf-new", "1.0.0");
    const config = await writeReleaseConfig(s.root, { repo: "acme/pf-new", codeDir: s.codeDir });
    const badToken = await cli(["publish", dir, "--config", config], { HF_TOKEN: `hf_${"x".repeat(34)}` });
    expect([badToken.code, errorLine(badToken.stderr)]).toEqual([
      4,
      `error[HUB_TOKEN_INVALID]: the Hub at ${s.hub.url} refused HF_TOKEN (HTTP 401)`,
    ]);
    const noRepo = await cli(["publish", dir, "--config", config]);
    expect([noRepo.code, errorLine(noRepo.stderr)]).toEqual([
      4,
      "error[GITHUB_REPO_MISSING]: GitHub repository acme/pf-new does not exist (or the token cannot see it)",
    ]);
    expect(noRepo.stderr).toContain("github.create: true");
    // Situation 4 of the issue: without --config nothing says the new repo's visibility or how to
    // give the GitHub tag a commit. Both are named; nothing is sent.
    const noConfig = await cli(["publish", dir]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain("preflight failed, nothing was sent:");
    expect(noConfig.stderr).toContain("hub repository: CONFIG_REQUIRED");
    expect(noConfig.stderr).toContain("github repository: GITHUB_REPO_MISSING");
    expect(await hubTags("acme/pf-new")).toBeUndefined();

    const create = await writeReleaseConfig(s.root, {
      repo: "acme/pf-new",
      codeDir: s.codeDir,
      githubCreate: true,
      file: "create.yaml",
    });
    const dry = await cli(["publish", dir, "--config", create, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Preflight:\n  ok   hub token: valid, user alice");
    expect(dry.stdout).toContain("ok   hub write access: may write to acme");
    expect(dry.stdout).toContain("ok   github repository: acme/pf-new will be created (github.create)");
    expect(dry.stdout).toContain("ok   github code export: 1 file(s)");
    const ok = await cli(["publish", dir, "--config", create]);
    expect([ok.code, ok.stderr.includes("error[") ? ok.stderr : ""]).toEqual([0, ""]);
    expect(await ghReleases("pf-new")).toEqual([{ tag: "v1.0.0", draft: false }]);
    expect(await hubTags("acme/pf-new")).toEqual(["v1.0.0"]);
  });

  it("a GitHub release of the tag with other content is a conflict before the Hub gets anything", async () => {
    await s.gh.createRepo({ owner: "acme", name: "pf-tag", members: ["alice"] });
    const config = await writeReleaseConfig(s.root, { repo: "acme/pf-tag", codeDir: s.codeDir });
    const first = await cli(["publish", await bundle("acme/pf-tag", "1.0.0"), "--config", config, "--to", "github"]);
    expect(first.code).toBe(0);
    const other = await cli(["publish", await bundle("acme/pf-tag", "1.0.0"), "--config", config]);
    expect([other.code, errorLine(other.stderr)]).toEqual([
      5,
      expect.stringMatching(
        /^error\[TAG_CONFLICT\]: GitHub release v1\.0\.0 on acme\/pf-tag is published with other content \(content digest [0-9a-f]{64}\)$/,
      ),
    ]);
    expect(await hubTags("acme/pf-tag")).toBeUndefined();
  });

  it("deleting every weight of the previous release or changing the architecture needs a flag", async () => {
    const repo = "acme/pf-weights";
    const config = await writeReleaseConfig(s.root, { repo });
    expect((await cli(["publish", await bundle(repo, "1.0.0"), "--config", config, "--to", "hf"])).code).toBe(0);
    // Three shards under new names: every old shard would be deleted.
    const three = await bundle(repo, "1.1.0", { shards: 3 });
    const refused = await cli(["publish", three, "--config", config, "--to", "hf"]);
    expect([refused.code, errorLine(refused.stderr)]).toEqual([
      3,
      "error[WEIGHTS_ALL_REPLACED]: this release deletes all 2 weight file(s) of the previous release on acme/pf-weights (model-00001-of-00002.safetensors, model-00002-of-00002.safetensors) and keeps none",
    ]);
    expect(await hubTags(repo)).toEqual(["v1.0.0"]);
    const allowed = await cli(["publish", three, "--config", config, "--to", "hf", "--allow-weight-replacement"]);
    expect(allowed.code).toBe(0);
    const qwen = await bundle(repo, "1.2.0", {
      shards: 3,
      config: { model_type: "qwen2", architectures: ["Qwen2ForCausalLM"] },
    });
    const arch = await cli(["publish", qwen, "--config", config, "--to", "hf"]);
    expect([arch.code, errorLine(arch.stderr)]).toEqual([
      3,
      "error[ARCHITECTURE_CHANGED]: config.json changes the architecture on acme/pf-weights from (llama) to Qwen2ForCausalLM (qwen2)",
    ]);
    expect((await cli(["publish", qwen, "--config", config, "--to", "hf", "--allow-architecture-change"])).code).toBe(
      0,
    );
    expect(await hubTags(repo)).toEqual(["v1.0.0", "v1.1.0", "v1.2.0"]);
  });
});

describe("release checks the remotes before its build", () => {
  it("a refused token, a missing GitHub repo or an older version fail before anything is built or sent", async () => {
    // The shipped demo config with its real sample checkpoint: without the early checks these runs
    // would build (and write the bundle) first, then fail in publish's preflight.
    const file = await writeDemoConfig(s, { file: "early", name: "early", repo: "acme/early" });
    const out = join(s.root, "early-bundle");
    const release = (version: string, extraEnv: Record<string, string> = {}, more: string[] = []) =>
      cli(
        ["release", "--config", file, "--version", version, "--out", out, "--unsigned", "--no-cache", ...more],
        extraEnv,
      );

    const noRepo = await release("1.0.0");
    expect([noRepo.code, errorLine(noRepo.stderr)]).toEqual([
      4,
      "error[GITHUB_REPO_MISSING]: GitHub repository acme/early does not exist (or the token cannot see it)",
    ]);
    expect(noRepo.stderr).not.toContain("→ build");
    expect(existsSync(out)).toBe(false);
    expect(await hubTags("acme/early")).toBeUndefined();
    await s.gh.createRepo({ owner: "acme", name: "early", members: ["alice"] });

    const badHub = await release("1.0.0", { HF_TOKEN: `hf_${"x".repeat(34)}` });
    expect([badHub.code, errorLine(badHub.stderr)]).toEqual([
      4,
      `error[HUB_TOKEN_INVALID]: the Hub at ${s.hub.url} refused HF_TOKEN (HTTP 401)`,
    ]);
    expect(badHub.stderr).not.toContain("→ build");
    expect(existsSync(out)).toBe(false);

    const badGitHub = await release("1.0.0", { GITHUB_TOKEN: `ghp_${"x".repeat(36)}` });
    expect([badGitHub.code, errorLine(badGitHub.stderr)]).toEqual([
      4,
      `error[GITHUB_TOKEN_INVALID]: GitHub at ${s.gh.url} refused GITHUB_TOKEN (HTTP 401)`,
    ]);
    expect(existsSync(out)).toBe(false);

    // A released 2.0.0 on the Hub: 1.0.0 is refused by the version policy before the build.
    const config = await writeReleaseConfig(s.root, { repo: "acme/early", file: "early-publish.yaml" });
    expect((await cli(["publish", await bundle("acme/early", "2.0.0"), "--config", config, "--to", "hf"])).code).toBe(
      0,
    );
    const older = await release("1.0.0");
    expect([older.code, errorLine(older.stderr)]).toEqual([
      5,
      "error[VERSION_NOT_NEWER]: version 1.0.0 is not greater than the latest release 2.0.0",
    ]);
    expect(existsSync(out)).toBe(false);

    // With every check passing, the same command builds and publishes (the 2.0.0 test bundle's
    // weights and config.json are not the demo's: those guards are acknowledged).
    const ok = await release("2.1.0", {}, ["--allow-weight-replacement", "--allow-architecture-change"]);
    expect([ok.code, ok.stderr.includes("error[") ? ok.stderr : ""]).toEqual([0, ""]);
    expect(ok.stderr).toMatch(/→ access[^\n]*\n✓ access: hub token ok, hub write access ok, github token ok/);
    expect(ok.stderr.indexOf("✓ access")).toBeLessThan(ok.stderr.indexOf("→ build"));
    expect(await hubTags("acme/early")).toEqual(["v2.0.0", "v2.1.0"]);
  });
});

describe("the publish journal is a hint the remote confirms", () => {
  it("a bundle published to one Hub is published again to a brand-new Hub, and to a repo deleted since", async () => {
    const repo = "acme/journal";
    const dir = await bundle(repo, "1.0.0");
    const config = await writeReleaseConfig(s.root, { repo });
    expect((await cli(["publish", dir, "--config", config, "--to", "hf"])).code).toBe(0);
    const fresh = await startHubServer({ dataDir: await mkdtemp(join(s.root, "hub2-")) });
    try {
      const { token } = await fresh.createUser({ name: "alice", orgs: ["acme"] });
      const r = await cli(["publish", dir, "--config", config, "--to", "hf"], {
        HF_ENDPOINT: fresh.url,
        HF_TOKEN: token,
      });
      expect([r.code, r.stdout]).toEqual([0, expect.not.stringContaining("resumed")]);
      expect(await hubTags(repo, fresh.url, token)).toEqual(["v1.0.0"]);
    } finally {
      await fresh.close();
    }
    const del = await fetch(`${s.hub.url}/api/repos/delete`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${s.hfToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "journal", organization: "acme", type: "model" }),
    });
    expect(del.status).toBe(200);
    const again = await cli(["publish", dir, "--config", config, "--to", "hf"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("the journal lists hub-commit, hub-tag as done but the remote does not hold them");
    expect(await hubTags(repo)).toEqual(["v1.0.0"]);
  });
});

describe("proxies", () => {
  it("Hub, GitHub and git push go through HTTPS_PROXY/HTTP_PROXY (either case); NO_PROXY bypasses it", async () => {
    const proxy = await startCountingProxy();
    try {
      await s.gh.createRepo({ owner: "acme", name: "proxied", members: ["alice"] });
      const config = await writeReleaseConfig(s.root, { repo: "acme/proxied", codeDir: s.codeDir });
      const dir = await bundle("acme/proxied", "1.0.0");
      const r = await cli(["publish", dir, "--config", config], { https_proxy: proxy.url, http_proxy: proxy.url });
      expect([r.code, r.stderr.includes("error[") ? r.stderr : ""]).toEqual([0, ""]);
      const hub = new URL(s.hub.url).host;
      const gh = new URL(s.gh.url).host;
      expect(proxy.tunnels).toContain(hub);
      expect(proxy.tunnels).toContain(gh);
      // git sends absolute-URI requests to an HTTP proxy for http:// remotes.
      expect(proxy.requests.some((u) => u.includes("/acme/proxied.git/git-receive-pack"))).toBe(true);
      const before = proxy.tunnels.length;
      const pulled = await cli(["pull", "acme/proxied@1.0.0", "--to", join(s.root, "pulled-proxy")], {
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
      });
      expect(pulled.code).toBe(0);
      expect(proxy.tunnels.length).toBeGreaterThan(before);
      const counted = proxy.tunnels.length + proxy.requests.length;
      const direct = await cli(["pull", "acme/proxied@1.0.0", "--to", join(s.root, "pulled-direct")], {
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
        NO_PROXY: "127.0.0.1",
      });
      expect(direct.code).toBe(0);
      expect(proxy.tunnels.length + proxy.requests.length).toBe(counted);
    } finally {
      await proxy.close();
    }
  });
});
