import { type ChildProcessWithoutNullStreams, execFile, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Clients we did not write, against `model-release serve`: the Python `huggingface_hub` client
 * (every release-relevant operation, via sweep_hub_client.py), its `hf` CLI, and git + git-lfs,
 * on a release made by our own CLI. Python comes from INTEROP_PYTHON or `.venv-interop/` (made by
 * .ci/run); without it the suite is skipped with a message saying how to get it.
 */

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "dist/cli/bin.js");
const PYTHON = process.env.INTEROP_PYTHON ?? join(ROOT, ".venv-interop/bin/python");
const HF = join(PYTHON, "..", "hf");
const pythonOk =
  existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import huggingface_hub"], { stdio: "ignore" }).status === 0;
const gitLfsOk = spawnSync("git", ["lfs", "version"], { stdio: "ignore" }).status === 0;
if (!pythonOk) {
  console.warn(
    `interop tests skipped: no Python with huggingface_hub at ${PYTHON} (run .ci/run, or python3 -m venv .venv-interop && .venv-interop/bin/pip install huggingface_hub)`,
  );
}

let data: string;
let work: string;
let serve: ChildProcessWithoutNullStreams;
let env: Record<string, string>;
const CONFIG = join(ROOT, "release-configs/demo.yaml");

beforeAll(async () => {
  if (!pythonOk) return;
  data = await mkdtemp(join(tmpdir(), "interop-serve-"));
  work = await mkdtemp(join(tmpdir(), "interop-work-"));
  serve = spawn(process.execPath, [BIN, "serve", "--json", "--data", data, "--config", CONFIG], { stdio: "pipe" });
  const first = await createInterface({ input: serve.stdout })[Symbol.asyncIterator]().next();
  const ready = JSON.parse(String(first.value)) as { env: Record<string, string> };
  env = {
    ...(process.env as Record<string, string>),
    ...ready.env,
    // The stand-in speaks LFS, not Xet (as a self-hosted Hub would); the client must not try Xet.
    HF_HUB_DISABLE_XET: "1",
    HF_HOME: join(work, "hf-home"),
    HF_HUB_DISABLE_TELEMETRY: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
});

afterAll(async () => {
  if (!pythonOk) return;
  serve.kill("SIGTERM");
  await new Promise((done) => serve.once("close", done));
  await rm(data, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

/** Every file under `dir` (relative paths), without git's and the hf cache's own folders. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((p) => !p.startsWith(".git/") && !p.startsWith(".cache/"))
    .sort();
}

describe.skipIf(!pythonOk)("huggingface_hub, hf and git against `model-release serve`", () => {
  it("the Python client's release-relevant operations behave as on the Hub", async () => {
    const { stdout } = await run(PYTHON, [join(import.meta.dirname, "sweep_hub_client.py"), "local"], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    const results = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { op: string; ok: boolean; error?: string; summary?: boolean });
    const failed = results.filter((r) => !r.summary && !r.ok && !/client validates at huggingface\.co/.test(r.op));
    expect(failed).toEqual([]);
    expect(results.filter((r) => !r.summary).length).toBeGreaterThan(60);
  });

  it("model-release release, then hf download --revision <tag>, verify, and git clone + lfs pull agree byte for byte", async () => {
    const bundle = join(work, "bundle");
    await run(
      process.execPath,
      [BIN, "release", "--config", CONFIG, "--version", "1.0.0", "--unsigned", "--out", bundle],
      {
        env,
        // The publish journal lives under the cwd: a fresh one per run, like a fresh checkout.
        cwd: work,
      },
    );
    const dl = join(work, "hf-download");
    await run(HF, ["download", "demo-org/robot-coder-demo", "--revision", "v1.0.0", "--local-dir", dl], { env });
    const verify = await run(process.execPath, [BIN, "verify", dl], { env });
    expect(verify.stdout).toMatch(/^ok: \d+ files of demo 1\.0\.0 match manifest\.json/);

    // The release notes' own "Get and verify" lines, run as printed (model-release is not on the
    // npm registry, so they must work with the Hub's CLI and coreutils alone).
    const res = await fetch(`${env.GITHUB_API_URL}/repos/demo-org/robot-coder-demo/releases/tags/v1.0.0`, {
      headers: { authorization: `Bearer ${env.GITHUB_TOKEN}` },
    });
    const notes = ((await res.json()) as { body: string }).body;
    const printed = notes.split("\n").filter((l) => / hf download |^hf download |sha256sum -c/.test(l));
    expect(printed).toHaveLength(2);
    expect(notes).not.toMatch(/npx /);
    const reader = await mkdtemp(join(work, "reader-"));
    const shellEnv = { ...env, PATH: `${dirname(HF)}:${env.PATH}` };
    for (const line of printed) await run("bash", ["-euo", "pipefail", "-c", line], { cwd: reader, env: shellEnv });
    const sums = await run("bash", ["-c", printed[1]!], { cwd: reader, env: shellEnv });
    expect(sums.stdout).toMatch(/: OK$/m);
    expect(sums.stdout).not.toMatch(/FAILED/);

    // `hf` steps a maintainer takes after a release.
    await run(HF, ["repos", "create", "demo-org/robot-coder-demo", "--exist-ok"], { env });
    expect((await run(HF, ["repos", "tag", "list", "demo-org/robot-coder-demo"], { env })).stdout).toContain("v1.0.0");
    await run(HF, ["repos", "settings", "demo-org/robot-coder-demo", "--private"], { env });
    await run(HF, ["repos", "settings", "demo-org/robot-coder-demo", "--public"], { env });

    if (!gitLfsOk) {
      console.warn("git clone + git lfs pull step skipped: git-lfs is not installed (apt-get install git-lfs)");
      return;
    }
    const clone = join(work, "clone");
    const gitEnv = { ...env, GIT_LFS_SKIP_SMUDGE: "1" };
    await run("git", ["clone", "-q", "--branch", "v1.0.0", `${env.HF_ENDPOINT}/demo-org/robot-coder-demo`, clone], {
      env: gitEnv,
    });
    await run("git", ["lfs", "install", "--local"], { cwd: clone, env: gitEnv });
    await run("git", ["lfs", "pull"], { cwd: clone, env: gitEnv });
    const files = await listFiles(dl);
    expect(await listFiles(clone)).toEqual(files);
    for (const f of files) expect([f, await readFile(join(clone, f))]).toEqual([f, await readFile(join(dl, f))]);
  });
});
