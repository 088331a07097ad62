import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { generateKeyPairSync } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { planModelSigningStatement, computeRootDigest } from "../../src/trust/model-signing-format.js";
import { signModelWithKey } from "../../src/trust/sign-model.js";
import { sha256File, verifyModelSignature } from "../../src/trust/verify-model-signature.js";

const vectors = path.resolve(import.meta.dirname, "../fixtures/model-signing");
const temps: string[] = [];
async function tempCopy(src: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "mr-sig-"));
  temps.push(dir);
  await cp(src, dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

async function signDir(dir: string, privateKeyPem: string): Promise<void> {
  const files = [];
  for (const name of ["a.safetensors", "config.json", "sub/README.md"])
    files.push({ path: name, sha256: await sha256File(path.join(dir, name)) });
  const statement = planModelSigningStatement({ modelName: "demo", files });
  await writeFile(path.join(dir, "model.sig"), JSON.stringify(signModelWithKey({ statement, privateKeyPem })));
}

async function modelDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "mr-model-"));
  temps.push(dir);
  await writeFile(path.join(dir, "a.safetensors"), Buffer.alloc(4096, 7));
  await writeFile(path.join(dir, "config.json"), "{}\n");
  await import("node:fs/promises").then((fs) => fs.mkdir(path.join(dir, "sub")));
  await writeFile(path.join(dir, "sub/README.md"), "# card\n");
  return dir;
}

describe("OpenSSF model signing interop", () => {
  it("accepts a signature written by the reference model_signing 1.1.0 (P-384 key)", async () => {
    const result = await verifyModelSignature({
      dir: path.join(vectors, "v1.1.0-elliptic-key"),
      trust: { kind: "key", publicKeyPem: await readFile(path.join(vectors, "signing-key-pub.pem")) },
    });
    expect(result).toMatchObject({ ok: true, signedFiles: 2, missing: [], extra: [], changed: [] });
    expect(result.subject.name).toBe("v1.1.0-elliptic-key");
  });

  it("names a file with one flipped byte in a reference-signed model", async () => {
    const dir = await tempCopy(path.join(vectors, "v1.1.0-elliptic-key"));
    const f = path.join(dir, "signme-2");
    const bytes = await readFile(f);
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(f, bytes);
    const result = await verifyModelSignature({
      dir,
      trust: { kind: "key", publicKeyPem: await readFile(path.join(vectors, "signing-key-pub.pem")) },
    });
    expect(result.ok).toBe(false);
    expect(result.changed.map((c) => c.path)).toEqual(["signme-2"]);
  });

  for (const kind of ["ec", "ed25519"] as const) {
    it(`signs and verifies with a ${kind} key, and reports extra and missing files`, async () => {
      const { privateKey, publicKey } =
        kind === "ec" ? generateKeyPairSync("ec", { namedCurve: "prime256v1" }) : generateKeyPairSync("ed25519");
      const dir = await modelDir();
      await signDir(dir, privateKey.export({ type: "pkcs8", format: "pem" }) as string);
      const trust = { kind: "key" as const, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }) as string };
      expect((await verifyModelSignature({ dir, trust })).ok).toBe(true);

      await writeFile(path.join(dir, "extra.bin"), "x");
      await rm(path.join(dir, "config.json"));
      const r = await verifyModelSignature({ dir, trust });
      expect(r).toMatchObject({ ok: false, extra: ["extra.bin"], missing: ["config.json"], changed: [] });
    });
  }

  it("rejects a signature by another key, and a tampered statement", async () => {
    const signer = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const dir = await modelDir();
    await signDir(dir, signer.privateKey.export({ type: "pkcs8", format: "pem" }) as string);
    await expect(
      verifyModelSignature({
        dir,
        trust: { kind: "key", publicKeyPem: other.publicKey.export({ type: "spki", format: "pem" }) as string },
      }),
    ).rejects.toMatchObject({ code: "SIGNATURE_KEY_MISMATCH", category: "verify" });

    // Rewrite a digest in the payload (and fix the root digest so only the signature can catch it).
    const sigFile = path.join(dir, "model.sig");
    const bundle = JSON.parse(await readFile(sigFile, "utf8"));
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString());
    statement.predicate.resources[0].digest = "00".repeat(32);
    statement.subject[0].digest.sha256 = computeRootDigest(statement.predicate.resources);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
    await writeFile(sigFile, JSON.stringify(bundle));
    await expect(
      verifyModelSignature({
        dir,
        trust: { kind: "key", publicKeyPem: signer.publicKey.export({ type: "spki", format: "pem" }) as string },
      }),
    ).rejects.toMatchObject({ code: "SIGNATURE_INVALID" });
  });

  it("refuses keys that model signing does not support", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const statement = planModelSigningStatement({ modelName: "m", files: [] });
    expect(() =>
      signModelWithKey({ statement, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string }),
    ).toThrow(/ECDSA/);
    expect(() => signModelWithKey({ statement, privateKeyPem: "not a key" })).toThrow(
      expect.objectContaining({ code: "SIGNING_KEY_INVALID" }),
    );
  });

  it("reports a damaged signature file with its name", async () => {
    const dir = await modelDir();
    await writeFile(path.join(dir, "model.sig"), "{not json");
    await expect(verifyModelSignature({ dir, trust: { kind: "key", publicKeyPem: "x" } })).rejects.toMatchObject({
      code: "SIGNATURE_MALFORMED",
      category: "input",
    });
  });
});
