import { createPublicKey } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { PRIVATE_DIR } from "../bundle/bundle-paths.js";
import { renderReleaseDiffMarkdown } from "./render-release-diff.js";
import type { BuildPlan } from "../bundle/build-plan.js";
import type { BundleInput, Manifest } from "../bundle/types.js";
import { renderBuildReport, type BuildReport } from "../sanitize/render-build-report.js";
import { renderSafeText } from "../sanitize/render-safe-text.js";
import { applyReviewPage } from "./apply-review-page.js";
import { applySignature, type ApplySignatureResult, type SigningMethod } from "./apply-signature.js";
import { planBundleSnapshot } from "./plan-bundle-snapshot.js";
import { planReleaseDiff, type BundleSnapshot, type ReleaseDiff } from "./plan-release-diff.js";
import { planReleaseReview } from "./plan-release-review.js";
import { parseSigningKey, publicKeyHint } from "./sign-model.js";

/** The build options this stage owns (BuildReleaseParams extends them). */
export interface ReleaseTrustParams {
  /** Write `report.html` (the release review page) into the bundle and the manifest (default true). */
  reviewPage?: boolean;
  /** The previous release (`readBundleSnapshot`), for the review page's changes section. */
  previous?: BundleSnapshot;
  /** Sign the bundle (`model.sig`, and `model.pub` for a key); without it the bundle is unsigned. */
  signing?: SigningMethod;
}

export interface ReleaseTrustResult {
  /** The final manifest (with report.html when written). */
  manifest: Manifest;
  /** Absolute path of report.html, when written. */
  reviewPage?: string;
  /** What changed since `previous`, when given. */
  diff?: ReleaseDiff;
  signature?: ApplySignatureResult;
}

/** Picks this stage's options out of a larger params object. Pure. */
export function pickTrustParams(p: ReleaseTrustParams): ReleaseTrustParams {
  return {
    reviewPage: p.reviewPage,
    previous: p.previous,
    signing: p.signing,
  };
}

const contentText = (i: BundleInput | undefined) =>
  i?.source.kind === "content" ? Buffer.from(i.source.content).toString("utf8") : undefined;

/**
 * The build's last steps, after staging: the diff against the previous release, the review page
 * (`report.html`, added to manifest.json and SHA256SUMS since it is published), then the
 * signature, which comes last so it covers the page and the final manifest.json and SHA256SUMS.
 */
export async function applyReleaseTrust(
  params: ReleaseTrustParams & {
    bundleDir: string;
    manifest: Manifest;
    plan: Pick<BuildPlan, "inventory" | "sanitize" | "inputs" | "docsFindings" | "config">;
  },
): Promise<ReleaseTrustResult> {
  const { plan } = params;
  let manifest = params.manifest;
  const card = contentText(plan.inputs.find((i) => i.path === "README.md"));
  const evalResultsJson = contentText(plan.inputs.find((i) => i.path === "eval-results.json"));
  const diff = params.previous
    ? planReleaseDiff(
        params.previous,
        planBundleSnapshot({
          manifest,
          inventory: plan.inventory,
          evalResultsJson,
          card,
        }),
      )
    : undefined;
  // For the release notes (publish reads it): private state, not published, gone on the next build.
  if (diff) await mkdir(path.join(params.bundleDir, PRIVATE_DIR), { recursive: true });
  // The GitHub release notes quote it: names made safe like every published string.
  if (diff)
    await writeFile(
      path.join(params.bundleDir, PRIVATE_DIR, "changes.md"),
      renderSafeText(renderReleaseDiffMarkdown(diff), {
        patterns: plan.config.config.sanitize.patterns,
        multiline: "document",
      }),
    );
  let reviewPage: string | undefined;
  if (params.reviewPage !== false) {
    const signing =
      params.signing?.kind === "key"
        ? { method: "key" as const, keyHint: publicKeyHint(createPublicKey(parseSigningKey(params.signing))) }
        : params.signing
          ? { method: "keyless" as const }
          : undefined;
    // The public build report (report.json) is redacted; the page shows the same, never the raw plan.
    const reportJson = contentText(plan.inputs.find((i) => i.path === "report.json" && i.role === "report"));
    const report =
      reportJson !== undefined
        ? (JSON.parse(reportJson) as BuildReport)
        : renderBuildReport(plan.sanitize, {
            findings: plan.docsFindings,
            patterns: plan.config.config.sanitize.patterns,
          }).report;
    const review = planReleaseReview({
      manifest,
      inventory: plan.inventory,
      report,
      inputs: plan.inputs,
      diff,
      signing,
      patterns: plan.config.config.sanitize.patterns,
    });
    const written = await applyReviewPage({ bundleDir: params.bundleDir, review, manifest });
    manifest = written.manifest;
    reviewPage = written.path;
  }
  const signature = params.signing
    ? await applySignature({ bundleDir: params.bundleDir, manifest, signing: params.signing })
    : undefined;
  return {
    manifest,
    ...(reviewPage ? { reviewPage } : {}),
    ...(diff ? { diff } : {}),
    ...(signature ? { signature } : {}),
  };
}
