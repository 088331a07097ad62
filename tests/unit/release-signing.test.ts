import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildRelease } from "../../src/bundle/build-release.js";
import type { BundleRelease } from "../../src/bundle/plan-manifest.js";
import { stageBundle } from "../../src/bundle/stage-bundle.js";
import type { BundleInput } from "../../src/bundle/types.js";
import { verifyBundle } from "../../src/bundle/verify-bundle.js";
import { applySignature, RELEASE_IGNORE_PATHS } from "../../src/trust/apply-signature.js";
import { applySigningKeyFile } from "../../src/trust/apply-signing-key-file.js";
import { parseSigningKey } from "../../src/trust/sign-model.js";
import { verifyRelease } from "../../src/trust/verify-release.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "mr-sign-"));
  dirs.push(d);
  return d;
}

const release: BundleRelease = {
  name: "tiny",
  version: "1.0.0",
  tag: "v1.0.0",
  hub: { repo: "org/tiny", repoType: "model" },
};
const content = (p: string, text: string, role: BundleInput["role"] = "other"): BundleInput => ({
  path: p,
  role,
  source: { kind: "content", content: text },
  origin: "test",
});
const ecKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }) as string,
  };
};

async function signedBundle(key = ecKey()) {
  const out = path.join(await tmp(), "bundle");
  const staged = await stageBundle({
    outDir: out,
    release,
    inputs: [
      content("model.safetensors", "weights", "weights"),
      content("config.json", "{}\n", "config"),
      content("sub/notes.md", "# notes\n"),
    ],
  });
  const signature = await applySignature({
    bundleDir: out,
    manifest: staged.manifest,
    signing: { kind: "key", privateKeyPem: key.privateKeyPem },
  });
  return { out, key, signature, trust: { kind: "key" as const, publicKeyPem: key.publicKeyPem } };
}

describe("applySignature + verifyRelease", () => {
  it("signs every published file, manifest.json and SHA256SUMS, writes model.pub, and verifies", async () => {
    const { out, signature, trust, key } = await signedBundle();
    const bundle = JSON.parse(await readFile(path.join(out, "model.sig"), "utf8"));
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString());
    expect(statement.predicate.resources.map((r: { name: string }) => r.name)).toEqual([
      "SHA256SUMS",
      "config.json",
      "manifest.json",
      "model.safetensors",
      "sub/notes.md",
    ]);
    expect(statement.predicate.serialization.ignore_paths).toEqual(RELEASE_IGNORE_PATHS);
    expect(statement.predicate.serialization.ignore_paths).toEqual(
      expect.arrayContaining(["model.sig", "model.pub", ".model-release"]),
    );
    expect(signature).toMatchObject({ method: "key", files: 5, rootDigest: statement.subject[0].digest.sha256 });
    expect(await readFile(path.join(out, "model.pub"), "utf8")).toBe(key.publicKeyPem);
    // The bundle check ignores the signature and the key beside it.
    expect((await verifyBundle({ dir: out })).ok).toBe(true);
    const r = await verifyRelease({ dir: out, trust });
    expect(r.ok).toBe(true);
    expect(r.signature).toMatchObject({
      status: "verified",
      result: { ok: true, signedFiles: 5, extra: [], missing: [], changed: [] },
    });
  });

  it("names each changed, missing and extra file in both checks", async () => {
    const { out, trust } = await signedBundle();
    await writeFile(path.join(out, "model.safetensors"), "weightz");
    await rm(path.join(out, "sub/notes.md"));
    await writeFile(path.join(out, "planted.py"), "print(1)\n");
    const r = await verifyRelease({ dir: out, trust });
    expect(r.ok).toBe(false);
    expect(r.bundle).toMatchObject({ missing: ["sub/notes.md"], extra: ["planted.py"] });
    expect(r.bundle?.changed.map((c) => c.path)).toEqual(["model.safetensors"]);
    expect(r.signature.status === "verified" && r.signature.result).toMatchObject({
      ok: false,
      missing: ["sub/notes.md"],
      extra: ["planted.py"],
      changed: [{ path: "model.safetensors" }],
    });
  });

  it("catches a manifest rewritten to match changed weights: the signature covers manifest.json and SHA256SUMS", async () => {
    const { out, trust } = await signedBundle();
    // An attacker swaps the weights and regenerates manifest.json + SHA256SUMS consistently.
    const forged = await stageBundle({
      outDir: path.join(await tmp(), "forged"),
      release,
      inputs: [
        content("model.safetensors", "evil", "weights"),
        content("config.json", "{}\n", "config"),
        content("sub/notes.md", "# notes\n"),
      ],
    });
    for (const f of ["model.safetensors", "manifest.json", "SHA256SUMS"])
      await writeFile(path.join(out, f), await readFile(path.join(forged.outDir, f)));
    const r = await verifyRelease({ dir: out, trust });
    expect(r.bundle?.ok).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.signature.status === "verified" && r.signature.result.changed.map((c) => c.path)).toEqual([
      "SHA256SUMS",
      "manifest.json",
      "model.safetensors",
    ]);
  });

  it("reports a signature nobody checked as unchecked, and an unsigned bundle as absent", async () => {
    const { out } = await signedBundle();
    expect((await verifyRelease({ dir: out })).signature).toEqual({ status: "unchecked" });
    await rm(path.join(out, "model.sig"));
    expect((await verifyRelease({ dir: out })).signature).toEqual({ status: "absent" });
  });

  it("refuses a key check without model.sig, and a signature by another key", async () => {
    const { out } = await signedBundle();
    await expect(
      verifyRelease({ dir: out, trust: { kind: "key", publicKeyPem: ecKey().publicKeyPem } }),
    ).rejects.toMatchObject({ code: "SIGNATURE_KEY_MISMATCH", category: "verify" });
    await rm(path.join(out, "model.sig"));
    await expect(
      verifyRelease({ dir: out, trust: { kind: "key", publicKeyPem: ecKey().publicKeyPem } }),
    ).rejects.toMatchObject({ code: "SIGNATURE_MISSING", category: "verify" });
  });

  it("checks a folder without manifest.json by its signature alone (a model signed by other tools)", async () => {
    const { out, trust } = await signedBundle();
    await rm(path.join(out, "manifest.json"));
    const r = await verifyRelease({ dir: out, trust });
    expect(r.bundle).toBeUndefined();
    expect(r.ok).toBe(false);
    expect(r.signature.status === "verified" && r.signature.result.missing).toEqual(["manifest.json"]);
  });

  it("signs with Ed25519 too, and rejects unsupported keys before staging", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const { out } = await signedBundle({
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }) as string,
    });
    expect(
      (
        await verifyRelease({
          dir: out,
          trust: { kind: "key", publicKeyPem: publicKey.export({ type: "spki", format: "pem" }) as string },
        })
      ).ok,
    ).toBe(true);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    expect(() => parseSigningKey({ privateKeyPem: rsa })).toThrow(
      expect.objectContaining({ code: "SIGNING_KEY_UNSUPPORTED", category: "usage" }),
    );
    const encrypted = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: "right",
    }) as string;
    expect(() => parseSigningKey({ privateKeyPem: encrypted, passphrase: "wrong" })).toThrow(
      expect.objectContaining({ code: "SIGNING_KEY_INVALID" }),
    );
    expect(parseSigningKey({ privateKeyPem: encrypted, passphrase: "right" }).asymmetricKeyType).toBe("ec");
  });

  it("applySigningKeyFile creates a P-256 key once (mode 0600) and then reuses it", async () => {
    const file = path.join(await tmp(), "k", "signing-key.pem");
    const a = await applySigningKeyFile({ file });
    const b = await applySigningKeyFile({ file });
    expect(a.created).toBe(true);
    expect(b).toEqual({ privateKeyPem: a.privateKeyPem, created: false });
    expect(parseSigningKey({ privateKeyPem: a.privateKeyPem }).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect((await import("node:fs/promises").then((fs) => fs.stat(file))).mode & 0o777).toBe(0o600);
  });
});

describe("buildRelease with a review page and a signature", () => {
  it("publishes report.html in the manifest and signs it; a rebuild without a key removes the old signature", async () => {
    const out = path.join(await tmp(), "demo");
    const key = ecKey();
    const configFile = path.join(REPO, "release-configs", "demo.yaml");
    const r = await buildRelease({
      configFile,
      version: "1.0.0",
      outDir: out,
      signing: { kind: "key", privateKeyPem: key.privateKeyPem },
    });
    expect(r.manifest.files.find((f) => f.path === "report.html")).toMatchObject({
      role: "report",
      origin: "generated:review-page",
    });
    expect(JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8"))).toEqual(r.manifest);
    expect(await readFile(path.join(out, "SHA256SUMS"), "utf8")).toContain("  report.html\n");
    const html = await readFile(path.join(out, "report.html"), "utf8");
    for (const id of ["summary", "inventory", "files", "findings", "evaluation", "card"])
      expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toContain('<section id="changes">');
    const v = await verifyRelease({ dir: out, trust: { kind: "key", publicKeyPem: key.publicKeyPem } });
    expect(v.ok).toBe(true);
    expect(v.signature.status === "verified" && v.signature.result.signedFiles).toBe(r.manifest.files.length + 2);

    const again = await buildRelease({ configFile, version: "1.0.1", outDir: out });
    expect(again.signature).toBeUndefined();
    expect((await verifyRelease({ dir: out })).signature).toEqual({ status: "absent" });
  });
});
