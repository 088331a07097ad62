import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultRule } from "../../src/local/faults.js";
import { writeTestBundle } from "../integration/helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "../integration/helpers/stand-ins.js";
import { BIN, runCli, stepIs, writeReleaseConfig, standInEnv } from "./helpers/run-cli.js";

// Ctrl-C and SIGTERM at every step boundary and in the middle of a request: every request in
// flight is aborted, nothing is made public after the signal, the CLI says how to resume and
// exits 130 (143), and the same command completes the release.

let s: StandIns;
let env: Record<string, string>;
const REPO = "acme/interrupts";

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the e2e tests`);
  s = await startStandIns();
  await s.gh.createRepo({ owner: "acme", name: "interrupts", members: ["alice"] });
  env = standInEnv(s);
});
afterAll(async () => s?.close());

const octokit = () => new Octokit({ baseUrl: s.gh.url, auth: s.ghToken });
const releasesFor = async (tag: string) =>
  (await octokit().paginate(octokit().rest.repos.listReleases, { owner: "acme", repo: "interrupts" })).filter(
    (r) => r.tag_name === tag,
  );
const hubTags = async () => {
  const r = await fetch(`${s.hub.url}/api/models/${REPO}/refs`, { headers: { authorization: `Bearer ${s.hfToken}` } });
  return r.status === 200 ? ((await r.json()) as { tags: { name: string }[] }).tags.map((t) => t.name) : [];
};

/**
 * Holds the first matching request long enough for the signal to arrive while it is in flight.
 * Only requests that make nothing public are held: the server completes a held request after the
 * client left, as a real server would, and the re-run must cope with that.
 */
const HOLD_MS = 1500;
const hold = (method: string, path: string): FaultRule => ({ method, path, action: { kind: "delay", ms: HOLD_MS } });

let minor = 0;
async function writeBundle() {
  const version = `1.${++minor}.0`;
  const dir = join(s.root, `bundle-${version}`);
  await writeTestBundle(dir, { version, shards: 2, shardSeed: minor + 40, hubRepo: REPO, githubRepo: REPO });
  const config = await writeReleaseConfig(s.root, { repo: REPO, codeDir: s.codeDir });
  return { dir, config, tag: `v${version}` };
}

/** Publishes with faults set, signalling when a line matches; then checks the run stopped cleanly. */
async function interrupted(
  b: { dir: string; config: string; tag: string },
  params: { when: (line: string) => boolean; hub?: FaultRule[]; github?: FaultRule[]; signal?: NodeJS.Signals },
) {
  s.hub.faults.setRules(params.hub ?? []);
  s.gh.faults.setRules(params.github ?? []);
  const run = await runCli(["publish", b.dir, "--config", b.config, "--json"], {
    env,
    cwd: s.root,
    signalWhen: params.when,
    ...(params.signal ? { signal: params.signal } : {}),
  });
  s.hub.faults.setRules([]);
  s.gh.faults.setRules([]);
  expect([run.code, run.stderr.trim().split("\n").at(-1)]).toEqual([
    params.signal === "SIGTERM" ? 143 : 130,
    expect.stringMatching(
      /^interrupted: during [a-z-]+; nothing was sent after the signal; run the same command again to resume$/,
    ),
  ]);
  expect(run.stdout).toContain('"code":"INTERRUPTED"');
  // Nothing public on GitHub after the signal; no lock is left behind.
  expect((await releasesFor(b.tag)).filter((x) => !x.draft)).toEqual([]);
  expect((await readdir(join(b.dir, ".model-release"))).filter((n) => n.endsWith(".lock"))).toEqual([]);
  // Let the held request land (its response lost), as after a real interrupt.
  await new Promise((done) => setTimeout(done, HOLD_MS + 300));
  return run;
}

async function completes(b: { dir: string; config: string; tag: string }) {
  const again = await runCli(["publish", b.dir, "--config", b.config], { env, cwd: s.root });
  expect([again.code, again.stderr.includes("error[") ? again.stderr : ""]).toEqual([0, ""]);
  expect((await releasesFor(b.tag)).map((x) => x.draft)).toEqual([false]);
  expect(await hubTags()).toContain(b.tag);
}

describe("interrupts (built CLI against the stand-ins)", () => {
  it("a publish interrupted at every step boundary in turn, and mid-upload, completes on the last re-run", async () => {
    const b = await writeBundle();
    // Before anything is sent; then in the middle of an LFS upload: no commit, no tag on the Hub.
    await interrupted(b, { when: stepIs("verify", "done"), hub: [hold("POST", "^/api/validate-yaml$")] });
    await interrupted(b, {
      when: (line) => line.includes('"type":"file"'),
      hub: [hold("PUT", "^/lfs/upload/")],
    });
    expect(await hubTags()).not.toContain(b.tag);
    await interrupted(b, { when: stepIs("hub-commit", "done"), hub: [hold("POST", "^/api/models/.+/tag/")] });
    // Between the Hub and GitHub: the git child (ls-remote) is killed through the same signal.
    await interrupted(b, { when: stepIs("code-push", "start"), github: [hold("GET", "/info/refs$")] });
    await interrupted(b, { when: stepIs("github-tag", "done"), github: [hold("GET", "^/api/v3/repos/.+/releases$")] });
    await interrupted(b, {
      when: stepIs("github-draft", "done"),
      github: [hold("GET", "^/api/v3/repos/.+/releases/\\d+/assets$")],
    });
    // The last step before the public one: the draft is never published after the signal.
    await interrupted(b, { when: stepIs("github-assets", "start"), github: [hold("POST", "^/api/uploads/")] });
    await completes(b);
  }, 180_000);

  // Last: the held request only lands after the test. The process must not wait for it: the
  // request is held for 40 s, longer than this test may take.
  it("SIGTERM while GitHub holds the draft request: the process stops at once with 143", async () => {
    const b = await writeBundle();
    const run = await interrupted(b, {
      when: stepIs("github-draft", "start"),
      github: [{ method: "POST", path: "^/api/v3/repos/.+/releases$", action: { kind: "delay", ms: 40_000 } }],
      signal: "SIGTERM",
    });
    expect(run.stopMs).toBeDefined();
    await completes(b);
  }, 30_000);
});
