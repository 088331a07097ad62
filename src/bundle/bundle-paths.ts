import { inputError } from "../errors.js";

export const MANIFEST_FILE = "manifest.json";
export const SUMS_FILE = "SHA256SUMS";
/** Private staging state (source references, never published). */
export const PRIVATE_DIR = ".model-release";
export const SOURCES_FILE = `${PRIVATE_DIR}/sources.json`;

/**
 * Paths in a bundle dir that are not release content: the bundle's own checksum files, the
 * signature and its public key (added after the manifest), private state, and what git and the Hub client leave in
 * a downloaded copy. `verify` does not call these extra files.
 */
export const NON_CONTENT_PATHS = [
  MANIFEST_FILE,
  SUMS_FILE,
  "model.sig",
  "model.pub",
  PRIVATE_DIR,
  ".git",
  ".gitattributes",
  ".cache",
];

export function isNonContentPath(p: string): boolean {
  return NON_CONTENT_PATHS.some((n) => p === n || p.startsWith(`${n}/`));
}

/**
 * Asserts a bundle-relative path is safe to write and to list in SHA256SUMS: relative POSIX,
 * no `.`/`..` or empty segments, no backslash or control characters (sha256sum would escape
 * them and `-c` would then read a different name), and not one of the bundle's own files.
 *
 * @throws ReleaseError `BUNDLE_BAD_PATH` (input).
 */
export function assertBundlePath(p: string, where: string): void {
  const bad =
    p.length === 0 ||
    p.length > 1024 ||
    p.startsWith("/") ||
    /[\\\u0000-\u001f\u007f]/.test(p) ||
    p.split("/").some((s) => s === "" || s === "." || s === "..") ||
    isNonContentPath(p);
  if (bad) {
    throw inputError("BUNDLE_BAD_PATH", `${where}: ${JSON.stringify(p)} is not a valid bundle path`, {
      hint: "bundle paths are relative POSIX paths without '..', backslashes or control characters, and may not be manifest.json, SHA256SUMS, model.sig or under .model-release/",
      location: { file: p },
    });
  }
}
