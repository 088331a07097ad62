import { X509Certificate } from "node:crypto";
import { parseSigstoreBundle } from "./verify-model-signature.js";

/** The OIDC issuer GitHub Actions identities come from. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/** Who a model.sig says signed it, as written (not verified: for instructions, never for trust). */
export type SignatureSigner =
  | { kind: "key"; keyHint?: string }
  | { kind: "keyless"; identity?: string; issuer?: string };

/**
 * Reads the signer a model.sig names: the key hint, or the Fulcio certificate's identity (its
 * URI subject alternative name; the issuer is GitHub's when the identity is a GitHub workflow).
 * Pure. For writing verify instructions only: `verify` checks these against a trust policy.
 */
export function planSignatureSigner(sigText: string): SignatureSigner {
  const bundle = parseSigstoreBundle(sigText);
  const vm = bundle.verificationMaterial as {
    publicKey?: { hint?: string | null };
    certificate?: { rawBytes?: string };
    x509CertificateChain?: { certificates?: { rawBytes?: string }[] };
  };
  const raw = vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates?.[0]?.rawBytes;
  if (!raw) return { kind: "key", ...(vm.publicKey?.hint ? { keyHint: vm.publicKey.hint } : {}) };
  let identity: string | undefined;
  try {
    const san = new X509Certificate(Buffer.from(raw, "base64")).subjectAltName ?? "";
    identity = /(?:^|, )URI:([^,]+)/.exec(san)?.[1];
  } catch {
    identity = undefined;
  }
  return {
    kind: "keyless",
    ...(identity ? { identity } : {}),
    ...(identity?.startsWith("https://github.com/") ? { issuer: GITHUB_ACTIONS_ISSUER } : {}),
  };
}

/**
 * The commands that check a downloaded release's signature: the reference `model_signing`
 * (pip install model-signing) with its exact flag spelling, which a reader of a public release can
 * run as is, then this tool's `verify` as it runs from a clone of model-release (`node
 * dist/cli/bin.js`: the tool is not on the npm registry, so `npx model-release` would fetch
 * nothing, or someone else's package). Pure.
 */
export function renderVerifyCommands(params: { dir: string; signer: SignatureSigner }): string[] {
  const d = params.dir;
  if (params.signer.kind === "key") {
    return [
      `model_signing verify key ${d} --signature ${d}/model.sig --public-key model.pub`,
      `node dist/cli/bin.js verify ${d} --key model.pub`,
    ];
  }
  const id = params.signer.identity ?? "<workflow identity>";
  const issuer = params.signer.issuer ?? GITHUB_ACTIONS_ISSUER;
  return [
    `model_signing verify sigstore ${d} --signature ${d}/model.sig --identity ${id} --identity-provider ${issuer}`,
    `node dist/cli/bin.js verify ${d} --identity ${id} --issuer ${issuer}`,
  ];
}
