import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { MANIFEST_FILE, SUMS_FILE } from "./bundle-paths.js";
import { renderManifest } from "./render-manifest.js";
import { renderSha256Sums } from "./render-sha256-sums.js";
import type { Manifest } from "./types.js";

/**
 * Writes `manifest.json` and the `SHA256SUMS` that covers every listed file and the manifest
 * itself. Used by staging and by steps that add a published file afterwards (the review page).
 */
export async function applyManifestFiles(dir: string, manifest: Manifest): Promise<void> {
  const manifestText = renderManifest(manifest);
  await writeFile(path.join(dir, MANIFEST_FILE), manifestText);
  const manifestDigest = createHash("sha256").update(manifestText).digest("hex");
  await writeFile(
    path.join(dir, SUMS_FILE),
    renderSha256Sums([...manifest.files, { path: MANIFEST_FILE, sha256: manifestDigest }]),
  );
}
