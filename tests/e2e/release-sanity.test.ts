import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandIns, type StandIns } from "../integration/helpers/stand-ins.js";
import { BIN, runCli, standInEnv, writeDemoConfig } from "./helpers/run-cli.js";

// What is released is checked before staging (no weights: exit 7; weights that are not what
// config.json and base_model say: exit 3), and a signed bundle's signature is checked against the
// staged files before any upload. The built CLI, the shipped demo config, the stand-ins.

const ROOT = resolve(import.meta.dirname, "../..");
let s: StandIns;
let env: Record<string, string>;
let config: string;
const demoConfig = (file: string, edit?: (text: string) => string) =>
  writeDemoConfig(s, { file, repo: "acme/sanity", ...(edit ? { edit } : {}) });
const cli = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extra }, cwd: s.root });
const errorLine = (stderr: string) => stderr.split("\n").find((l) => l.startsWith("error[")) ?? "";
/** The sample checkpoint with config.json edited. */
async function checkpoint(name: string, edit: (c: Record<string, unknown>) => Record<string, unknown>) {
  const dir = join(s.root, name);
  await cp(join(ROOT, "samples", "demo-checkpoint"), dir, { recursive: true });
  const c = JSON.parse(await readFile(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
  await writeFile(join(dir, "config.json"), JSON.stringify(edit(c)));
  return dir;
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the e2e tests`);
  s = await startStandIns();
  await s.gh.createRepo({ owner: "acme", name: "sanity", members: ["alice"] });
  env = {
    ...standInEnv(s),
    XDG_CACHE_HOME: join(s.root, "cache"),
  };
  config = await demoConfig("sanity");
});
afterAll(async () => s?.close());

describe("release sanity at build (built CLI)", () => {
  it("an empty checkpoint folder does not build (exit 7), and nothing is staged", async () => {
    await mkdir(join(s.root, "empty"));
    const out = join(s.root, "out-empty");
    const r = await cli([
      "build",
      "--config",
      config,
      "--version",
      "2.0.0",
      "--checkpoint",
      join(s.root, "empty"),
      "--out",
      out,
    ]);
    expect([r.code, errorLine(r.stderr)]).toEqual([
      7,
      `error[NO_WEIGHTS]: ${join(s.root, "empty")} holds no weights to release`,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("weights that do not match config.json block the build (exit 3) naming the fields", async () => {
    const dir = await checkpoint("wide", (c) => ({ ...c, hidden_size: 128, num_hidden_layers: 6 }));
    const r = await cli([
      "build",
      "--config",
      config,
      "--version",
      "2.0.0",
      "--checkpoint",
      dir,
      "--out",
      join(s.root, "out-wide"),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "error[RELEASE_SANITY_BLOCKED]: the weights do not match what the release says they are:",
    );
    expect(r.stderr).toContain(
      "config-shape-mismatch (config.json /hidden_size): model.embed_tokens.weight is 64 wide, config.json hidden_size is 128",
    );
    expect(r.stderr).toContain(
      "config-shape-mismatch (config.json /num_hidden_layers): the weights have 2 layers, config.json num_hidden_layers is 6",
    );
    expect(existsSync(join(s.root, "out-wide"))).toBe(false);
  });

  it("in GitHub Actions, `release` of such weights exits 3 with one annotation per finding and a failure summary", async () => {
    const dir = await checkpoint("wide-ci", (c) => ({ ...c, hidden_size: 128 }));
    const summary = join(s.root, "sanity-step-summary.md");
    const r = await cli(
      ["release", "--config", config, "--version", "2.0.0", "--checkpoint", dir, "--out", join(s.root, "out-wide-ci")],
      { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      "::error file=config.json,title=config-shape-mismatch::model.embed_tokens.weight is 64 wide",
    );
    const md = await readFile(summary, "utf8");
    expect(md).toContain("## Release failed: `RELEASE_SANITY_BLOCKED`");
    expect(md).toContain("| config-shape-mismatch | config.json |");
  });

  it("a base model of another family blocks (exit 3); accepted with a reason, the manifest records it", async () => {
    const dir = await checkpoint("qwen-vl", (c) => ({
      ...c,
      model_type: "qwen2_5_vl",
      architectures: ["Qwen2_5_VLForConditionalGeneration"],
    }));
    const llamaBase = await demoConfig("llama-base", (t) =>
      t
        .replace(/^base_model: .*$/m, "base_model: meta-llama/Llama-3.2-90B-Vision-Instruct")
        .replace(/^license: .*$/m, "license: llama3.2")
        .replace(/^ {2}allow_findings:\n(?: {4}.*\n)+/m, ""),
    );
    const r = await cli([
      "build",
      "--config",
      llamaBase,
      "--version",
      "2.0.0",
      "--checkpoint",
      dir,
      "--out",
      join(s.root, "out-family"),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "base-model-family (config.json /model_type): config.json is a qwen2_5_vl (Qwen2_5_VLForConditionalGeneration) checkpoint, but base_model meta-llama/Llama-3.2-90B-Vision-Instruct is of the mllama (Llama 3.2 Vision) family",
    );
    // The shipped demo config accepts its own (Llama-shaped stand-in for gpt-oss) with a reason.
    const out = join(s.root, "out-demo");
    const ok = await cli(["build", "--config", config, "--version", "1.0.0", "--out", out]);
    expect(ok.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as { overrides: unknown[] };
    expect(manifest.overrides).toContainEqual({
      path: "config.json (base-model-family)",
      reason: "the demo checkpoint is a tiny Llama-shaped stand-in for a gpt-oss-120b fine-tune",
    });
  });
});

describe("sign, verify, then publish (built CLI)", () => {
  it("a signature that does not cover the staged bundle stops the publish before any upload", async () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    const key = { MODEL_RELEASE_SIGNING_KEY: pem };
    const a = join(s.root, "signed-a");
    const b = join(s.root, "signed-b");
    expect((await cli(["build", "--config", config, "--version", "1.1.0", "--out", a], key)).code).toBe(0);
    expect((await cli(["build", "--config", config, "--version", "1.2.0", "--out", b], key)).code).toBe(0);
    // A's files with B's signature (both by the same key): the manifest check passes, the signature's does not.
    await cp(join(b, "model.sig"), join(a, "model.sig"));
    const r = await cli(["publish", a, "--config", config]);
    expect([r.code, errorLine(r.stderr)]).toEqual([
      6,
      expect.stringMatching(
        /^error\[SIGNATURE_MISMATCH\]: model\.sig does not cover the staged bundle, so nothing was published: .*manifest\.json \(changed\)/,
      ),
    ]);
    const hub = await fetch(`${s.hub.url}/api/models/acme/sanity`, {
      headers: { authorization: `Bearer ${s.hfToken}` },
    });
    expect(hub.status).toBe(404);
    const ok = await cli(["publish", b, "--config", config]);
    expect([ok.code, errorLine(ok.stderr)]).toEqual([0, ""]);
    expect(ok.stdout).toMatch(
      /Signature: model\.sig verified against the staged bundle \(key [0-9a-f]+…?, \d+ files\)/,
    );
  });
});
