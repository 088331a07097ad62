import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { uploadFile } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTestBundle } from "../integration/helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "../integration/helpers/stand-ins.js";
import { BIN, runCli, writeReleaseConfig } from "./helpers/run-cli.js";

// pull refuses a folder that is not its own, updates its own in place, never overwrites a file it
// did not download, and says whose fault a verify failure is.

const REPO = "acme/pulled";
let s: StandIns;
let env: Record<string, string>;
const cli = (args: string[]) => runCli(args, { env, cwd: s.root });
const errorLine = (stderr: string) => stderr.split("\n").find((l) => l.startsWith("error[")) ?? "";
const hintLine = (stderr: string) => stderr.split("\n").find((l) => l.startsWith("  hint: ")) ?? "";
const folder = async (name: string, files: Record<string, string> = {}) => {
  const dir = join(s.root, name);
  await mkdir(dir, { recursive: true });
  for (const [p, text] of Object.entries(files)) await writeFile(join(dir, p), text);
  return dir;
};
const listing = async (dir: string) => (await readdir(dir)).filter((n) => n !== ".model-release").sort();

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the e2e tests`);
  s = await startStandIns();
  env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HF_ENDPOINT: s.hub.url, HF_TOKEN: s.hfToken };
  const config = await writeReleaseConfig(s.root, { repo: REPO });
  for (const [version, shards] of [
    ["1.0.0", 2],
    ["1.1.0", 3],
  ] as const) {
    const dir = join(s.root, `bundle-${version}`);
    await writeTestBundle(dir, { version, shards, shardSeed: shards, hubRepo: REPO, githubRepo: REPO });
    const r = await cli(["publish", dir, "--config", config, "--to", "hf", "--allow-weight-replacement"]);
    expect([r.code, errorLine(r.stderr)]).toEqual([0, ""]);
  }
});
afterAll(async () => s?.close());

describe("pull --to (built CLI)", () => {
  it("refuses a folder with the user's files before downloading anything", async () => {
    const mine = await folder("mine", { "README.md": "my own notes\n" });
    const r = await cli(["pull", `${REPO}@1.0.0`, "--to", mine]);
    expect([r.code, errorLine(r.stderr)]).toEqual([
      2,
      `error[PULL_TARGET_NOT_EMPTY]: ${mine} is not empty (README.md) and holds no earlier pull of ${REPO}`,
    ]);
    expect(await readFile(join(mine, "README.md"), "utf8")).toBe("my own notes\n");
    const other = await folder("other", { "notes.txt": "unrelated\n" });
    expect((await cli(["pull", `${REPO}@1.0.0`, "--to", other])).code).toBe(2);
    expect(await listing(other)).toEqual(["notes.txt"]);
  });

  it("updates an earlier pull in place, removing what the new version dropped and keeping the user's files", async () => {
    const dir = join(s.root, "model");
    expect((await cli(["pull", `${REPO}@1.0.0`, "--to", dir])).code).toBe(0);
    await writeFile(join(dir, "notes.txt"), "mine\n");
    const r = await cli(["pull", `${REPO}@1.1.0`, "--to", dir]);
    expect([r.code, errorLine(r.stderr)]).toEqual([0, ""]);
    expect(r.stdout).toContain("all verified");
    expect(await listing(dir)).toEqual([
      "README.md",
      "SHA256SUMS",
      "config.json",
      "eval-results.json",
      "manifest.json",
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
      "notes.txt",
    ]);
    expect(await readFile(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
  });

  it("never overwrites a file it did not download", async () => {
    const dir = join(s.root, "model-2");
    expect((await cli(["pull", `${REPO}@1.0.0`, "--to", dir])).code).toBe(0);
    await writeFile(join(dir, "model-00001-of-00003.safetensors"), "my experiment\n");
    const r = await cli(["pull", `${REPO}@1.1.0`, "--to", dir]);
    expect([r.code, errorLine(r.stderr)]).toEqual([
      2,
      `error[PULL_WOULD_OVERWRITE]: pulling ${REPO} into ${dir} would overwrite model-00001-of-00003.safetensors, which an earlier pull did not download`,
    ]);
    expect(await readFile(join(dir, "model-00001-of-00003.safetensors"), "utf8")).toBe("my experiment\n");
  });

  it("a verify failure names the file and says whether the download or the Hub is at fault", async () => {
    // Every download of config.json (the client first asks for byte 0 only, then for the file).
    s.hub.faults.setRules([
      { method: "GET", path: "/resolve/[0-9a-f]+/config\\.json$", count: 10, action: { kind: "corrupt" } },
    ]);
    const damaged = await cli(["pull", `${REPO}@1.1.0`, "--to", join(s.root, "damaged")]);
    s.hub.faults.setRules([]);
    expect([damaged.code, errorLine(damaged.stderr)]).toEqual([
      6,
      expect.stringContaining("config.json (content differs)"),
    ]);
    expect(hintLine(damaged.stderr)).toBe(
      "  hint: the download is damaged: config.json differs from what the Hub lists; pull again",
    );
    // A tag on a commit whose config.json no longer matches its manifest: the Hub copy is at fault.
    const uploaded = await uploadFile({
      repo: { type: "model", name: REPO },
      file: { path: "config.json", content: new Blob(['{"model_type":"changed"}\n']) },
      hubUrl: s.hub.url,
      accessToken: s.hfToken as `hf_${string}`,
    });
    const tag = await fetch(`${s.hub.url}/api/models/${REPO}/tag/${uploaded?.commit.oid}`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.hfToken}`, "content-type": "application/json" },
      body: JSON.stringify({ tag: "v9.0.0" }),
    });
    expect(tag.status).toBeLessThan(300);
    const remote = await cli(["pull", `${REPO}@9.0.0`, "--to", join(s.root, "remote")]);
    expect([remote.code, hintLine(remote.stderr)]).toEqual([
      6,
      "  hint: the release on the Hub is damaged: config.json as the Hub serves it differs from manifest.json; report it to the repo's maintainers",
    ]);
  });
});
