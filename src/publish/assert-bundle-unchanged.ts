import { readHashCache } from "../bundle/hash-cache.js";
import { verifyBundle, type VerifyBundleResult } from "../bundle/verify-bundle.js";
import { verifyError } from "../errors.js";
import { assertBundleSignature } from "./assert-bundle-signature.js";
import type { ReleaseBundle } from "./types.js";

/**
 * Nothing goes public that does not match its manifest: a checkpoint file rewritten in place
 * after the build (hard links share the bytes) would otherwise be published under old digests.
 * Then sign, verify, publish: `model.sig` is checked against the staged files, with the digests
 * just verified (the weights are not read twice). Files provably unchanged since the build come
 * from the hash cache in `cacheDir`.
 *
 * @returns the checked signature (undefined for an unsigned bundle) and the verification's counts.
 * @throws ReleaseError `BUNDLE_MISMATCH` or `SIGNATURE_MISMATCH` (verify, exit 6).
 */
export async function assertBundleUnchanged(params: {
  bundle: ReleaseBundle;
  cacheDir?: string;
  signal?: AbortSignal;
  /** Progress of the verification the cache cannot skip (see `verifyBundle`). */
  onProgress?: Parameters<typeof verifyBundle>[0]["onProgress"];
}): Promise<{ signature: { signer: string; files: number } | undefined; verified: VerifyBundleResult }> {
  const { bundle } = params;
  const cache = params.cacheDir ? await readHashCache({ dir: params.cacheDir }) : undefined;
  const verified = await verifyBundle({
    dir: bundle.dir,
    cache,
    signal: params.signal,
    onProgress: params.onProgress,
  });
  if (!verified.ok) {
    const names = [
      ...verified.missing.map((p) => `missing ${p}`),
      ...verified.changed.map((c) => `changed ${c.path}`),
      ...verified.extra.map((p) => `extra ${p}`),
    ];
    throw verifyError(
      "BUNDLE_MISMATCH",
      `${bundle.dir} does not match its manifest, so nothing was published: ${names.join(", ") || "content digest differs"}`,
      {
        hint: "the checkpoint or the bundle changed after the build; build again, then publish",
        location: { file: bundle.dir },
        details: { missing: verified.missing, changed: verified.changed.map((c) => c.path), extra: verified.extra },
      },
    );
  }
  const digests = new Map(bundle.files.map((f) => [f.absPath, f.sha256]));
  const signature = await assertBundleSignature({ dir: bundle.dir, hashOf: (abs) => digests.get(abs) });
  return { signature, verified };
}
