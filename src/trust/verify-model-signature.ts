import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import { inputError, usageError, verifyError } from "../errors.js";
import {
  BUNDLE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  MODEL_SIGNING_PREDICATE_TYPE,
  SIGNATURE_FILE,
  computeRootDigest,
  pae,
  type ModelSigningStatement,
  type SigstoreBundleJson,
} from "./model-signing-format.js";
import { publicKeyHint, signatureHashFor } from "./sign-model.js";

/** Who is trusted to have signed: a public key, or a Sigstore identity (workflow ref + OIDC issuer). */
export type TrustPolicy =
  | { kind: "key"; publicKeyPem: string | Buffer }
  | { kind: "identity"; identity: string; issuer: string };

export interface SignatureVerification {
  /** The statement's subject name and root digest. */
  subject: { name: string; sha256: string };
  signer: { kind: "key"; keyHint: string } | { kind: "identity"; identity: string; issuer: string };
  /** Files the signature lists. */
  signedFiles: number;
  missing: string[];
  extra: string[];
  changed: { path: string; expected: string; actual: string }[];
  ok: boolean;
}

/** Streams a file through SHA-256 (never loads it). */
export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Parses `model.sig` text into a bundle, checking only its shape. Pure. */
export function parseSigstoreBundle(text: string, file = SIGNATURE_FILE): SigstoreBundleJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw inputError("SIGNATURE_MALFORMED", `${file} is not JSON: ${(cause as Error).message}`, {
      location: { file },
      hint: "the signature file is damaged; download it again from the release",
      cause,
    });
  }
  const b = json as Partial<SigstoreBundleJson>;
  if (
    b?.mediaType !== BUNDLE_MEDIA_TYPE ||
    !b.dsseEnvelope?.payload ||
    !Array.isArray(b.dsseEnvelope.signatures) ||
    !b.verificationMaterial
  ) {
    throw inputError(
      "SIGNATURE_MALFORMED",
      `${file} is not a Sigstore bundle v0.3 with a DSSE envelope (mediaType ${JSON.stringify(b?.mediaType)})`,
      {
        location: { file, field: "mediaType" },
        hint: "model signatures use the OpenSSF model signing format (sigstore/model-transparency)",
      },
    );
  }
  return b as SigstoreBundleJson;
}

/** Decodes and checks the statement inside a verified envelope: types and the root digest. Pure. */
export function parseModelSigningStatement(payload: Buffer, file = SIGNATURE_FILE): ModelSigningStatement {
  let s: ModelSigningStatement;
  try {
    s = JSON.parse(payload.toString("utf8")) as ModelSigningStatement;
  } catch (cause) {
    throw inputError("SIGNATURE_MALFORMED", `${file}: the signed payload is not JSON`, {
      location: { file, field: "dsseEnvelope.payload" },
      cause,
    });
  }
  if (s._type !== IN_TOTO_STATEMENT_TYPE || s.predicateType !== MODEL_SIGNING_PREDICATE_TYPE) {
    throw inputError(
      "SIGNATURE_UNSUPPORTED",
      `${file}: expected an in-toto v1 statement with predicate ${MODEL_SIGNING_PREDICATE_TYPE}, got ${s._type} / ${s.predicateType}`,
      {
        location: { file, field: "predicateType" },
        hint: "sign again with this version of model-release or model_signing 1.x",
      },
    );
  }
  const resources = s.predicate?.resources ?? [];
  const expected = s.subject?.[0]?.digest?.sha256;
  const actual = computeRootDigest(resources);
  if (s.subject?.length !== 1 || expected !== actual) {
    throw verifyError(
      "SIGNATURE_INCONSISTENT",
      `${file}: the statement's root digest ${expected} does not match its resources (${actual})`,
      {
        location: { file, field: "subject.0.digest.sha256" },
        hint: "the signature was tampered with or produced by a broken signer; do not trust this copy",
      },
    );
  }
  if (s.predicate.serialization?.method !== "files" || s.predicate.serialization.hash_type !== "sha256") {
    throw inputError("SIGNATURE_UNSUPPORTED", `${file}: only the 'files' serialization with sha256 is supported`, {
      location: { file, field: "predicate.serialization" },
    });
  }
  return s;
}

async function checkEnvelope(
  bundle: SigstoreBundleJson,
  trust: TrustPolicy,
  file: string,
): Promise<SignatureVerification["signer"]> {
  const envelope = bundle.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw inputError(
      "SIGNATURE_UNSUPPORTED",
      `${file}: payload type ${envelope.payloadType}, expected ${IN_TOTO_PAYLOAD_TYPE}`,
      { location: { file } },
    );
  }
  const payload = Buffer.from(envelope.payload, "base64");
  if (trust.kind === "identity") {
    const { verify } = await import("sigstore");
    try {
      await verify(bundle as never, { certificateIdentityURI: trust.identity, certificateIssuer: trust.issuer });
    } catch (cause) {
      throw verifyError(
        "SIGNATURE_INVALID",
        `${file}: the Sigstore signature does not verify for identity ${trust.identity} and issuer ${trust.issuer}: ${(cause as Error).message}`,
        {
          location: { file },
          hint: "check --identity (the workflow ref, e.g. https://github.com/ORG/REPO/.github/workflows/release.yml@refs/tags/v1.2.0) and --issuer (https://token.actions.githubusercontent.com); Sigstore verification needs network access to its trust root",
          cause,
        },
      );
    }
    return { kind: "identity", identity: trust.identity, issuer: trust.issuer };
  }
  let key: KeyObject;
  try {
    key = createPublicKey(trust.publicKeyPem);
  } catch (cause) {
    throw usageError("PUBLIC_KEY_INVALID", "the public key is not a readable PEM public key", {
      hint: "pass the release's public key file with --key",
      cause,
    });
  }
  const hint = publicKeyHint(key);
  const recorded = bundle.verificationMaterial.publicKey?.hint;
  if (recorded && recorded !== hint) {
    throw verifyError(
      "SIGNATURE_KEY_MISMATCH",
      `${file} was signed by another key (hint ${recorded}, the given key is ${hint})`,
      {
        location: { file, field: "verificationMaterial.publicKey.hint" },
        hint: "use the public key published with this release",
      },
    );
  }
  const sig = Buffer.from(envelope.signatures[0]?.sig ?? "", "base64");
  const good = cryptoVerify(signatureHashFor(key, "the public key"), pae(IN_TOTO_PAYLOAD_TYPE, payload), key, sig);
  if (!good) {
    throw verifyError("SIGNATURE_INVALID", `${file}: the signature does not verify with the given public key`, {
      location: { file, field: "dsseEnvelope.signatures.0.sig" },
      hint: "the signed statement was changed after signing, or the key is not the release's key",
    });
  }
  return { kind: "key", keyHint: hint };
}

async function listFiles(dir: string, ignore: string[]): Promise<string[]> {
  const ignored = (rel: string) => ignore.some((p) => rel === p || rel.startsWith(`${p.replace(/\/+$/, "")}/`));
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (ignored(child)) continue;
      if (entry.isDirectory()) await walk(child);
      else out.push(child);
    }
  }
  await walk("");
  return out.sort();
}

/**
 * Verifies a model folder against its OpenSSF model signature: the envelope's signature under
 * the trust policy, the statement's consistency, then every file's SHA-256. Files in the folder
 * that the signature does not list are reported as extra (except the ignored paths it records).
 *
 * @throws ReleaseError for a malformed, untrusted or inconsistent signature; file differences are
 * returned, not thrown, so the caller can name every one.
 */
export async function verifyModelSignature(params: {
  dir: string;
  signaturePath?: string;
  trust: TrustPolicy;
  hashFile?: (absPath: string) => Promise<string>;
}): Promise<SignatureVerification> {
  const sigPath = params.signaturePath ?? path.join(params.dir, SIGNATURE_FILE);
  // Named relative to the folder being verified, as the other verify messages name files.
  const label = path.relative(params.dir, sigPath).startsWith("..")
    ? sigPath
    : path.relative(params.dir, sigPath) || sigPath;
  let text: string;
  try {
    text = await readFile(sigPath, "utf8");
  } catch (cause) {
    throw verifyError("SIGNATURE_MISSING", `no signature at ${label}`, {
      location: { file: label },
      hint: "releases carry model.sig beside manifest.json; pass --signature if it is elsewhere",
      cause,
    });
  }
  const bundle = parseSigstoreBundle(text, label);
  const signer = await checkEnvelope(bundle, params.trust, label);
  const statement = parseModelSigningStatement(Buffer.from(bundle.dsseEnvelope.payload, "base64"), label);
  const hashFile = params.hashFile ?? sha256File;

  const expected = new Map(statement.predicate.resources.map((r) => [r.name, r.digest]));
  const present = await listFiles(params.dir, statement.predicate.serialization.ignore_paths ?? []);
  const missing: string[] = [];
  const changed: SignatureVerification["changed"] = [];
  const extra = present.filter((p) => !expected.has(p));
  for (const [name, digest] of expected) {
    const abs = path.join(params.dir, name);
    const st = await lstat(abs).catch(() => undefined);
    if (!st?.isFile()) {
      missing.push(name);
      continue;
    }
    const actual = await hashFile(abs);
    if (actual !== digest) changed.push({ path: name, expected: digest, actual });
  }
  return {
    subject: { name: statement.subject[0].name, sha256: statement.subject[0].digest.sha256 },
    signer,
    signedFiles: expected.size,
    missing,
    extra,
    changed,
    ok: missing.length === 0 && extra.length === 0 && changed.length === 0,
  };
}
