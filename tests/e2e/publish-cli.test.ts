import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Octokit } from "octokit";
import { type Run, runCli, standInEnv, writeDemoConfig, writeReleaseConfig } from "./helpers/run-cli.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTestBundle } from "../integration/helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "../integration/helpers/stand-ins.js";

const BIN = resolve(import.meta.dirname, "../../dist/cli/bin.js");
let s: StandIns;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the e2e tests`);
  s = await startStandIns();
  env = standInEnv(s);
});
afterAll(async () => s?.close());

/** Runs the CLI; `killWhen` SIGKILLs it as soon as a stdout line matches (a crash between two steps). */
function cli(
  args: string[],
  opts: { env?: Record<string, string>; killWhen?: (line: string) => boolean } = {},
): Promise<Run> {
  return runCli(args, {
    env: opts.env ?? env,
    cwd: s.root,
    ...(opts.killWhen ? { signalWhen: opts.killWhen, signal: "SIGKILL" as const } : {}),
  });
}

const stepDone = (step: string) => (line: string) => line.includes(`"type":"step","step":"${step}","status":"done"`);
const octokit = () => new Octokit({ baseUrl: s.gh.url, auth: s.ghToken });
const releasesFor = async (tag: string) =>
  (
    await octokit().paginate(octokit().rest.repos.listReleases, { owner: "acme", repo: "robot-coder", per_page: 100 })
  ).filter((r) => r.tag_name === tag);
const hubRepoExists = async () =>
  (await fetch(`${s.hub.url}/api/models/acme/robot-coder`, { headers: { authorization: `Bearer ${s.hfToken}` } }))
    .status === 200;

/** A release config whose code export gives the GitHub tag its commit. */
async function writeConfig(): Promise<string> {
  const file = join(s.root, "robot-coder.yaml");
  await writeFile(
    file,
    [
      "name: robot-coder",
      "checkpoint: ./unused",
      "base_model: openai/gpt-oss-120b",
      "task: text-generation",
      "hub:",
      "  repo: acme/robot-coder",
      "github:",
      "  repo: acme/robot-coder",
      "  code:",
      `    source: ${s.codeDir}`,
      '    paths: ["train/**"]',
      "",
    ].join("\n"),
  );
  return file;
}

let n = 0;
async function bundle(version: string, shards = 2): Promise<string> {
  const dir = join(s.root, `e2e-bundle-${++n}`);
  await writeTestBundle(dir, { version, shards, shardSeed: n });
  return dir;
}

describe("model-release publish / pull (built CLI)", () => {
  it("fails before any upload when a token is missing, naming the variable and its rights", async () => {
    const dir = await bundle("1.0.0");
    const { HF_TOKEN: _, ...noToken } = env;
    const r = await cli(["publish", dir], { env: noToken });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[TOKEN_MISSING]: HF_TOKEN is not set");
    expect(r.stderr).toContain("write access");
    expect(await hubRepoExists()).toBe(false);
  });

  it("refuses the config of another release with exit 2 before anything is sent, also with --dry-run", async () => {
    const dir = await bundle("1.0.0");
    // Same name, another repo on both sides: its code and visibility would go out under this tag.
    const other = await writeReleaseConfig(s.root, { repo: "acme/inspection-vlm", file: "other-release.yaml" });
    for (const extra of [[], ["--dry-run"]]) {
      const r = await cli(["publish", dir, "--config", other, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("error[CONFIG_BUNDLE_MISMATCH]");
      expect(r.stderr).toContain("hub.repo is acme/inspection-vlm in the config, acme/robot-coder in the bundle");
      expect(r.stderr).toContain("hint: pass the config the bundle was built from");
    }
    expect(await hubRepoExists()).toBe(false);
    expect(await releasesFor("v1.0.0")).toEqual([]);
  });

  it("--dry-run prints the plan and sends nothing (no token needed to look)", async () => {
    const dir = await bundle("1.0.0");
    const { HF_TOKEN: _, GITHUB_TOKEN: __, ...noTokens } = env;
    const r = await cli(["publish", dir, "--dry-run", "--to", "hf", "--config", await writeConfig()], {
      env: noTokens,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Preflight:\n  skip hub token: no token given (dry run)");
    expect(r.stdout).toContain("ok   hub repository: acme/robot-coder will be created (public)");
    expect(r.stdout).toContain("Plan for robot-coder 1.0.0 as v1.0.0");
    expect(r.stdout).toContain("+ model-00001-of-00002.safetensors (4.0 KiB)");
    expect(r.stdout).toContain(`POST ${s.hub.url}/api/repos/create (public model)`);
    expect(r.stdout).toContain("Nothing was sent (--dry-run).");
    expect(r.stdout).not.toContain(s.hfToken);
    expect(await hubRepoExists()).toBe(false);
  });

  it("a SIGKILL between the Hub commit and the tag, then a re-run: one complete release", async () => {
    const dir = await bundle("1.0.0");
    const config = await writeConfig();
    // Without --config nothing says how to give the tag a commit: the preflight fails, nothing is sent.
    const noCode = await cli(["publish", dir, "--to", "github"]);
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toContain(
      "error[GITHUB_NOTHING_TO_TAG]: GitHub repository acme/robot-coder has no commit to put tag v1.0.0 on, and no code export is configured",
    );
    const killed = await cli(["publish", dir, "--json", "--config", config], { killWhen: stepDone("hub-commit") });
    expect(killed.signal).toBe("SIGKILL");
    expect(await releasesFor("v1.0.0")).toEqual([]);
    const r = await cli(["publish", dir, "--json", "--config", config]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const result = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
      type: string;
      resumed: string[];
      github: { releaseUrl: string };
    };
    expect(result.type).toBe("result");
    expect(result.resumed).toContain("hub-commit");
    const releases = await releasesFor("v1.0.0");
    expect(releases).toHaveLength(1);
    expect(releases[0]!.draft).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(s.hfToken);
    expect(r.stdout + r.stderr).not.toContain(s.ghToken);
  });

  it("a SIGKILL between the draft and the publish leaves only a draft; the re-run publishes it", async () => {
    const dir = await bundle("1.1.0");
    const config = await writeConfig();
    const killed = await cli(["publish", dir, "--json", "--config", config], { killWhen: stepDone("github-draft") });
    expect([killed.signal, killed.stderr]).toEqual(["SIGKILL", expect.any(String)]);
    expect((await releasesFor("v1.1.0")).every((r) => r.draft)).toBe(true);
    const r = await cli(["publish", dir, "--config", config]);
    expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
    expect(r.stdout).toContain("Published robot-coder 1.1.0 as v1.1.0");
    const releases = await releasesFor("v1.1.0");
    expect(releases).toHaveLength(1);
    expect(releases[0]).toMatchObject({ draft: false });
  });

  it("a version that exists with other content exits 5 with a clear message", async () => {
    const dir = await bundle("1.0.0", 3);
    const r = await cli(["publish", dir]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /error\[TAG_CONFLICT\]: tag v1.0.0 on acme\/robot-coder already exists with different content/,
    );
    expect(r.stderr).toContain("hint: tags never move");
  });

  it("pull downloads exactly the tag and verifies it; a flipped byte fails verification naming the file", async () => {
    const to = await mkdtemp(join(s.root, "pulled-"));
    const r = await cli(["pull", "acme/robot-coder@1.0.0", "--to", to]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Pulled acme/robot-coder@v1.0.0");
    expect(r.stdout).toMatch(/: \d+ files in the manifest, [\d.]+ KiB, all verified \([\d.]+ KiB in all/);
    // Into the Hub cache: the same bytes reported (it said "0 B"), and --json stays NDJSON only
    // (the Hub client's own "Downloading …" lines would otherwise land on stdout).
    const cached = await cli(["pull", "acme/robot-coder@1.0.0", "--cache-dir", join(s.root, "hf-cache"), "--json"]);
    expect(cached.code, cached.stderr).toBe(0);
    const lines = cached.stdout.trim().split("\n");
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const result = JSON.parse(lines.at(-1)!);
    expect(result).toMatchObject({ type: "result", checked: expect.any(Number) });
    expect(result.bytes).toBeGreaterThan(result.manifestBytes);
    expect(result.manifestBytes).toBeGreaterThan(0);
    const shard = join(to, "model-00002-of-00002.safetensors");
    const bytes = await readFile(shard);
    bytes[7] = bytes[7]! ^ 0x80;
    await writeFile(shard, bytes);
    const v = await cli(["verify", to]);
    expect(v.code).toBe(6);
    expect(v.stdout + v.stderr).toContain("model-00002-of-00002.safetensors");
    const missing = await cli(["pull", "acme/robot-coder@9.9.9", "--to", to]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("acme/robot-coder has no release 9.9.9 (tags: v1.0.0, v1.1.0)");
  });

  it("in GitHub Actions: a Markdown step summary on success, ::error annotations and a failure summary otherwise", async () => {
    const summary = join(s.root, "step-summary.md");
    const actions = {
      ...env,
      GITHUB_ACTIONS: "true",
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_RUN_ID: "4242",
      GITHUB_REPOSITORY: "acme/robot-coder",
    };
    const ok = await cli(["publish", await bundle("1.2.0"), "--to", "hf"], { env: actions });
    expect(ok.code).toBe(0);
    expect(await readFile(summary, "utf8")).toContain("## Released robot-coder 1.2.0 (`v1.2.0`)");
    const failed = await cli(["publish", await bundle("1.0.0", 3), "--to", "hf"], { env: actions });
    expect(failed.code).toBe(5);
    expect(failed.stdout).toContain(
      "::error title=TAG_CONFLICT::tag v1.0.0 on acme/robot-coder already exists with different content",
    );
    expect(await readFile(summary, "utf8")).toContain("## Release failed: `TAG_CONFLICT`");
  });

  // The GitHub release notes carry the summary given at publish time, which never went through
  // the build. Every form of a secret there must block before anything is sent, and no output
  // (log, annotations, --json, step summary) may hold any form of it.
  const notesToken = "hf_Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu";
  const fullWidth = (t: string) => [...t].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
  const notesCases: { name: string; summary: string; rule: string; canaries: string[] }[] = [
    { name: "a token", summary: `ask with ${notesToken}`, rule: "hf-token", canaries: [notesToken] },
    {
      name: "a full-width token",
      summary: `ask with ${fullWidth(notesToken)}`,
      rule: "hf-token",
      canaries: [fullWidth(notesToken), fullWidth("Q7mX2pLk9RtV4nB8")],
    },
    {
      name: "a token split by zero-width spaces",
      summary: `ask with ${notesToken.slice(0, 12)}\u200b${notesToken.slice(12)}`,
      rule: "hf-token",
      canaries: [notesToken.slice(0, 12), notesToken.slice(12)],
    },
    {
      name: "a base64-encoded token",
      summary: `config blob ${Buffer.from(`HF_TOKEN=${notesToken}`).toString("base64")}`,
      rule: "hf-token",
      canaries: [Buffer.from(`HF_TOKEN=${notesToken}`).toString("base64")],
    },
    {
      name: "a percent-encoded token",
      summary: `see https://example.org/?t=${encodeURIComponent(notesToken).replaceAll("_", "%5F")}`,
      rule: "hf-token",
      canaries: ["Q7mX2pLk9RtV4nB8"],
    },
    {
      name: "a customer, another spelling",
      summary: "tuned for KANARY_motors lines",
      rule: "customer-name",
      canaries: ["KANARY", "anary"],
    },
    { name: "a customer in Hangul", summary: "카나리 모터스 라인용", rule: "customer-name", canaries: ["카나리"] },
    {
      name: "an internal host",
      summary: "served from gpu07.hmg-ai.internal",
      rule: "internal-hostname",
      canaries: ["gpu07", "hmg-ai"],
    },
  ];
  for (const [k, c] of notesCases.entries()) {
    it(`${c.name} in the publish-time summary exits 3 before anything is sent, named by rule, never shown (GITHUB_ACTIONS=true, also --json)`, async () => {
      const config = join(s.root, `robot-coder-notes-${k}.yaml`);
      await writeFile(
        config,
        [
          ...(await readFile(await writeConfig(), "utf8")).trimEnd().split("\n"),
          "card:",
          `  summary: ${JSON.stringify(`Robot coder. ${c.summary}.`)}`,
          "sanitize:",
          "  patterns:",
          "    - name: customer-name",
          '      values: ["Kanary Motors", "카나리 모터스"]',
          "",
        ].join("\n"),
      );
      const version = `9.${k}.0`;
      const dir = await bundle(version);
      const summary = join(s.root, `notes-step-summary-${k}.md`);
      const actions = { ...env, GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary };
      const r = await cli(["publish", dir, "--config", config], { env: actions });
      const j = await cli(["publish", dir, "--config", config, "--json"], { env: actions });
      for (const run of [r, j]) expect(run.code, run.stderr).toBe(3);
      expect(r.stdout).toMatch(new RegExp(`::error file=release notes,line=\\d+,title=${c.rule}::`));
      const md = await readFile(summary, "utf8");
      expect(md).toContain("## Release failed: `RELEASE_NOTES_BLOCKED`");
      expect(JSON.parse(j.stdout.trim().split("\n").at(-1)!)).toMatchObject({
        type: "error",
        error: { code: "RELEASE_NOTES_BLOCKED" },
      });
      const written = [r.stdout, r.stderr, j.stdout, j.stderr, md].join("\n");
      expect(written).toContain(`[${c.rule}]`);
      for (const leak of c.canaries) expect(written).not.toContain(leak);
      expect(await releasesFor(`v${version}`)).toEqual([]);
      const refs = await fetch(`${s.hub.url}/api/models/acme/robot-coder/refs`, {
        headers: { authorization: `Bearer ${s.hfToken}` },
      });
      expect(refs.status === 404 || !JSON.stringify(await refs.json()).includes(`v${version}`)).toBe(true);
    });
  }

  it("release builds the sample checkpoint and publishes it; a re-run is a no-op success", async () => {
    await s.gh.createRepo({ owner: "acme", name: "demo-release", members: ["alice"] });
    // The shipped demo config (full card, evals), pointed at these stand-ins and this code folder.
    const file = await writeDemoConfig(s, { file: "demo-release", name: "demo-release", repo: "acme/demo-release" });
    const r = await cli(["release", "--config", file, "--version", "1.0.0", "--no-cache"]);
    expect([r.code, r.stderr.includes("error[") ? r.stderr : ""]).toEqual([0, ""]);
    expect(r.stdout).toContain("Published demo-release 1.0.0 as v1.0.0");
    const [release] = (
      await octokit().paginate(octokit().rest.repos.listReleases, { owner: "acme", repo: "demo-release" })
    ).filter((x) => x.tag_name === "v1.0.0");
    expect(release).toMatchObject({ draft: false });
    expect(release!.body).toMatch(/\| arc_challenge \| acc \| 0\.5572 \|/);
    const again = await cli(["release", "--config", file, "--version", "1.0.0", "--no-cache", "--json"]);
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout.trim().split("\n").at(-1)!) as { hub: { plan: { commit: unknown } } };
    expect(result.hub.plan.commit).toBeNull();
  });
});
