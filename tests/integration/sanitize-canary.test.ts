import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildRelease } from "../../src/bundle/build-release.js";
import { isReleaseError } from "../../src/errors.js";
import { isBlocking } from "../../src/findings.js";
import { convertTorchToSafetensors } from "../../src/checkpoint/pickle/convert-torch-to-safetensors.js";
import { applySanitizeRewrite } from "../../src/sanitize/apply-sanitize-rewrite.js";
import { planSanitize } from "../../src/sanitize/plan-sanitize.js";
import { readCheckpointFiles } from "../../src/sanitize/read-checkpoint-files.js";
import { renderBuildReport } from "../../src/sanitize/render-build-report.js";
import { scanCheckpoint } from "../../src/sanitize/scan-checkpoint.js";
import type { SanitizePlan } from "../../src/sanitize/types.js";
import type { Canary } from "../fixtures/canary/generate.js";
import { canariesInTree } from "../lib/find-canaries.js";
import { renderError } from "../../src/cli/render-error.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/canary");
const manifest = JSON.parse(await readFile(path.join(fixtures, "canaries.json"), "utf8")) as {
  patterns: { name: string; values?: string[]; regex?: string; severity: "block" | "warn" }[];
  baseModel: string;
  canaries: Canary[];
};
const layouts = [...new Set(manifest.canaries.map((c) => c.layout))];
const values = manifest.canaries.map((c) => c.value);
const config = { allow: [], drop: [], patterns: manifest.patterns, allow_findings: [] };
const tmp = await mkdtemp(path.join(os.tmpdir(), "canary-bundle-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/**
 * Stages the published set the way the bundle stage does (files as they are, rewrites through
 * applySanitizeRewrite) plus report.json and report.md, so the proof covers every byte written.
 */
async function stage(plan: SanitizePlan, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const p of plan.publish) {
    await mkdir(path.dirname(path.join(dir, p.path)), { recursive: true });
    await copyFile(p.absPath, path.join(dir, p.path));
  }
  for (const r of plan.rewrites) {
    await mkdir(path.dirname(path.join(dir, r.path)), { recursive: true });
    await applySanitizeRewrite(r, path.join(dir, r.path));
  }
  for (const c of plan.conversions ?? []) {
    const r = await convertTorchToSafetensors({ source: c.absPath, dest: path.join(dir, c.path), file: c.from });
    expect(r.written, `${c.from} converted`).toBe(true);
  }
  const report = renderBuildReport(plan, { patterns: manifest.patterns });
  await writeFile(path.join(dir, "report.json"), report.json);
  await writeFile(path.join(dir, "report.md"), report.markdown);
}

async function allBytes(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile())
      out.push({ file: path.join(e.parentPath, e.name), bytes: await readFile(path.join(e.parentPath, e.name)) });
  }
  return out;
}

describe("canary checkpoints", () => {
  it("plant at least 25 distinct canaries across every layout", () => {
    expect(manifest.canaries.length).toBeGreaterThanOrEqual(25);
    expect(new Set(manifest.canaries.map((c) => c.value)).size).toBe(manifest.canaries.length);
    expect(layouts).toEqual(
      expect.arrayContaining([
        "hf",
        "hf-sharded",
        "hf-trainer",
        "peft-adapter",
        "deepspeed",
        "fsdp-dcp",
        "megatron",
        "nemo",
        "pickle-only",
      ]),
    );
  });

  it.each(layouts)("scan reports every canary of %s, and never prints one", async (layout) => {
    const findings = await scanCheckpoint({ dir: path.join(fixtures, layout), patterns: manifest.patterns });
    const mine = manifest.canaries.filter((c) => c.layout === layout);
    for (const c of mine) {
      const expected = mine.filter((o) => o.file === c.file && o.rule === c.rule).length;
      const got = findings.filter((f) => f.file === c.file && f.rule === c.rule);
      expect(got.length, `${c.id} (${c.vector}) ${c.rule} in ${c.file}`).toBeGreaterThanOrEqual(expected);
    }
    const printed = JSON.stringify(findings);
    for (const c of manifest.canaries) expect(printed.includes(c.value), `${c.id} printed`).toBe(false);
    expect(findings.filter(isBlocking).length).toBeGreaterThan(0);
  });

  it.each(layouts)("after sanitizing %s, no canary byte is in the bundle", async (layout) => {
    const inventory = { files: await readCheckpointFiles(path.join(fixtures, layout)) };
    const plan = await planSanitize({ inventory, config, baseModel: manifest.baseModel });
    expect(plan.findings.filter(isBlocking), "blocking findings").toEqual([]);
    const mine = manifest.canaries.filter((c) => c.layout === layout);
    for (const c of mine.filter((c) => c.fate === "dropped"))
      expect(
        plan.dropped.map((d) => d.path),
        c.id,
      ).toContain(c.file);
    for (const c of mine.filter((c) => c.fate === "scrubbed"))
      expect(
        plan.rewrites.map((r) => r.path),
        c.id,
      ).toContain(c.file);
    for (const c of mine.filter((c) => c.fate === "converted"))
      expect(
        (plan.conversions ?? []).map((r) => r.from),
        c.id,
      ).toContain(c.file);
    const dir = path.join(tmp, layout);
    await stage(plan, dir);
    const files = await allBytes(dir);
    expect(files.length).toBeGreaterThan(2);
    for (const { file, bytes } of files) {
      for (const c of manifest.canaries)
        expect(bytes.includes(Buffer.from(c.value)), `${c.id} in ${path.relative(dir, file)}`).toBe(false);
    }
  });

  it.each(layouts)(
    "buildRelease of %s: no canary byte anywhere in the bundle, report lists every file",
    async (layout) => {
      const out = path.join(tmp, `build-${layout}`);
      // The canary config carries the project patterns but no card content: documents off here,
      // on in the next test (demo config, full card and evals).
      const r = await buildRelease({
        configFile: path.join(fixtures, "release-config.yaml"),
        version: "1.0.0",
        checkpoint: path.join(fixtures, layout),
        outDir: out,
        docs: false,
      });
      // Every byte, every decoded form (UTF-16, base64, hex, percent, gzip, NFKC) and every name.
      expect(await canariesInTree(out, values)).toEqual([]);
      const report = JSON.parse(await readFile(path.join(out, "report.json"), "utf8")) as {
        kept: { path: string }[];
        rewritten: { path: string; diff: string }[];
        converted: { path: string; from: string }[];
        dropped: { path: string; reason: string }[];
        findings: unknown[];
      };
      const listed = new Set(
        [
          ...report.kept,
          ...report.rewritten,
          ...report.converted.map((c) => ({ path: c.from })),
          ...report.dropped,
        ].map((f) => f.path),
      );
      // Every file is listed once; TensorBoard paths with the host name masked.
      expect(listed.size).toBe(r.plan.inventory.files.length);
      for (const f of r.plan.inventory.files.filter((f) => !f.path.includes("tfevents")))
        expect(listed.has(f.path), `${f.path} in report.json`).toBe(true);
      if (layout === "hf")
        expect([...listed]).toContain("runs/Nov22_05-00-00_[host]/events.out.tfevents.1700000000.[host]");
      expect(await readFile(path.join(out, "report.md"), "utf8")).toContain("## Dropped files");
      // Rewritten shards are complete files: header + the original tensor data.
      for (const rw of r.plan.sanitize.rewrites.filter((x) => x.tail)) {
        const staged = await readFile(path.join(out, rw.path));
        const original = await readFile(rw.from);
        expect(staged.length).toBe(original.length);
        expect(staged.subarray(rw.tail!.offset).equals(original.subarray(rw.tail!.offset))).toBe(true);
      }
    },
  );

  it.each(layouts)(
    "full buildRelease (card, examples, evals) of %s with the demo config: no canary byte in the bundle",
    async (layout) => {
      const out = path.join(tmp, `full-${layout}`);
      await buildRelease({
        configFile: path.resolve(import.meta.dirname, "../../release-configs/demo.yaml"),
        version: "1.0.0",
        checkpoint: path.join(fixtures, layout),
        outDir: out,
      });
      const files = await allBytes(out);
      expect(files.map((f) => path.relative(out, f.file))).toEqual(
        expect.arrayContaining(["README.md", "report.json", "report.md", "report.html"]),
      );
      expect(await canariesInTree(out, values)).toEqual([]);
    },
  );

  it("buildRelease of pickle-only converts the state dict, drops training_args.bin, and publishes no canary", async () => {
    const out = path.join(tmp, "convert-pickle-only");
    const r = await buildRelease({
      configFile: path.join(fixtures, "release-config.yaml"),
      version: "1.0.0",
      checkpoint: path.join(fixtures, "pickle-only"),
      outDir: out,
      docs: false,
    });
    expect(r.manifest.files.map((f) => [f.path, f.role])).toEqual([
      ["config.json", "config"],
      ["model.safetensors", "weights"],
      ["report.html", "report"],
      ["report.json", "report"],
      ["report.md", "report"],
    ]);
    expect(r.plan.sanitize.dropped).toEqual([
      { path: "training_args.bin", reason: "training arguments pickle (holds hub_token, paths, run names)" },
    ]);
    // The canary in the state dict's _metadata is reported as a warning on the source pickle only.
    expect(r.plan.sanitize.findings.filter((f) => f.rule === "slack-token").map((f) => [f.file, f.severity])).toEqual([
      ["pytorch_model.bin", "warn"],
    ]);
    expect(r.plan.inventory.parameters).toBe(12);
  });

  it("a pickle-only checkpoint whose weights are not a plain state dict is blocked (exit 3), stages nothing, and the canary is reported", async () => {
    const dir = path.join(tmp, "pickle-only-not-state-dict");
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(fixtures, "pickle-only", "config.json"), path.join(dir, "config.json"));
    // The hf-trainer layout's training_args.bin: a dict of settings with a canary, not tensors.
    await copyFile(
      path.join(fixtures, "hf-trainer", "checkpoint-100", "training_args.bin"),
      path.join(dir, "pytorch_model.bin"),
    );
    const inventory = { files: await readCheckpointFiles(dir) };
    const plan = await planSanitize({ inventory, config });
    expect(plan.conversions).toEqual([]);
    expect(plan.findings.filter(isBlocking).map((f) => [f.rule, f.file])).toEqual(
      expect.arrayContaining([
        ["pickle-not-state-dict", "pytorch_model.bin"],
        ["hf-token", "pytorch_model.bin"],
      ]),
    );
    const out = path.join(tmp, "build-not-state-dict");
    const err = await buildRelease({
      configFile: path.join(fixtures, "release-config.yaml"),
      version: "1.0.0",
      checkpoint: dir,
      outDir: out,
    }).catch((e: unknown) => e);
    expect(isReleaseError(err) && [err.code, err.category]).toEqual(["SANITIZE_BLOCKED", "blocked"]);
    for (const c of manifest.canaries) expect(String((err as Error).message)).not.toContain(c.value);
    // As the CLI prints it (text and --json), with the config's patterns.
    const printed = renderError(err, { patterns: manifest.patterns });
    for (const c of manifest.canaries) {
      expect(printed.text).not.toContain(c.value);
      expect(JSON.stringify(printed.json)).not.toContain(c.value);
    }
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });
});
