import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliSync } from "./helpers/run-cli.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "mr-e2e-demo-"));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(work, "cache") };
  // The demo must not depend on the caller's credentials or endpoints.
  for (const k of ["HF_TOKEN", "HF_ENDPOINT", "GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_ACTIONS"]) delete env[k];
  return runCliSync(args, { cwd: REPO, env });
}

describe("model-release demo (the README's main job)", () => {
  it("builds, publishes to the stand-ins, pulls back and verifies; a re-run starts afresh", async () => {
    const out = path.join(work, "demo-out");
    for (let run = 0; run < 2; run++) {
      const r = cli(["demo", "--out", out, ...(run === 1 ? ["--json"] : [])]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      if (run === 1) {
        // --json: one object, nothing else on stdout.
        const summary = JSON.parse(r.stdout);
        expect(summary).toMatchObject({ type: "demo", release: { tag: "v1.0.0" }, signature: { verified: true } });
        expect(summary.pulled.files).toBeGreaterThan(0);
        continue;
      }
      // The closing lines print commands that work as written after `npm ci` (no global install,
      // no `npm link`; `npx model-release` is unreliable, see the README).
      expect(r.stdout).toMatch(/^ {2}node dist\/cli\/bin\.js verify /m);
      expect(r.stdout).not.toMatch(/npx model-release/);
      expect(r.stdout).not.toMatch(/^ {2}model-release /m);
      expect(r.stdout).toMatch(/^1\. started the local stand-ins/m);
      expect(r.stdout).toMatch(/^3\. published v1\.0\.0/m);
      // One count per thing, labelled: the manifest's files (built and pulled alike), and the
      // signed files (those plus manifest.json and SHA256SUMS); one byte unit (IEC).
      const built = r.stdout.match(/^ {3}published (\d+) files in the manifest \((\d+(?:\.\d)?) KiB\)/m);
      const pulled = r.stdout.match(
        /^4\. pulled demo-org\/robot-coder-demo@v1\.0\.0 .* verified (\d+) files in the manifest \((\d+(?:\.\d)?) KiB\) .*: ok$/m,
      );
      const signed = r.stdout.match(
        /^5\. verified model\.sig of the pulled copy with the maintainers' public key: (\d+) files signed \(the manifest's (\d+), manifest\.json and SHA256SUMS\) match$/m,
      );
      expect(built?.[1]).toBeDefined();
      expect(pulled?.[1]).toBe(built?.[1]);
      expect(pulled?.[2]).toBe(built?.[2]);
      expect(signed?.[2]).toBe(built?.[1]);
      expect(Number(signed?.[1])).toBe(Number(built?.[1]) + 2);
      expect(r.stdout).not.toMatch(/\d (kB|MB|GB)\b/);
    }
    // What the researcher got is the bundle, byte for byte, and verifies on its own.
    const bundleManifest = JSON.parse(await readFile(path.join(out, "bundle", "manifest.json"), "utf8"));
    const pulledManifest = JSON.parse(await readFile(path.join(out, "pulled", "manifest.json"), "utf8"));
    expect(pulledManifest).toEqual(bundleManifest);
    expect(bundleManifest.files.map((f: { path: string }) => f.path)).toEqual(
      expect.arrayContaining(["README.md", "model-00001-of-00002.safetensors", "report.json"]),
    );
    expect(cli(["verify", path.join(out, "pulled")]).code).toBe(0);
    expect(cli(["verify", path.join(out, "pulled"), "--key", path.join(out, "bundle", "model.pub")]).code).toBe(0);
    // Training state never left the machine.
    const pulled = await readdir(path.join(out, "pulled"), { recursive: true });
    expect(pulled).not.toEqual(expect.arrayContaining(["optimizer.pt"]));
    expect(pulled.some((f) => /optimizer|rng_state|training_args|trainer_state/.test(f))).toBe(false);
    // The signature and its public key travel with the release; the private key never does.
    expect(pulled).toEqual(expect.arrayContaining(["model.sig", "model.pub", "report.html"]));
    expect(pulled.some((f) => f.includes("signing-key"))).toBe(false);
    // The publish log never carries the stand-ins' tokens.
    const log = await readFile(path.join(out, "publish.log"), "utf8");
    const creds = JSON.parse(await readFile(path.join(out, "stand-ins", "credentials.json"), "utf8"));
    expect(log).not.toContain(creds.hfToken);
    expect(log).not.toContain(creds.githubToken);
  });

  it("refuses to clear a folder it did not make", async () => {
    const foreign = path.join(work, "foreign");
    await mkdir(foreign);
    await writeFile(path.join(foreign, "thesis.tex"), "precious");
    const r = cli(["demo", "--out", foreign]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("DEMO_OUT_NOT_EMPTY");
    expect(await readFile(path.join(foreign, "thesis.tex"), "utf8")).toBe("precious");
  });
});
