import { createHash, createPublicKey } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { MANIFEST_FILE, SUMS_FILE } from "../bundle/bundle-paths.js";
import type { Manifest } from "../bundle/types.js";
import {
  DEFAULT_IGNORE_PATHS,
  PUBLIC_KEY_FILE,
  SIGNATURE_FILE,
  planModelSigningStatement,
  type ModelSigningStatement,
} from "./model-signing-format.js";
import { parseSigningKey, publicKeyHint, signModelKeyless, signModelWithKey } from "./sign-model.js";

/** How a release is signed: a private key (offline), or Sigstore keyless with an OIDC token. */
export type SigningMethod =
  | { kind: "key"; privateKeyPem: string | Buffer; passphrase?: string }
  /** Without `identityToken`, sigstore-js takes the GitHub Actions OIDC token from the environment it runs in. */
  | { kind: "keyless"; identityToken?: string };

export interface ApplySignatureResult {
  /** Absolute path of `model.sig`. */
  signaturePath: string;
  /** Absolute path of `model.pub` (key signing only): the public half, for `verify --key`. */
  publicKeyPath?: string;
  method: SigningMethod["kind"];
  /** SHA-256 of the public key's SPKI PEM, as the bundle records it (key signing only). */
  keyHint?: string;
  /** Files the signature covers (every published file, manifest.json and SHA256SUMS included). */
  files: number;
  /** The statement's root digest. */
  rootDigest: string;
}

/** The paths a release signature leaves out: the model signing defaults plus the public key beside it. */
export const RELEASE_IGNORE_PATHS = [...DEFAULT_IGNORE_PATHS, PUBLIC_KEY_FILE];

/**
 * Plans the statement for a staged bundle: every file the manifest lists (with the digests
 * staging just computed) plus manifest.json and SHA256SUMS, whose digests the caller passes.
 * Pure.
 */
export function planBundleStatement(params: {
  manifest: Pick<Manifest, "name" | "files">;
  manifestSha256: string;
  sumsSha256: string;
}): ModelSigningStatement {
  return planModelSigningStatement({
    modelName: params.manifest.name,
    files: [
      ...params.manifest.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
      { path: MANIFEST_FILE, sha256: params.manifestSha256 },
      { path: SUMS_FILE, sha256: params.sumsSha256 },
    ],
    ignorePaths: RELEASE_IGNORE_PATHS,
  });
}

/**
 * Signs a staged bundle in the OpenSSF model signing format and writes `model.sig` (and, for key
 * signing, `model.pub`) into it. Runs after staging and after anything that rewrites
 * manifest.json: the signature covers manifest.json and SHA256SUMS as they are on disk. The
 * content files' digests are taken from the manifest (staging hashed them moments ago), so
 * signing never re-reads the weights.
 *
 * @throws ReleaseError SIGNING_KEY_INVALID / SIGNING_KEY_UNSUPPORTED (usage); keyless signing
 *   rethrows sigstore's errors (network, token).
 */
export async function applySignature(params: {
  bundleDir: string;
  manifest: Manifest;
  signing: SigningMethod;
}): Promise<ApplySignatureResult> {
  const dir = path.resolve(params.bundleDir);
  const digest = async (name: string) =>
    createHash("sha256")
      .update(await readFile(path.join(dir, name)))
      .digest("hex");
  const statement = planBundleStatement({
    manifest: params.manifest,
    manifestSha256: await digest(MANIFEST_FILE),
    sumsSha256: await digest(SUMS_FILE),
  });
  const signaturePath = path.join(dir, SIGNATURE_FILE);
  const publicKeyPath = path.join(dir, PUBLIC_KEY_FILE);
  const base = {
    signaturePath,
    files: statement.predicate.resources.length,
    rootDigest: statement.subject[0].digest.sha256,
  };
  if (params.signing.kind === "key") {
    const bundle = signModelWithKey({
      statement,
      privateKeyPem: params.signing.privateKeyPem,
      passphrase: params.signing.passphrase,
    });
    const publicKey = createPublicKey(parseSigningKey(params.signing));
    await writeFile(signaturePath, `${JSON.stringify(bundle, null, 2)}\n`);
    await writeFile(publicKeyPath, publicKey.export({ type: "spki", format: "pem" }));
    return { ...base, publicKeyPath, method: "key", keyHint: publicKeyHint(publicKey) };
  }
  const bundle = await signModelKeyless({
    statement,
    identityToken: params.signing.identityToken,
  });
  await writeFile(signaturePath, `${JSON.stringify(bundle, null, 2)}\n`);
  // A key from an earlier key-signed build would sit beside a keyless signature and mislead.
  await rm(publicKeyPath, { force: true });
  return { ...base, method: "keyless" };
}
