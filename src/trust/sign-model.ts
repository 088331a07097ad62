import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject } from "node:crypto";
import { usageError } from "../errors.js";
import {
  BUNDLE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  pae,
  type ModelSigningStatement,
  type SigstoreBundleJson,
} from "./model-signing-format.js";

/** The curves model_signing accepts, with the hash it pairs with each (`get_ec_key_hash`). */
const EC_HASH: Record<string, string> = { prime256v1: "sha256", secp384r1: "sha384", secp521r1: "sha512" };

/** The digest that identifies a public key in the bundle: SHA-256 of its SPKI PEM, as model_signing computes it. */
export function publicKeyHint(key: KeyObject): string {
  return createHash("sha256")
    .update(key.export({ type: "spki", format: "pem" }))
    .digest("hex");
}

/** The hash algorithm to sign or verify with, or null for Ed25519 (which hashes internally). */
export function signatureHashFor(key: KeyObject, what: string): string | null {
  if (key.asymmetricKeyType === "ed25519") return null;
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? "";
    const hash = EC_HASH[curve];
    if (hash) return hash;
    throw usageError(
      "SIGNING_KEY_UNSUPPORTED",
      `${what} uses the curve ${curve}, which model signing does not support`,
      {
        hint: "use an ECDSA key on P-256, P-384 or P-521 (openssl ecparam -name prime256v1 -genkey -noout -out key.pem) or an Ed25519 key",
      },
    );
  }
  throw usageError(
    "SIGNING_KEY_UNSUPPORTED",
    `${what} is a ${key.asymmetricKeyType} key; model signing needs ECDSA (P-256/384/521) or Ed25519`,
    {
      hint: "generate one with: openssl ecparam -name prime256v1 -genkey -noout -out signing-key.pem",
    },
  );
}

/**
 * Reads a PEM private key (PKCS#8 or SEC1, optionally encrypted) and checks that model signing
 * supports it, so a build fails before staging rather than after.
 *
 * @throws ReleaseError SIGNING_KEY_INVALID / SIGNING_KEY_UNSUPPORTED (usage).
 */
export function parseSigningKey(params: { privateKeyPem: string | Buffer; passphrase?: string }): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: params.privateKeyPem,
      ...(params.passphrase !== undefined ? { passphrase: params.passphrase } : {}),
    });
  } catch (cause) {
    throw usageError(
      "SIGNING_KEY_INVALID",
      "the signing key is not a readable PEM private key (or its passphrase is wrong)",
      {
        hint: "pass a PEM file with --signing-key (PKCS#8 or SEC1), and its passphrase in MODEL_RELEASE_SIGNING_KEY_PASSPHRASE if it has one",
        cause,
      },
    );
  }
  signatureHashFor(key, "the signing key");
  return key;
}

/**
 * Signs a statement with a private key, fully offline, and returns the Sigstore bundle that
 * `model_signing verify key` accepts (for EC keys; Ed25519 bundles are verified by this tool).
 *
 * @throws ReleaseError SIGNING_KEY_INVALID / SIGNING_KEY_UNSUPPORTED (usage).
 */
export function signModelWithKey(params: {
  statement: ModelSigningStatement;
  privateKeyPem: string | Buffer;
  passphrase?: string;
}): SigstoreBundleJson {
  const key = parseSigningKey(params);
  const payload = Buffer.from(JSON.stringify(params.statement, null, 2), "utf8");
  const signature = cryptoSign(signatureHashFor(key, "the signing key"), pae(IN_TOTO_PAYLOAD_TYPE, payload), key);
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: publicKeyHint(createPublicKey(key)) }, tlogEntries: [] },
    dsseEnvelope: {
      payload: payload.toString("base64"),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: signature.toString("base64"), keyid: "" }],
    },
  };
}

/**
 * Keyless signing through Sigstore (Fulcio certificate from an OIDC token, Rekor transparency
 * log), as in GitHub Actions with `permissions: id-token: write`. Needs network access to the
 * Sigstore services; the returned bundle is the same format with a certificate instead of a key hint.
 */
export async function signModelKeyless(params: {
  statement: ModelSigningStatement;
  identityToken?: string;
}): Promise<SigstoreBundleJson> {
  const { attest } = await import("sigstore");
  const payload = Buffer.from(JSON.stringify(params.statement, null, 2), "utf8");
  const bundle = await attest(
    payload,
    IN_TOTO_PAYLOAD_TYPE,
    params.identityToken ? { identityToken: params.identityToken } : {},
  );
  return bundle as unknown as SigstoreBundleJson;
}
