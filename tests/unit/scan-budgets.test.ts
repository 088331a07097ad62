import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SCAN_BUDGET, type ScanBudget } from "../../src/sanitize/scan-budget.js";
import { planScan } from "../../src/sanitize/plan-scan.js";
import { encodeZip } from "../fixtures/lib/encode-zip.js";

const MiB = 1024 * 1024;
const HF = "hf_BudgetCanary0123456789abcdefghijklmnXY";
let tmp = "";
let n = 0;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "scan-budgets-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Text that deflates well (a log), `bytes` long, ending with `tail`. */
function logText(bytes: number, tail = ""): Buffer {
  const line = "step 001 loss 0.5 lr 0.0001 grad_norm 0.53\n";
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes - tail.length) + tail);
}

async function folder(files: Record<string, Buffer>): Promise<string> {
  const dir = path.join(tmp, `d${n++}`);
  await mkdir(dir);
  await writeFile(path.join(dir, "config.json"), JSON.stringify({ model_type: "llama" }));
  for (const [name, data] of Object.entries(files)) await writeFile(path.join(dir, name), data);
  return dir;
}

const budget = (b: Partial<ScanBudget>): ScanBudget => ({ ...DEFAULT_SCAN_BUDGET, ...b });

describe("scan budgets", () => {
  it("blocks a file whose members inflate past the per-file budget, and stops there", async () => {
    const members = [0, 1, 2, 3].map((i) => ({ name: `part${i}.txt`, data: logText(MiB), deflate: true }));
    const dir = await folder({ "logs.zip": encodeZip(members) });
    const r = await planScan({ dir, secretlint: false, budget: budget({ inflatedBytesPerFile: 2.5 * MiB }) });
    const f = r.findings.filter((x) => x.rule === "scan-budget-exceeded");
    expect(f.map((x) => [x.file, x.severity])).toEqual([["logs.zip", "block"]]);
    expect(f[0]!.message).toContain("inflated bytes per file");
  });

  it("shares one budget across the checkpoint's files", async () => {
    const zip = encodeZip([{ name: "a.txt", data: logText(MiB), deflate: true }]);
    const dir = await folder({ "a.zip": zip, "b.zip": zip });
    const r = await planScan({
      dir,
      secretlint: false,
      concurrency: 1,
      budget: budget({ inflatedBytesPerFile: 2 * MiB, inflatedBytesPerCheckpoint: 1.5 * MiB }),
    });
    const f = r.findings.filter((x) => x.rule === "scan-budget-exceeded");
    expect(f.map((x) => x.file)).toEqual(["b.zip"]);
    expect(f[0]!.message).toContain("per checkpoint");
  });

  it("blocks a file whose scan runs out of time", async () => {
    const dir = await folder({ "notes.txt": logText(64 * 1024) });
    const r = await planScan({ dir, secretlint: false, budget: budget({ msPerFile: -1 }) });
    const f = r.findings.filter((x) => x.rule === "scan-budget-exceeded");
    expect(f.map((x) => [x.file, x.severity])).toEqual([["notes.txt", "block"]]);
    expect(f[0]!.message).toContain("time per file");
  });

  it("streams a deflated member too large to hold in memory and still finds what it hides", async () => {
    // 17 MiB of text inflates past the in-memory limit (16 MiB): scanned chunk by chunk.
    const big = logText(17 * MiB, `token ${HF}\n`);
    const dir = await folder({ "logs.zip": encodeZip([{ name: "train.log", data: big, deflate: true }]) });
    const r = await planScan({ dir, secretlint: false });
    const hit = r.findings.find((x) => x.rule === "hf-token");
    expect(hit?.message).toContain("in archive member train.log");
    expect(JSON.stringify(r.findings)).not.toContain(HF);
    expect(r.findings.some((x) => x.rule === "scan-budget-exceeded")).toBe(false);
  });

  it("refuses to stream what needs random access (a pickle) from a large deflated member", async () => {
    const pickle = Buffer.concat([Buffer.from([0x80, 0x02, 0x58]), Buffer.alloc(4), Buffer.alloc(17 * MiB, 0x61)]);
    pickle.writeUInt32LE(17 * MiB, 3);
    const dir = await folder({ "blob.zip": encodeZip([{ name: "state.pkl", data: pickle, deflate: true }]) });
    const r = await planScan({ dir, secretlint: false });
    expect(r.findings.map((x) => [x.rule, x.severity])).toContainEqual(["unscanned-archive-member", "block"]);
  });
  it("takes its budgets from sanitize.scan_budget in the config, and the finding names the field to raise", async () => {
    const members = [0, 1, 2, 3].map((i) => ({ name: `part${i}.txt`, data: logText(MiB), deflate: true }));
    const dir = await folder({ "logs.zip": encodeZip(members) });
    const config = {
      allow: [],
      drop: [],
      patterns: [],
      allow_findings: [],
      scan_budget: { inflated_mib_per_file: 2.5 },
    };
    const tight = await planScan({ dir, secretlint: false, config });
    const f = tight.findings.filter((x) => x.rule === "scan-budget-exceeded");
    expect(f.map((x) => x.file)).toEqual(["logs.zip"]);
    expect(f[0]!.message).toContain("sanitize.scan_budget.inflated_mib_per_file");
    const roomy = await planScan({
      dir,
      secretlint: false,
      config: { ...config, scan_budget: { inflated_mib_per_file: 8 } },
    });
    expect(roomy.findings.some((x) => x.rule === "scan-budget-exceeded")).toBe(false);
  });
});
