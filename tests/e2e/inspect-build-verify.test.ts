import { execFileSync, spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliSync } from "./helpers/run-cli.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "mr-e2e-core-"));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** Runs the built CLI with a private cache, as a user would. */
function cli(args: string[], cwd = REPO) {
  return runCliSync(args, { cwd, env: { ...process.env, XDG_CACHE_HOME: path.join(work, "cache") } });
}

describe("model-release inspect", () => {
  it("prints the inventory as JSON", () => {
    const r = cli(["inspect", "tests/fixtures/checkpoints/hf-sharded", "--json"]);
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(inv).toMatchObject({
      layout: "hf-sharded",
      tensors: 21,
      parameters: 1832,
      dtypes: { BF16: { tensors: 21, parameters: 1832, bytes: 3664 } },
      architecture: "LlamaForCausalLM",
    });
    expect((inv.files as unknown[]).length).toBe(8);
  });

  it("prints a human summary", () => {
    const r = cli(["inspect", "tests/fixtures/checkpoints/peft-adapter"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("layout        peft-adapter");
    expect(r.stdout).toContain("F32");
  });

  it("exits 7 with the file and byte offset for a malformed header", async () => {
    const dir = path.join(work, "bad");
    await cp(path.join(REPO, "tests/fixtures/checkpoints/hf"), dir, { recursive: true });
    const f = path.join(dir, "model.safetensors");
    const bytes = await readFile(f);
    bytes.writeBigUInt64LE(2n ** 63n, 0);
    await writeFile(f, bytes);
    const r = cli(["inspect", dir]);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(
      "error[SAFETENSORS_HEADER_TOO_LARGE]: model.safetensors: header length 9223372036854775808 exceeds the limit of 100000000 bytes (at byte 0)",
    );
    expect(r.stderr).toContain("hint:");
    const j = cli(["inspect", dir, "--json"]);
    expect(JSON.parse(j.stdout)).toMatchObject({
      error: { code: "SAFETENSORS_HEADER_TOO_LARGE", location: { file: "model.safetensors", offset: 0 } },
    });
  });
});

describe("model-release build and verify", () => {
  it("builds the demo, rebuilds from the cache, verifies, and fails verify with exit 6 after tampering", async () => {
    const out = path.join(work, "bundle");
    // A private copy with old mtimes, as a finished checkpoint has (fresh files are "racily clean" and re-hashed).
    const ckpt = path.join(work, "demo-checkpoint");
    await cp(path.join(REPO, "samples", "demo-checkpoint"), ckpt, { recursive: true });
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const f of await readdir(ckpt)) await utimes(path.join(ckpt, f), hourAgo, hourAgo);
    const args = [
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "1.0.0",
      "--checkpoint",
      ckpt,
      "--out",
      out,
      "--json",
    ];
    const first = cli(args);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const b1 = JSON.parse(first.stdout) as { manifest: { files: unknown[] }; linked: number; cacheHits: number };
    expect(b1.manifest.files).toHaveLength(23); // 7 checkpoint files + card (en, ko), LICENSE, NOTICE, USAGE_POLICY, examples (5), eval outputs, report.json, report.md, report.html
    expect(b1.linked).toBe(7);

    const second = JSON.parse(cli(args).stdout) as { cacheHits: number; hashedBytes: number };
    expect(second.cacheHits).toBe(7);
    expect(second.hashedBytes).toBe(0);
    const noCache = JSON.parse(cli([...args, "--no-cache"]).stdout) as { cacheHits: number };
    expect(noCache.cacheHits).toBe(0);

    expect(execFileSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: out, encoding: "utf8" })).toBe("");
    const ok = cli(["verify", out]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: 23 files of demo 1.0.0 match manifest.json/);

    // Replace links rather than writing through them, so the checkpoint copy stays intact.
    await rm(path.join(out, "config.json"));
    await writeFile(path.join(out, "config.json"), "{}");
    await rm(path.join(out, "tokenizer.json"));
    await writeFile(path.join(out, "optimizer.pt"), "x");
    const bad = cli(["verify", out]);
    expect(bad.code).toBe(6);
    expect(bad.stderr).toContain("missing: tokenizer.json");
    expect(bad.stderr).toContain("changed: config.json");
    expect(bad.stderr).toContain("extra: optimizer.pt (not in manifest.json)");
    expect(bad.stderr).toContain("error[BUNDLE_MISMATCH]");
    const badJson = cli(["verify", out, "--json"]);
    expect(badJson.code).toBe(6);
    expect(JSON.parse(badJson.stdout)).toMatchObject({
      error: {
        code: "BUNDLE_MISMATCH",
        category: "verify",
        details: {
          ok: false,
          missing: ["tokenizer.json"],
          extra: ["optimizer.pt"],
          changed: [{ path: "config.json", reason: "content" }],
        },
      },
    });
  });

  it("prints the plan with --dry-run and stages nothing", () => {
    const out = path.join(work, "dry");
    const r = cli(["build", "--config", "release-configs/demo.yaml", "--version", "1.0.0", "--out", out, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+ model-00001-of-00002.safetensors  (weights)");
    expect(r.stdout).toContain("- training_args.bin  dropped:");
    expect(spawnSync("test", ["-e", out]).status).toBe(1);
  });

  it("exits 2 on a bad version", () => {
    const r = cli([
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "one",
      "--out",
      path.join(work, "x"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[BAD_VERSION]");
  });
});
