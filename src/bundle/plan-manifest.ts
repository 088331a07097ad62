import { omitUndefined } from "../omit-undefined.js";
import { planContentDigest } from "./plan-content-digest.js";
import type { Manifest, ManifestFile } from "./types.js";

/** The release facts the manifest records beside the files. */
export interface BundleRelease {
  name: string;
  version: string;
  tag: string;
  hub: Manifest["hub"];
  github?: Manifest["github"];
  overrides?: Manifest["overrides"];
}

/** Builds the manifest from staged files. Pure and deterministic. */
export function planManifest(release: BundleRelease, files: ManifestFile[]): Manifest {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // manifest.json is hashed and diffed: no `"github": undefined` member may reach it.
  return omitUndefined({
    schema: "model-release/manifest@1",
    name: release.name,
    version: release.version,
    tag: release.tag,
    hub: release.hub,
    github: release.github,
    files: sorted.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, role: f.role, origin: f.origin })),
    overrides: [...(release.overrides ?? [])].sort((a, b) => (a.path < b.path ? -1 : 1)),
    contentDigest: planContentDigest(sorted),
  });
}
