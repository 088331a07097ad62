import { createHash } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { applyManifestFiles } from "../bundle/apply-manifest-files.js";
import { planManifest } from "../bundle/plan-manifest.js";
import type { Manifest } from "../bundle/types.js";
import { REVIEW_PAGE_FILE } from "./plan-release-review.js";
import { renderReviewPage, type ReleaseReview } from "./render-review-page.js";

/**
 * Adds the review page to a staged bundle: renders `report.html` from the review (whose manifest
 * is the one staging wrote, so the page lists every other file with its digest), writes it, and
 * rewrites manifest.json and SHA256SUMS to include it, since it is published with the release.
 * Runs before signing: the signature then covers the page and the final manifest.
 *
 * The page cannot list its own digest; its content digest row is the digest of the files it
 * lists, and manifest.json's final contentDigest covers the page too.
 */
export async function applyReviewPage(params: {
  bundleDir: string;
  review: ReleaseReview;
  manifest: Manifest;
}): Promise<{ manifest: Manifest; path: string; sha256: string; size: number }> {
  const dir = path.resolve(params.bundleDir);
  const html = renderReviewPage(params.review);
  const bytes = Buffer.from(html, "utf8");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const dest = path.join(dir, REVIEW_PAGE_FILE);
  // Never write through a link a previous build left here.
  await rm(dest, { force: true });
  await writeFile(dest, bytes, { flag: "wx" });
  const m = params.manifest;
  const manifest = planManifest(
    {
      name: m.name,
      version: m.version,
      tag: m.tag,
      hub: m.hub,
      ...(m.github ? { github: m.github } : {}),
      overrides: m.overrides,
    },
    [
      ...m.files.filter((f) => f.path !== REVIEW_PAGE_FILE),
      { path: REVIEW_PAGE_FILE, size: bytes.length, sha256, role: "report", origin: "generated:review-page" },
    ],
  );
  await applyManifestFiles(dir, manifest);
  return { manifest, path: dest, sha256, size: bytes.length };
}
