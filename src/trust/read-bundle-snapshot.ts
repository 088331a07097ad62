import { readFile } from "node:fs/promises";
import path from "node:path";
import { inspectCheckpoint } from "../checkpoint/inspect-checkpoint.js";
import type { Inventory } from "../checkpoint/types.js";
import { readManifest } from "../bundle/verify-bundle.js";
import type { BundleSnapshot } from "./plan-release-diff.js";
import { planBundleSnapshot } from "./plan-bundle-snapshot.js";

/**
 * Reads what `diff` compares from a bundle folder (built, or downloaded with pull):
 * `manifest.json`, the weights' headers (parameters per dtype; no tensor is read),
 * `eval-results.json` and the model card `README.md`, each when present.
 *
 * @throws ReleaseError `MANIFEST_MISSING` (verify) / `MANIFEST_INVALID` (input) from readManifest.
 */
export async function readBundleSnapshot(params: { dir: string; signal?: AbortSignal }): Promise<BundleSnapshot> {
  const dir = path.resolve(params.dir);
  const manifest = await readManifest(dir);
  const listed = new Set(manifest.files.map((f) => f.path));
  const text = async (p: string) =>
    listed.has(p) ? readFile(path.join(dir, p), "utf8").catch(() => undefined) : undefined;
  let inventory: Inventory | undefined;
  try {
    inventory = await inspectCheckpoint({ dir, signal: params.signal });
  } catch {
    // A bundle whose weights cannot be inspected (e.g. only pickles) still diffs by files.
    inventory = undefined;
  }
  const [evalResultsJson, card] = await Promise.all([text("eval-results.json"), text("README.md")]);
  return planBundleSnapshot({
    manifest,
    inventory,
    evalResultsJson,
    card,
  });
}
