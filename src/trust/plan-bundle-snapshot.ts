import { parse as parseYaml } from "yaml";
import type { Inventory } from "../checkpoint/types.js";
import type { Manifest } from "../bundle/types.js";
import type { BundleSnapshot } from "./plan-release-diff.js";

/** One comparable evaluation number; `metric` carries the filter and slice so keys stay unique. */
export type SnapshotEval = NonNullable<BundleSnapshot["evals"]>[number];

/** `metric[ (filter)][@slice]`: what planReleaseDiff keys on beside the benchmark. Pure. */
export function evalMetricLabel(row: { metric: string; filter?: string; slice?: string }): string {
  return `${row.metric}${row.filter ? ` (${row.filter})` : ""}${row.slice ? `@${row.slice}` : ""}`;
}

/**
 * Reads the release's evaluation numbers from `eval-results.json`
 * (`model-release/eval-results@1`: `comparison[]` rows with `benchmark`, `metric`, `value`).
 * Returns undefined for anything else, so an old or foreign bundle still diffs. Pure.
 */
export function parseEvalResultsSnapshot(text: string): SnapshotEval[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const rows = (doc as { schema?: unknown; comparison?: unknown })?.comparison;
  if ((doc as { schema?: unknown }).schema !== "model-release/eval-results@1" || !Array.isArray(rows)) return undefined;
  const out: SnapshotEval[] = [];
  for (const r of rows as Record<string, unknown>[]) {
    if (typeof r?.benchmark !== "string" || typeof r.metric !== "string" || typeof r.value !== "number") continue;
    out.push({
      benchmark: r.benchmark,
      metric: evalMetricLabel({
        metric: r.metric,
        ...(typeof r.filter === "string" ? { filter: r.filter } : {}),
        ...(typeof r.slice === "string" ? { slice: r.slice } : {}),
      }),
      value: r.value,
      ...(r.scale === "fraction" || r.scale === "raw" ? { scale: r.scale } : {}),
    });
  }
  return out;
}

/** Splits a model card into its YAML front matter (as data) and the Markdown body. Pure; bad YAML gives empty metadata. */
export function parseCardFrontMatter(markdown: string): { metadata: Record<string, unknown>; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(markdown);
  if (!m) return { metadata: {}, body: markdown };
  let metadata: Record<string, unknown> = {};
  try {
    const parsed: unknown = parseYaml(m[1] ?? "");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  } catch {
    metadata = {};
  }
  return { metadata, body: markdown.slice(m[0].length) };
}

/** A snapshot of a release from its manifest, weights inventory, eval-results.json and card. Pure. */
export function planBundleSnapshot(params: {
  manifest: Pick<Manifest, "version" | "files">;
  inventory?: Pick<Inventory, "parameters" | "dtypes">;
  evalResultsJson?: string;
  card?: string;
}): BundleSnapshot {
  const evals = params.evalResultsJson !== undefined ? parseEvalResultsSnapshot(params.evalResultsJson) : undefined;
  return {
    version: params.manifest.version,
    // The review page changes with every build and describes the diff itself: not a change to list.
    manifest: { files: params.manifest.files.filter((f) => f.path !== "report.html") },
    ...(params.inventory && params.inventory.parameters > 0
      ? {
          parameters: params.inventory.parameters,
          dtypes: Object.fromEntries(
            Object.entries(params.inventory.dtypes).map(([d, s]) => [d, { parameters: s.parameters }]),
          ),
        }
      : {}),
    ...(evals ? { evals } : {}),
    ...(params.card !== undefined ? { card: params.card } : {}),
  };
}
