/**
 * One definition of each file count a release prints (CLI, demo, review page, card), so the
 * same release is never counted five ways. Pure.
 *
 * - in the manifest: every file `manifest.json` lists (weights, configs, card, examples, reports;
 *   `report.html` included). `build`, `verify` and `pull` count these.
 * - signed: the manifest's files plus `manifest.json` and `SHA256SUMS` themselves (what
 *   `model.sig` covers).
 * - from the checkpoint: the checkpoint files the sanitizer kept, rewrote or converted (the
 *   model card's sanitizer line).
 */
export const SIGNED_BESIDES_MANIFEST = ["manifest.json", "SHA256SUMS"] as const;

export function countReleaseFiles(manifestFiles: number): { manifest: number; signed: number } {
  return { manifest: manifestFiles, signed: manifestFiles + SIGNED_BESIDES_MANIFEST.length };
}

const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;

/** `22 files in the manifest`. */
export function labelManifestFiles(n: number): string {
  return `${files(n)} in the manifest`;
}

/** `24 files signed (the manifest's 22, manifest.json and SHA256SUMS)`, from the signed count. */
export function labelSignedFiles(signed: number): string {
  const listed = signed - SIGNED_BESIDES_MANIFEST.length;
  return `${files(signed)} signed (the manifest's ${listed}, ${SIGNED_BESIDES_MANIFEST.join(" and ")})`;
}

/** `7 files from the checkpoint`. */
export function labelCheckpointFiles(n: number): string {
  return `${files(n)} from the checkpoint`;
}
