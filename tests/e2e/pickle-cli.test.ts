import path from "node:path";
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Runs the built CLI (`npm test` builds first, as CI does).
const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "dist/cli/bin.js");
const fixtures = path.join(root, "tests/fixtures/pickles");

async function run(args: string[], cwd = fixtures): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mr-e2e-pkl-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("model-release scan (pickles) / convert-pickle", () => {
  it("scan of one file exits 0 for a plain state dict and 3 for an os.system payload, naming the import", async () => {
    const ok = await run(["scan", "plain_state_dict.pt", "--no-secretlint"]);
    expect(ok).toMatchObject({ code: 0, stderr: "", stdout: "0 finding(s), 0 blocking, 0 accepted\n" });
    const bad = await run(["scan", "os_system_payload.pkl", "--no-secretlint"]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatchInlineSnapshot(`
      "block    pickle-file            os_system_payload.pkl
               pickle content (pickle) is never published: loading it runs code. Only top-level weight pickles (pytorch_model*.bin, adapter_model.bin, model.pt, or a lone *.pt) are converted to safetensors; convert this one yourself, or drop it in sanitize.drop with a reason.
      block    unsafe-pickle-global   os_system_payload.pkl (byte 2)
               Pickle imports posix.system, which runs arbitrary code or shell commands when unpickled (GLOBAL at byte 2). Never load this file; publish weights as safetensors.: GLOBAL posix.system
      2 finding(s), 2 blocking, 0 accepted
      "
    `);
    expect(bad.stderr).toMatchInlineSnapshot(`
      "error[SCAN_BLOCKED]: 2 blocking finding(s) in os_system_payload.pkl
        hint: Never load a file with an unsafe-pickle-global finding: delete it and re-export the weights as safetensors from a trusted source. Remove secrets from the checkpoint, or accept a finding in sanitize.allow_findings with a written reason.
      "
    `);
  });

  it("scan of a folder reports the payload inside a torch zip, and blocks a pickle that a build would block", async () => {
    const d = path.join(dir, "ckpt");
    await mkdir(d);
    await copyFile(path.join(fixtures, "os_system_payload.pt"), path.join(d, "pytorch_model.bin"));
    await copyFile(path.join(fixtures, "unknown_global.pt"), path.join(d, "extra.pt"));
    const bad = await run(["scan", d, "--json", "--no-secretlint"]);
    expect(bad.code).toBe(3);
    const body = JSON.parse(bad.stdout) as {
      error: {
        code: string;
        details: { findings: { rule: string; severity: string; file: string; offset?: number }[] };
      };
    };
    expect(body.error.code).toBe("SCAN_BLOCKED");
    expect(body.error.details.findings.map((f) => [f.rule, f.severity, f.file, f.offset])).toEqual([
      ["pickle-file", "block", "extra.pt", undefined],
      ["unknown-pickle-global", "block", "extra.pt", 178],
      ["unsafe-pickle-global", "block", "pytorch_model.bin", 177],
    ]);
    await rm(d, { recursive: true });
  });

  it("converts a state dict and refuses an optimizer state", async () => {
    const dest = path.join(dir, "model.safetensors");
    const ok = await run(["convert-pickle", "half_precision.pt", dest, "--json"]);
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout) as { tensors: { name: string; dtype: string }[]; format: string };
    expect(out.format).toBe("torch-zip");
    expect(out.tensors.map((t) => t.dtype)).toEqual(["F64", "I32", "I16", "BF16", "F16", "I8", "U8"]);
    const refused = await run(["convert-pickle", "optimizer.pt", path.join(dir, "opt.safetensors")]);
    expect(refused.code).toBe(3);
    expect(refused.stderr.split("\n")[0]).toBe(
      "error[PICKLE_NOT_CONVERTIBLE]: optimizer.pt: not converted: 1 blocking finding(s) (pickle-not-state-dict)",
    );
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
  });
});
