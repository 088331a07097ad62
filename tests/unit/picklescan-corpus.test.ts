import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectCheckpoint } from "../../src/checkpoint/inspect-checkpoint.js";
import type { SanitizeConfig } from "../../src/config/schema.js";
import { isBlocking, type Finding } from "../../src/findings.js";
import { planSanitize } from "../../src/sanitize/plan-sanitize.js";
import { planScan } from "../../src/sanitize/plan-scan.js";

/** picklescan's samples (MIT, see tests/fixtures/picklescan/README.md). */
const corpus = path.resolve(import.meta.dirname, "../fixtures/picklescan");
/** The samples picklescan's own tests expect to be clean. */
const BENIGN = new Set([
  "benign0_v0.pkl",
  "benign0_v3.pkl",
  "benign0_v4.pkl",
  "pytorch_model.bin",
  "new_pytorch_model.bin",
  "not_a_pickle.bin",
  "bad_pytorch.pt",
  "int_array.npy",
  "int_arrays.npz",
  "int_arrays_compressed.npz",
]);
/**
 * Benign content in an encrypted zip: nothing can vouch for what it holds, so it is flagged
 * (fail closed), unlike picklescan, which skips it.
 */
const ENCRYPTED = "benign_password_protected.zip";
/** Findings that name a danger in the content itself (not the allowlist policy's refusal of an unknown file). */
const DANGER = new Set([
  "unsafe-pickle-global",
  "unknown-pickle-global",
  "pickle-invalid",
  "numpy-object-array",
  "unscanned-archive",
  "unscanned-archive-member",
]);
const config: SanitizeConfig = { allow: [], drop: [], patterns: [], allow_findings: [] };

const samples: { name: string; abs: string }[] = [];
let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "picklescan-"));
  for (const d of ["data", "data2"])
    for (const name of (await readdir(path.join(corpus, d))).sort())
      samples.push({ name, abs: path.join(corpus, d, name) });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const danger = (fs: Finding[]) => fs.filter((f) => DANGER.has(f.rule) && f.severity === "block");

describe("picklescan's corpus", () => {
  it("scan flags every malicious sample by what it holds, and no benign one", async () => {
    const missed: string[] = [];
    const falseAlarms: string[] = [];
    for (const s of samples) {
      const r = await planScan({ dir: s.abs, config, secretlint: false });
      const flagged = danger(r.findings).length > 0;
      if (BENIGN.has(s.name)) {
        if (flagged) falseAlarms.push(s.name);
      } else if (!flagged || r.blocking.length === 0) missed.push(s.name);
    }
    expect(samples.length).toBe(109);
    expect(missed).toEqual([]);
    expect(falseAlarms).toEqual([]);
  });

  it("the encrypted zip is flagged: its member cannot be scanned", async () => {
    const r = await planScan({ dir: path.join(corpus, "data", ENCRYPTED), config, secretlint: false });
    expect(danger(r.findings).map((f) => f.rule)).toEqual(["unscanned-archive-member"]);
  });

  it("build blocks every malicious sample, under its own name and as the weights it would convert", async () => {
    const published: string[] = [];
    let k = 0;
    for (const s of samples) {
      if (BENIGN.has(s.name)) continue;
      for (const name of [s.name, "pytorch_model.bin"]) {
        const dir = path.join(tmp, `b${k++}`);
        await mkdir(dir);
        await writeFile(path.join(dir, "config.json"), JSON.stringify({ model_type: "llama" }));
        await copyFile(s.abs, path.join(dir, name));
        const plan = await planSanitize({ inventory: await inspectCheckpoint({ dir }), config, secretlint: false });
        const blocked = plan.findings.some((f) => isBlocking(f) && f.file === name);
        if (!blocked) published.push(`${s.name} as ${name}`);
        await rm(dir, { recursive: true });
      }
    }
    expect(published).toEqual([]);
  });
});
