import path from "node:path";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
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

describe("model-release scan-pickle / convert-pickle", () => {
  it("exits 0 for a plain state dict and 3 for an os.system payload", async () => {
    const ok = await run(["scan-pickle", "plain_state_dict.pt"]);
    expect(ok).toMatchObject({ code: 0, stderr: "" });
    expect(ok.stdout).toBe("plain_state_dict.pt (torch-zip): collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.FloatStorage, torch.LongStorage, torch.BoolStorage\n");
    const bad = await run(["scan-pickle", "plain_state_dict.pt", "os_system_payload.pkl"]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toContain("os_system_payload.pkl (pickle): posix.system [dangerous]");
    expect(bad.stderr).toMatchInlineSnapshot(`
      "error[PICKLE_UNSAFE]: 1 blocking pickle finding(s) in 1 file(s)
        hint: Do not load or publish these files. Convert plain state dicts with \`model-release convert-pickle\`.
      "
    `);
  });

  it("prints one JSON document with --json, also when blocked", async () => {
    const bad = await run(["scan-pickle", "--json", "unknown_global.pt"]);
    expect(bad.code).toBe(3);
    const body = JSON.parse(bad.stdout) as { error: { code: string; details: { results: { findings: { rule: string }[] }[] } } };
    expect(body.error.code).toBe("PICKLE_UNSAFE");
    expect(body.error.details.results[0]!.findings.map((f) => f.rule)).toEqual(["unknown-pickle-global"]);
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
    expect(refused.stderr.split("\n")[0]).toBe("error[PICKLE_NOT_CONVERTIBLE]: optimizer.pt: not converted: 1 blocking finding(s) (pickle-not-state-dict)");
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
  });
});
