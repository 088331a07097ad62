import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../../src/local/hub/start-hub-server.js";

/** Signatures survive the trip through the Hub, and diff/--previous take a published version. */
const REPO = path.resolve(import.meta.dirname, "..", "..");
const BIN = path.join(REPO, "dist", "cli", "bin.js");
let root: string;
let hub: HubServer;
let env: Record<string, string>;
let keyFile: string;

/** Async: the Hub stand-in runs in this process, so a synchronous spawn would deadlock it. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the e2e tests`);
  root = await mkdtemp(path.join(os.tmpdir(), "mr-e2e-trust-hub-"));
  hub = await startHubServer({ dataDir: path.join(root, "hub") });
  const { token } = await hub.createUser({ name: "maintainer", orgs: ["demo-org"] });
  env = {
    PATH: process.env.PATH ?? "",
    HOME: root,
    XDG_CACHE_HOME: path.join(root, "cache"),
    HF_ENDPOINT: hub.url,
    HF_TOKEN: token,
  };
  keyFile = path.join(root, "signing-key.pem");
  await writeFile(
    keyFile,
    generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }),
  );
});
afterAll(async () => {
  await hub?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("a signed release through the Hub", () => {
  it("publishes model.sig and model.pub, pull + verify --key passes, and diff/--previous read the published version", async () => {
    const config = path.join(REPO, "release-configs", "demo.yaml");
    const v1 = path.join(root, "v1");
    const b1 = await cli(["build", "--config", config, "--version", "1.0.0", "--out", v1, "--signing-key", keyFile]);
    expect(b1.code, b1.stderr).toBe(0);
    const pub = path.join(root, "project-key.pub");
    await writeFile(pub, await readFile(path.join(v1, "model.pub")));
    const published = await cli(["publish", v1, "--to", "hf", "--config", config]);
    expect(published.code, published.stderr).toBe(0);

    const pulled = path.join(root, "pulled");
    const p = await cli(["pull", "demo-org/robot-coder-demo@1.0.0", "--to", pulled]);
    expect(p.code, p.stderr).toBe(0);
    expect(existsSync(path.join(pulled, "model.sig"))).toBe(true);
    expect(existsSync(path.join(pulled, "model.pub"))).toBe(true);
    const v = await cli(["verify", pulled, "--key", pub]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain("ok: model.sig verified");

    const v2 = path.join(root, "v2");
    const b2 = await cli([
      "build",
      "--config",
      config,
      "--version",
      "1.1.0",
      "--out",
      v2,
      "--unsigned",
      "--previous",
      "demo-org/robot-coder-demo@1.0.0",
    ]);
    expect(b2.code, b2.stderr).toBe(0);
    expect(b2.stdout).toContain("(changes since 1.0.0)");
    expect(await readFile(path.join(v2, "report.html"), "utf8")).toContain("Changes since 1.0.0");

    const d = await cli(["diff", "demo-org/robot-coder-demo@1.0.0", v2, "--json"]);
    expect(d.code, d.stderr).toBe(0);
    const diff = JSON.parse(d.stdout);
    expect(diff).toMatchObject({ from: { version: "1.0.0" }, to: { version: "1.1.0" } });
    expect(diff.files.changed.map((f: { path: string }) => f.path)).toContain("README.md");
    expect(diff.files.removed).toEqual([]);

    const missing = await cli(["diff", "demo-org/robot-coder-demo@9.9.9", v2]);
    expect(missing.code).not.toBe(0);
    expect(missing.code).not.toBe(1);
  });
});
