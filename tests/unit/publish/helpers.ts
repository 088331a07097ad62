import type { Manifest } from "../../../src/bundle/types.js";
import type { ReleaseBundle } from "../../../src/publish/types.js";

/** A bundle description without files on disk, for the pure planners. */
export function fakeBundle(
  files: { path: string; size: number; sha256: string; role?: Manifest["files"][number]["role"]; gitOid?: string }[],
  digest = "d".repeat(64),
): ReleaseBundle {
  const manifest: Manifest = {
    schema: "model-release/manifest@1",
    name: "robot-coder",
    version: "1.2.0",
    tag: "v1.2.0",
    hub: { repo: "acme/robot-coder", repoType: "model" },
    files: files
      .filter((f) => !["manifest.json", "SHA256SUMS"].includes(f.path))
      .map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, role: f.role ?? "other", origin: "test" })),
    overrides: [],
    contentDigest: digest,
  };
  return {
    dir: "/nonexistent",
    manifest,
    files: files.map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      absPath: `/nonexistent/${f.path}`,
      ...(f.gitOid ? { gitOid: f.gitOid } : {}),
    })),
  };
}
