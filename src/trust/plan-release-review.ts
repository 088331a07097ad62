import type { Inventory } from "../checkpoint/types.js";
import type { BundleInput, Manifest } from "../bundle/types.js";
import type { BuildReport } from "../sanitize/render-build-report.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { renderSafeText } from "../sanitize/render-safe-text.js";
import { parseCardFrontMatter } from "./plan-bundle-snapshot.js";
import type { ReleaseDiff } from "./plan-release-diff.js";
import type { ReleaseReview } from "./render-review-page.js";

/** Where the review page goes in the bundle. */
export const REVIEW_PAGE_FILE = "report.html";

const contentText = (input: BundleInput | undefined): string | undefined =>
  input?.source.kind === "content"
    ? typeof input.source.content === "string"
      ? input.source.content
      : Buffer.from(input.source.content).toString("utf8")
    : undefined;

/**
 * Assembles the review page's data from a build: the staged manifest, the checkpoint inventory,
 * the public build report (kept, dropped and rewritten files and every finding, already
 * redacted: the page is published, so it shows only what report.json shows), the generated card
 * and evaluation chart among the inputs, and the diff against the previous release. Pure.
 */
export function planReleaseReview(params: {
  manifest: Manifest;
  inventory: Inventory;
  report: Pick<BuildReport, "kept" | "rewritten" | "dropped" | "findings">;
  inputs: BundleInput[];
  diff?: ReleaseDiff;
  signing?: ReleaseReview["signing"];
  /** The config's project patterns: every name on the page is redacted of them and of every rule. */
  patterns?: SecretPattern[];
}): ReleaseReview {
  const { inventory, report } = params;
  // The page is published: names from the checkpoint (file paths, origins, shards, the
  // architecture) go through renderSafeText like the report's; the report's are already safe.
  const safe = (s: string) => renderSafeText(s, { patterns: params.patterns ?? [] });
  const manifest = {
    ...params.manifest,
    files: params.manifest.files.map((f) => ({ ...f, path: safe(f.path), origin: safe(f.origin) })),
    overrides: params.manifest.overrides.map((o) => ({ path: safe(o.path), reason: safe(o.reason) })),
  };
  const diff = params.diff && {
    ...params.diff,
    files: {
      ...params.diff.files,
      added: params.diff.files.added.map((f) => ({ ...f, path: safe(f.path) })),
      removed: params.diff.files.removed.map((f) => ({ ...f, path: safe(f.path) })),
      changed: params.diff.files.changed.map((f) => ({ ...f, path: safe(f.path) })),
    },
  };
  const card = contentText(params.inputs.find((i) => i.path === "README.md" && i.role === "card"));
  const chartInput = params.inputs.find((i) => i.role === "chart" && i.path.endsWith(".svg"));
  const chart = contentText(chartInput);
  const parsedCard = card !== undefined ? parseCardFrontMatter(card) : undefined;
  return {
    name: manifest.name,
    version: manifest.version,
    tag: manifest.tag,
    manifest,
    inventory: {
      layout: inventory.layout,
      ...(inventory.architecture ? { architecture: safe(inventory.architecture) } : {}),
      parameters: inventory.parameters,
      tensors: inventory.tensors,
      totalBytes: inventory.totalBytes,
      dtypes: Object.fromEntries(Object.entries(inventory.dtypes).map(([k, v]) => [safe(k), v])),
      shards: inventory.shards.map(safe),
    },
    kept: report.kept.map((k) => ({
      path: k.path,
      role: k.role,
      ...(k.overrideReason ? { reason: k.overrideReason } : {}),
    })),
    dropped: report.dropped,
    rewrites: report.rewritten.map((r) => ({ path: r.path, reason: r.reason, diff: r.diff })),
    // Excerpts stay out of the published page whatever the report holds.
    findings: report.findings.map(({ excerpt: _excerpt, ...f }) => f),
    ...(parsedCard
      ? {
          card: {
            markdown: parsedCard.body,
            metadata: parsedCard.metadata,
            ...(chartInput && chart !== undefined
              ? {
                  images: {
                    [chartInput.path]: `data:image/svg+xml;base64,${Buffer.from(chart, "utf8").toString("base64")}`,
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(chart !== undefined ? { evalChartSvg: chart } : {}),
    ...(diff ? { diff } : {}),
    ...(params.signing ? { signing: params.signing } : {}),
  };
}
