import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliSync } from "./helpers/run-cli.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
let work: string;
let v1: string;
let v2: string;
let pub: string;
const env = () => ({ XDG_CACHE_HOME: path.join(work, "cache") });

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const clean = { ...process.env };
  for (const k of ["MODEL_RELEASE_SIGNING_KEY", "MODEL_RELEASE_SIGNING_KEY_PASSPHRASE", "ACTIONS_ID_TOKEN_REQUEST_URL"])
    delete clean[k];
  return runCliSync(args, { cwd: REPO, env: { ...clean, ...env(), ...extraEnv } });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "mr-e2e-trust-"));
  v1 = path.join(work, "v1");
  v2 = path.join(work, "v2");
  const b1 = cli(["build", "--config", "release-configs/demo.yaml", "--version", "1.0.0", "--out", v1]);
  expect(b1.code, b1.stderr).toBe(0);
  expect(b1.stdout).toContain("not signed: no model.sig");
  // The key from the environment, encrypted, as a CI secret would hold it.
  const pem = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
    type: "pkcs8",
    format: "pem",
    cipher: "aes-256-cbc",
    passphrase: "s3cret",
  }) as string;
  const b2 = cli(
    ["build", "--config", "release-configs/demo.yaml", "--version", "1.1.0", "--out", v2, "--previous", v1, "--json"],
    {
      MODEL_RELEASE_SIGNING_KEY: pem,
      MODEL_RELEASE_SIGNING_KEY_PASSPHRASE: "s3cret",
    },
  );
  expect(b2.code, b2.stderr).toBe(0);
  const out = JSON.parse(b2.stdout);
  expect(out.signature).toMatchObject({
    method: "key",
    path: path.join(v2, "model.sig"),
    publicKey: path.join(v2, "model.pub"),
  });
  expect(out.reviewPage).toBe(path.join(v2, "report.html"));
  expect(out.diff.from.version).toBe("1.0.0");
  // One source of truth for the previous version: --previous labels the card; the config's
  // evals.previous_version (0.9.0) disagrees, which the build says on stderr and in the report.
  expect(b2.stderr).toContain("warning: --previous is v1.0.0 but evals.previous_version says v0.9.0");
  expect(await readFile(path.join(v2, "README.md"), "utf8")).toContain("| Previous (v1.0.0) |");
  expect(await readFile(path.join(v2, "report.md"), "utf8")).toContain("previous-version-mismatch");
  expect(b2.stdout + b2.stderr).not.toContain("PRIVATE KEY");
  pub = path.join(work, "release.pub");
  await writeFile(pub, await readFile(path.join(v2, "model.pub")));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

describe("model-release verify with a signature", () => {
  it("verifies the manifest and the signature with --key", () => {
    const r = cli(["verify", v2, "--key", pub]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: 23 files of demo 1\.1\.0 match manifest\.json/m);
    expect(r.stdout).toMatch(
      /^ok: model\.sig verified: signed by the key [0-9a-f]{16}…, 25 files signed \(the manifest's 23, manifest\.json and SHA256SUMS\) match/m,
    );
  });

  it("warns that a present signature was not checked without a trust policy", () => {
    const r = cli(["verify", v2]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: model.sig was NOT checked");
    const j = cli(["verify", v2, "--json"]);
    expect(JSON.parse(j.stdout).signature).toEqual({ status: "unchecked" });
  });

  it("exits 6 naming the changed weight file, and 6 for another key", async () => {
    const copy = path.join(work, "tampered");
    execFileSync("cp", ["-r", v2, copy]);
    const shard = path.join(copy, "model-00002-of-00002.safetensors");
    const bytes = await readFile(shard);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await rm(shard);
    await writeFile(shard, bytes);
    const r = cli(["verify", copy, "--key", pub]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("changed: model-00002-of-00002.safetensors");
    expect(r.stderr).toContain("signature: changed model-00002-of-00002.safetensors");
    const j = cli(["verify", copy, "--key", pub, "--json"]);
    expect(j.code).toBe(6);
    const other = path.join(work, "other.pub");
    await writeFile(
      other,
      generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "pem" }),
    );
    const k = cli(["verify", v2, "--key", other]);
    expect(k.code).toBe(6);
    expect(k.stderr).toContain("signed by another key");
  });

  it("exits 6 when a key is given but the bundle is unsigned, and 2 for half a keyless policy", () => {
    const r = cli(["verify", v1, "--key", pub]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("model.sig does not exist");
    const i = cli([
      "verify",
      v2,
      "--identity",
      "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.1.0",
    ]);
    expect(i.code).toBe(2);
    expect(i.stderr).toContain("--issuer is missing");
  });
});

describe("model-release build signing errors", () => {
  it("refuses an unreadable or unsupported key before staging anything", async () => {
    const out = path.join(work, "never");
    const missing = cli([
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "1.0.0",
      "--out",
      out,
      "--signing-key",
      path.join(work, "nope.pem"),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read the signing key");
    const rsa = path.join(work, "rsa.pem");
    await writeFile(
      rsa,
      generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }),
    );
    const bad = cli([
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "1.0.0",
      "--out",
      out,
      "--signing-key",
      rsa,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("model signing needs ECDSA");
    expect(existsSync(out)).toBe(false);
    const both = cli([
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "1.0.0",
      "--out",
      out,
      "--signing-key",
      rsa,
      "--keyless",
    ]);
    expect(both.code).toBe(2);
  });
});

describe("model-release diff", () => {
  it("prints Markdown and JSON, and refuses what is neither a folder nor a version", () => {
    const md = cli(["diff", v1, v2]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain("## Changes since 1.0.0");
    expect(md.stdout).toContain("+# robot-coder-demo 1.1.0");
    const j = cli(["diff", v1, v2, "--json"]);
    const d = JSON.parse(j.stdout);
    expect(d.from.version).toBe("1.0.0");
    expect(d.files.changed.map((f: { path: string }) => f.path)).toContain("README.md");
    expect(d.files.added).toEqual([]);
    const bad = cli(["diff", path.join(work, "missing"), v2]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is neither a bundle folder nor org/name@version");
  });
});

// The reference verifier (pip install model-signing==1.1.1; not installable on the offline
// development machines, so this runs where it is on PATH, e.g. the release workflow's runner).
const MODEL_SIGNING = process.env.MODEL_SIGNING_BIN ?? "model_signing";
const haveModelSigning = spawnSync(MODEL_SIGNING, ["--help"], { encoding: "utf8" }).status === 0;
if (!haveModelSigning)
  console.warn(
    `skipping the model_signing interop test: ${MODEL_SIGNING} is not on PATH (pip install model-signing==1.1.1)`,
  );

describe.skipIf(!haveModelSigning)("interop with the reference model_signing", () => {
  it("model_signing verify key accepts a key-signed bundle and rejects a tampered one", async () => {
    const ok = spawnSync(
      MODEL_SIGNING,
      ["verify", "key", v2, "--signature", path.join(v2, "model.sig"), "--public-key", pub],
      { encoding: "utf8" },
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("Verification succeeded");
    const copy = path.join(work, "tampered-ref");
    execFileSync("cp", ["-r", v2, copy]);
    await rm(path.join(copy, "config.json"));
    await writeFile(path.join(copy, "config.json"), "{}\n");
    const bad = spawnSync(
      MODEL_SIGNING,
      ["verify", "key", copy, "--signature", path.join(copy, "model.sig"), "--public-key", pub],
      { encoding: "utf8" },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("config.json");
  });
});
