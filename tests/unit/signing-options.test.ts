import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveSigningMethod } from "../../src/cli/signing-options.js";

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const pem = () =>
  generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;

describe("resolveSigningMethod", () => {
  it("prefers --signing-key, then MODEL_RELEASE_SIGNING_KEY, then --keyless, then GitHub Actions OIDC, else unsigned", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "mr-signopt-"));
    dirs.push(cwd);
    const filePem = pem();
    await writeFile(path.join(cwd, "k.pem"), filePem);
    const envPem = pem();
    const actions = { ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/" };
    const fromFile = await resolveSigningMethod(
      { signingKey: "k.pem" },
      { cwd, env: { MODEL_RELEASE_SIGNING_KEY: envPem, ...actions } },
    );
    expect(fromFile.source).toBe("flag");
    expect(fromFile.signing?.kind === "key" && fromFile.signing.privateKeyPem.toString()).toBe(filePem);
    const fromEnv = await resolveSigningMethod({}, { cwd, env: { MODEL_RELEASE_SIGNING_KEY: envPem, ...actions } });
    expect(fromEnv).toEqual({ signing: { kind: "key", privateKeyPem: envPem }, source: "env" });
    expect(await resolveSigningMethod({ keyless: true }, { cwd, env: { MODEL_RELEASE_SIGNING_KEY: envPem } })).toEqual({
      signing: { kind: "keyless" },
      source: "flag",
    });
    expect(await resolveSigningMethod({}, { cwd, env: actions })).toEqual({
      signing: { kind: "keyless" },
      source: "github-actions",
    });
    expect(await resolveSigningMethod({ unsigned: true }, { cwd, env: actions })).toEqual({ source: "none" });
    expect(await resolveSigningMethod({}, { cwd, env: { MODEL_RELEASE_SIGNING_KEY: "" } })).toEqual({ source: "none" });
  });

  it("fails fast on a wrong passphrase, an unreadable file and conflicting flags, never echoing the key", async () => {
    const encrypted = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: "a",
    }) as string;
    const err = await resolveSigningMethod(
      {},
      { cwd: "/", env: { MODEL_RELEASE_SIGNING_KEY: encrypted, MODEL_RELEASE_SIGNING_KEY_PASSPHRASE: "b" } },
    ).catch((e: Error) => e);
    expect(err).toMatchObject({ code: "SIGNING_KEY_INVALID", category: "usage" });
    expect(String((err as Error).message)).not.toContain("PRIVATE KEY");
    await expect(
      resolveSigningMethod({ signingKey: "/nonexistent/k.pem" }, { cwd: "/", env: {} }),
    ).rejects.toMatchObject({ code: "SIGNING_KEY_UNREADABLE" });
    await expect(
      resolveSigningMethod({ signingKey: "k.pem", keyless: true }, { cwd: "/", env: {} }),
    ).rejects.toMatchObject({ code: "SIGNING_CONFLICT" });
    await expect(resolveSigningMethod({ unsigned: true, keyless: true }, { cwd: "/", env: {} })).rejects.toMatchObject({
      code: "SIGNING_CONFLICT",
    });
  });
});
