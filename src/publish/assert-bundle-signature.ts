import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { verifyError } from "../errors.js";
import { PUBLIC_KEY_FILE, SIGNATURE_FILE } from "../trust/model-signing-format.js";
import { planSignatureSigner } from "../trust/plan-signature-signer.js";
import { sha256File, verifyModelSignature, type TrustPolicy } from "../trust/verify-model-signature.js";

/**
 * Checks the staged bundle's `model.sig` before anything is uploaded: sign, verify, then publish.
 * A key signature is checked against the bundle's `model.pub`; a keyless one against the
 * identity its certificate names (Sigstore needs its trust root for that). Files are hashed with
 * `hashOf` when given (digests the caller has just verified), else read again. An unsigned bundle
 * passes: signing is the build's choice.
 *
 * @returns what was checked, or undefined for an unsigned bundle.
 * @throws ReleaseError `SIGNATURE_MISMATCH` (verify) naming the files, or the verifier's errors.
 */
export async function assertBundleSignature(params: {
  dir: string;
  hashOf?: (absPath: string) => string | undefined;
}): Promise<{ signer: string; files: number } | undefined> {
  const sigText = await readFile(join(params.dir, SIGNATURE_FILE), "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (sigText === undefined) return undefined;
  const signer = planSignatureSigner(sigText);
  let trust: TrustPolicy;
  if (signer.kind === "key") {
    const pub = await readFile(join(params.dir, PUBLIC_KEY_FILE)).catch(() => undefined);
    if (!pub)
      throw verifyError(
        "SIGNATURE_KEY_MISSING",
        `${SIGNATURE_FILE} is signed with a key but ${PUBLIC_KEY_FILE} is missing`,
        {
          location: { file: PUBLIC_KEY_FILE },
          hint: "build again with the signing key: the build writes model.pub beside model.sig",
        },
      );
    trust = { kind: "key", publicKeyPem: pub };
  } else {
    if (!signer.identity || !signer.issuer)
      throw verifyError("SIGNATURE_IDENTITY_UNKNOWN", `${SIGNATURE_FILE} names no signing identity to check`, {
        location: { file: SIGNATURE_FILE },
        hint: "sign again (keyless signing in GitHub Actions records the workflow identity)",
      });
    trust = { kind: "identity", identity: signer.identity, issuer: signer.issuer };
  }
  const v = await verifyModelSignature({
    dir: params.dir,
    trust,
    hashFile: async (abs) => params.hashOf?.(abs) ?? sha256File(abs),
  });
  if (!v.ok) {
    const bad = [
      ...v.missing.map((p) => `${p} (missing)`),
      ...v.changed.map((c) => `${c.path} (changed)`),
      ...v.extra.map((p) => `${p} (not signed)`),
    ];
    throw verifyError(
      "SIGNATURE_MISMATCH",
      `${SIGNATURE_FILE} does not cover the staged bundle, so nothing was published: ${bad.join(", ")}`,
      {
        location: { file: join(params.dir, SIGNATURE_FILE) },
        hint: "the bundle changed after signing; build (and sign) again, then publish",
        details: { missing: v.missing, changed: v.changed.map((c) => c.path), extra: v.extra },
      },
    );
  }
  return {
    signer:
      signer.kind === "key" ? `key ${v.signer.kind === "key" ? v.signer.keyHint : ""}` : `identity ${signer.identity}`,
    files: v.signedFiles,
  };
}
