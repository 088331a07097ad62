import { access } from "node:fs/promises";
import path from "node:path";
import { MANIFEST_FILE } from "../bundle/bundle-paths.js";
import { createHashPool } from "../bundle/hash-pool.js";
import { verifyBundle, type VerifyBundleResult } from "../bundle/verify-bundle.js";
import { verifyError } from "../errors.js";
import { SIGNATURE_FILE } from "./model-signing-format.js";
import { verifyModelSignature, type SignatureVerification, type TrustPolicy } from "./verify-model-signature.js";

export interface VerifyReleaseResult {
  dir: string;
  /** The manifest/SHA256SUMS check; absent for a folder without manifest.json (signature only). */
  bundle?: VerifyBundleResult;
  /**
   * `verified`: checked under the trust policy; `unchecked`: model.sig is there but no key or
   * identity was given; `absent`: no model.sig and none was asked for.
   */
  signature: { status: "verified"; result: SignatureVerification } | { status: "unchecked" } | { status: "absent" };
  ok: boolean;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * Verifies a downloaded or built release: every digest against manifest.json and SHA256SUMS,
 * then, when a trust policy is given, `model.sig` (the envelope's signature and every file's
 * digest). A file the bundle check has just hashed is not read again for the signature.
 * A folder with a model.sig but no manifest.json (signed by other tools) is checked by
 * signature alone. Differences are returned; the CLI names each and exits 6.
 *
 * @throws ReleaseError `SIGNATURE_MISSING` when a trust policy is given but there is no
 *   model.sig, `MANIFEST_MISSING` when there is neither; and what the signature checks throw.
 */
export async function verifyRelease(params: {
  dir: string;
  trust?: TrustPolicy;
  signaturePath?: string;
  concurrency?: number;
  signal?: AbortSignal;
}): Promise<VerifyReleaseResult> {
  const dir = path.resolve(params.dir);
  const sigPath = params.signaturePath ? path.resolve(params.signaturePath) : path.join(dir, SIGNATURE_FILE);
  const hasSig = await exists(sigPath);
  const hasManifest = await exists(path.join(dir, MANIFEST_FILE));
  const common = { concurrency: params.concurrency, signal: params.signal };
  // Without a manifest, a signature check alone is still a complete answer; without either, say so.
  const bundle = hasManifest || !(hasSig && params.trust) ? await verifyBundle({ dir, ...common }) : undefined;
  if (!params.trust) {
    const ok = bundle?.ok ?? false;
    return { dir, ...(bundle ? { bundle } : {}), signature: { status: hasSig ? "unchecked" : "absent" }, ok };
  }
  if (!hasSig) {
    throw verifyError("SIGNATURE_MISSING", `${sigPath} does not exist, but a signature check was asked for`, {
      location: { file: sigPath },
      hint: "download model.sig with the release (model-release pull fetches it), or pass --signature <file>; an unsigned release cannot be verified with --key/--identity",
    });
  }
  // Digests the bundle check just computed: the manifest's for files that matched, the actual ones for those that changed.
  const known = new Map<string, string>();
  if (bundle) {
    const changed = new Map(bundle.changed.filter((c) => c.reason === "content").map((c) => [c.path, c.actualSha256]));
    const missing = new Set(bundle.missing);
    for (const f of bundle.manifest.files)
      if (!missing.has(f.path)) known.set(path.join(dir, ...f.path.split("/")), changed.get(f.path) ?? f.sha256);
  }
  const pool = createHashPool(common);
  try {
    const result = await verifyModelSignature({
      dir,
      signaturePath: sigPath,
      trust: params.trust,
      hashFile: async (abs) => known.get(abs) ?? (await pool.hashFile(abs)).sha256,
    });
    return {
      dir,
      ...(bundle ? { bundle } : {}),
      signature: { status: "verified", result },
      ok: (bundle?.ok ?? true) && result.ok,
    };
  } finally {
    await pool.close();
  }
}
