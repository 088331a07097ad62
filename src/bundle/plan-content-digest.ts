import { createHash } from "node:crypto";
import { renderSha256Sums } from "./render-sha256-sums.js";

/** sha256 over the sorted `sha256  path` lines of the content files: equal content, equal digest. */
export function planContentDigest(files: { path: string; sha256: string }[]): string {
  return createHash("sha256").update(renderSha256Sums(files)).digest("hex");
}
