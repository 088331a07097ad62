import { createHash } from "node:crypto";

/**
 * The OpenSSF model signing format (sigstore/model-transparency, predicate v1.0): an in-toto
 * Statement v1 whose predicate lists every file with its SHA-256, wrapped in a DSSE envelope
 * inside a Sigstore bundle (`model.sig`). Pure data and encoding; no I/O.
 *
 * Compatibility notes (model_signing 1.x, `src/model_signing/_signing/signing.py`):
 * - resources are sorted by name; the subject's digest is SHA-256 over the concatenated raw
 *   digest bytes in that order, and verifiers recompute it;
 * - `ignore_paths` recorded in the serialization are honoured by the verifier, so internal
 *   folders listed there do not make a pulled copy fail.
 */

export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const IN_TOTO_STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const MODEL_SIGNING_PREDICATE_TYPE = "https://model_signing/signature/v1.0";
export const SIGNATURE_FILE = "model.sig";
/** The public key published beside a key-signed release (not covered by the signature it checks). */
export const PUBLIC_KEY_FILE = "model.pub";

/** What model_signing ignores by default, plus this tool's own state folder. */
export const DEFAULT_IGNORE_PATHS = [
  SIGNATURE_FILE,
  ".git",
  ".gitattributes",
  ".github",
  ".gitignore",
  ".model-release",
  ".cache",
];

export interface ResourceDescriptor {
  name: string;
  algorithm: "sha256";
  digest: string;
}

export interface ModelSigningStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: [{ name: string; digest: { sha256: string } }];
  predicateType: typeof MODEL_SIGNING_PREDICATE_TYPE;
  predicate: {
    serialization: { method: "files"; hash_type: "sha256"; allow_symlinks: boolean; ignore_paths: string[] };
    resources: ResourceDescriptor[];
  };
}

/** A Sigstore bundle as JSON (the fields this tool writes and reads). */
export interface SigstoreBundleJson {
  mediaType: string;
  verificationMaterial: {
    publicKey?: { hint?: string | null };
    x509CertificateChain?: unknown;
    certificate?: unknown;
    tlogEntries?: unknown[];
    timestampVerificationData?: unknown;
  };
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
}

/** SHA-256 over the raw bytes of the digests, in sorted resource order. */
export function computeRootDigest(resources: ResourceDescriptor[]): string {
  const h = createHash("sha256");
  for (const r of resources) h.update(Buffer.from(r.digest, "hex"));
  return h.digest("hex");
}

/** Builds the statement for a set of files. Pure; `files` may come in any order. */
export function planModelSigningStatement(params: {
  modelName: string;
  files: { path: string; sha256: string }[];
  ignorePaths?: string[];
}): ModelSigningStatement {
  const resources = params.files
    .map((f) => ({ name: f.path, algorithm: "sha256" as const, digest: f.sha256 }))
    // Python sorts str by code point; so does a plain comparison of JS strings for the BMP.
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: params.modelName, digest: { sha256: computeRootDigest(resources) } }],
    predicateType: MODEL_SIGNING_PREDICATE_TYPE,
    predicate: {
      serialization: {
        method: "files",
        hash_type: "sha256",
        allow_symlinks: false,
        ignore_paths: params.ignorePaths ?? DEFAULT_IGNORE_PATHS,
      },
      resources,
    },
  };
}

/** DSSE v1 pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const head = Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `, "utf8");
  return Buffer.concat([head, payload]);
}
