import type { Manifest } from "./types.js";

/** Serialises a manifest deterministically: fixed key order, sorted files, trailing newline. */
export function renderManifest(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
