import { readFile } from "node:fs/promises";
import path from "node:path";
import { usageError } from "../errors.js";
import type { SigningMethod } from "../trust/apply-signature.js";
import { parseSigningKey } from "../trust/sign-model.js";
import type { CliContext } from "./context.js";

export interface SigningFlags {
  signingKey?: string;
  keyless?: boolean;
  unsigned?: boolean;
}

/** Where the signing method came from, for the build's closing line. */
export type SigningSource = "flag" | "env" | "github-actions" | "none";

/**
 * Decides how a build signs, from flags and the environment (the only place that reads them):
 * `--signing-key <pem>`, else `MODEL_RELEASE_SIGNING_KEY` (PEM text), else `--keyless`, else
 * keyless automatically inside GitHub Actions with an OIDC token (`ACTIONS_ID_TOKEN_REQUEST_URL`),
 * else unsigned. `MODEL_RELEASE_SIGNING_KEY_PASSPHRASE` decrypts an encrypted key. The key is
 * parsed here so a wrong key or passphrase fails before anything is staged.
 *
 * @throws ReleaseError SIGNING_KEY_UNREADABLE, SIGNING_KEY_INVALID, SIGNING_KEY_UNSUPPORTED, SIGNING_CONFLICT (usage).
 */
export async function resolveSigningMethod(
  flags: SigningFlags,
  ctx: Pick<CliContext, "env" | "cwd">,
): Promise<{ signing?: SigningMethod; source: SigningSource }> {
  if (flags.unsigned && (flags.signingKey || flags.keyless)) {
    throw usageError("SIGNING_CONFLICT", "--unsigned cannot be combined with --signing-key or --keyless", {
      hint: "drop --unsigned to sign the release",
    });
  }
  if (flags.signingKey && flags.keyless) {
    throw usageError("SIGNING_CONFLICT", "pass either --signing-key or --keyless, not both", {
      hint: "key signing works offline; keyless needs an OIDC token (GitHub Actions)",
    });
  }
  if (flags.unsigned) return { source: "none" };
  const passphrase = ctx.env.MODEL_RELEASE_SIGNING_KEY_PASSPHRASE;
  const withKey = (privateKeyPem: string | Buffer): SigningMethod => {
    const signing: SigningMethod = { kind: "key", privateKeyPem, passphrase: passphrase || undefined };
    parseSigningKey(signing);
    return signing;
  };
  if (flags.signingKey) {
    const file = path.resolve(ctx.cwd, flags.signingKey);
    const pem = await readFile(file).catch((cause: unknown) => {
      throw usageError(
        "SIGNING_KEY_UNREADABLE",
        `cannot read the signing key ${flags.signingKey}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
        {
          location: { file: flags.signingKey as string },
          hint: "pass a PEM private key file, e.g. one made with: openssl ecparam -name prime256v1 -genkey -noout -out signing-key.pem",
          cause,
        },
      );
    });
    return { signing: withKey(pem), source: "flag" };
  }
  if (ctx.env.MODEL_RELEASE_SIGNING_KEY && !flags.keyless)
    return { signing: withKey(ctx.env.MODEL_RELEASE_SIGNING_KEY), source: "env" };
  if (flags.keyless) return { signing: { kind: "keyless" }, source: "flag" };
  if (ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL) return { signing: { kind: "keyless" }, source: "github-actions" };
  return { source: "none" };
}
