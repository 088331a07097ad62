import { generateKeyPairSync } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Reads a PEM private key file, creating it first (ECDSA P-256, PKCS#8, mode 0600) when it does
 * not exist. For the demo and first-time setup: a real project keeps its key in a secret store.
 * P-256 because it is the curve the reference `model_signing verify key` defaults to.
 */
export async function applySigningKeyFile(params: {
  file: string;
}): Promise<{ privateKeyPem: string; created: boolean }> {
  try {
    return { privateKeyPem: await readFile(params.file, "utf8"), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await mkdir(path.dirname(params.file), { recursive: true });
  // `wx`: two demos started at once must not overwrite each other's key.
  await writeFile(params.file, privateKeyPem, { mode: 0o600, flag: "wx" });
  return { privateKeyPem, created: true };
}
