import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSafetensors } from "../fixtures/lib/write-safetensors.js";
import { runCliSync } from "./helpers/run-cli.js";

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "dist/cli/bin.js");
const fixtures = path.join(root, "tests/fixtures/canary");
const canaries = (
  JSON.parse(await readFile(path.join(fixtures, "canaries.json"), "utf8")) as {
    canaries: { value: string; layout: string }[];
  }
).canaries;
let tmp = "";

function run(...args: string[]) {
  return runCliSync(args, { cwd: root, env: process.env, bin, timeout: 60_000 });
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error("run `npm run build` before the e2e tests");
  tmp = await mkdtemp(path.join(os.tmpdir(), "scan-cli-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("model-release scan", () => {
  it("reports the canaries in files a build drops as warnings, exits 0 as build would, prints no canary", () => {
    const r = run(
      "scan",
      "tests/fixtures/canary/hf-trainer",
      "--config",
      "tests/fixtures/canary/release-config.yaml",
      "--json",
    );
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as {
      blocked: boolean;
      findings: { rule: string; file: string; severity: string; message: string }[];
    };
    expect(body.blocked).toBe(false);
    expect(body.findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining(["hf-token", "plant-name", "private-key", "customer-name", "github-token", "slack-token"]),
    );
    // Every one is in training state the build drops: reported, but as what it is.
    for (const f of body.findings)
      expect([f.severity, f.message]).toEqual(["warn", expect.stringContaining("dropped")]);
    for (const c of canaries) {
      expect(r.stdout.includes(c.value)).toBe(false);
      expect(r.stderr.includes(c.value)).toBe(false);
    }
  });

  it("exits 0 on the shipped demo sample, whose findings are all in files the build drops", () => {
    const r = run("scan", "samples/demo-checkpoint", "--config", "release-configs/demo.yaml", "--no-secretlint");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ finding\(s\), 0 blocking, 0 accepted; 4 file\(s\) a build drops\n$/);
  });

  it("prints readable findings, and exits 3 when a build would block", async () => {
    const r = run("scan", "tests/fixtures/canary/nemo", "--config", "tests/fixtures/canary/release-config.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("plant-name");
    expect(r.stdout).toContain("in archive member model_weights.ckpt/archive/data.pkl");
    for (const c of canaries) expect(r.stdout.includes(c.value)).toBe(false);
    // The same .nemo under a name the build does not drop is an unknown file holding the canaries: blocked.
    const dir = path.join(tmp, "nemo-renamed");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "weights.tar"), await readFile("tests/fixtures/canary/nemo/model.nemo"));
    const b = run("scan", dir, "--config", "tests/fixtures/canary/release-config.yaml");
    expect(b.code).toBe(3);
    expect(b.stdout).toContain("unknown-file");
    expect(b.stderr).toContain("error[SCAN_BLOCKED]");
    for (const c of canaries) expect(b.stdout.includes(c.value) || b.stderr.includes(c.value)).toBe(false);
  });

  it("exits 0 on a clean checkpoint", async () => {
    const dir = path.join(tmp, "clean");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "config.json"), JSON.stringify({ model_type: "llama", _name_or_path: "org/base" }));
    await writeFile(
      path.join(dir, "model.safetensors"),
      encodeSafetensors([{ name: "w", dtype: "F32", shape: [2, 2] }]),
    );
    const r = run("scan", dir, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      blocked: false,
      summary: { findings: 0, blocking: 0, accepted: 0 },
      findings: [],
    });
  });

  it("exits 7 for a missing folder and 2 for a bad pattern", async () => {
    expect(run("scan", path.join(tmp, "nope")).code).toBe(7);
    const cfg = path.join(tmp, "bad.yaml");
    await writeFile(
      cfg,
      "name: x\ncheckpoint: .\nbase_model: a/b\ntask: t\nhub: { repo: a/b }\nsanitize:\n  patterns:\n    - { name: p, regex: '/(/' }\n",
    );
    const r = run("scan", `${fixtures}/hf`, "--config", cfg);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("PATTERN_INVALID");
  });
});
