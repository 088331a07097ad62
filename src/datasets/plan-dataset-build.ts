import { PIPELINE_TYPES } from "@huggingface/tasks";
import { usageError } from "../errors.js";
import { renderTag } from "../config/render-tag.js";
import { scanGeneratedDocs } from "../card/scan-generated-docs.js";
import type { BundleInput } from "../bundle/types.js";
import { checkCard } from "../card/check-card.js";
import type { Finding } from "../findings.js";
import type { DatasetConfig } from "./dataset-config-schema.js";
import { compileRedactionRules } from "./compile-redaction-rules.js";
import { createPseudonymizer } from "./create-pseudonymizer.js";
import type { SecretDetector } from "./create-dataset-detector.js";
import { measurePlantedRecall } from "./measure-planted-recall.js";
import { measureRedactionRecall } from "./measure-redaction-recall.js";
import { planDatasetRecord } from "./plan-dataset-record.js";
import type { DatasetSource, RejectedRecord } from "./read-dataset-source.js";
import type { RedactionHit } from "./redact-program.js";
import { rejectionReason } from "./render-rejection-reason.js";
import { globToRegExp, keyedUnitHash, pickSplit } from "./plan-dataset-sample.js";
import { renderSplitFile, type OutputRecord } from "./render-split-file.js";
import { planDatasetCardMetadata, renderDatasetCard } from "./render-dataset-card.js";
import { sortRecordKeys as sortKeys } from "./sort-record-keys.js";
import type { RedactionReport } from "./types.js";

export { renderSplitFile, type OutputRecord };
export type { RedactionReport };

export interface DatasetBuildPlan {
  name: string;
  version: string;
  tag: string;
  hub: { repo: string; repoType: "dataset"; private: boolean };
  splits: { name: string; path: string; records: OutputRecord[] }[];
  report: RedactionReport;
  card: string;
  cardMetadata: Record<string, unknown>;
  /** What the bundle stage writes: the split files, README.md and redaction-report.json. */
  inputs: BundleInput[];
  /** Card problems (placeholders, empty sections) from the card checker; blocking ones stop the build. */
  findings: Finding[];
}

export interface PlanDatasetBuildParams {
  config: DatasetConfig;
  source: DatasetSource;
  version: string;
  /** Pseudonym key (>= 16 bytes); from MODEL_RELEASE_REDACTION_KEY or random per run. */
  key: Uint8Array;
  keySource: "env" | "random";
  /** The detection engine; default the sanitizer's `detectSecrets`. */
  engine?: SecretDetector;
  /** Sensitive test values planted in the source (config `planted`), for the measured recall. */
  planted?: readonly { category: string; value: string }[];
}

/**
 * Plans a dataset release: selects, samples and splits the source records, decodes, parses and
 * redacts both programs of every pair, rejects bad records with file and line, and renders the
 * records, the card and the redaction report. Pure: no filesystem, no clock, no environment.
 *
 * @throws ReleaseError `DATASET_TASK_UNKNOWN` (usage) for a task category the Hub does not know,
 *   `DATASET_REDACTION_RULE_INVALID` (usage).
 */
export function planDatasetBuild(params: PlanDatasetBuildParams): DatasetBuildPlan {
  const { config, source, version } = params;
  for (const [i, t] of config.task_categories.entries()) {
    if (!(PIPELINE_TYPES as readonly string[]).includes(t)) {
      throw usageError("DATASET_TASK_UNKNOWN", `task_categories.${i}: '${t}' is not a Hub task category`, {
        hint: "use a pipeline tag such as text-generation, translation or text2text-generation",
        location: { field: `task_categories.${i}` },
      });
    }
  }
  const rules = compileRedactionRules(config.redaction, { engine: params.engine });
  const pseudo = createPseudonymizer(params.key);
  // Keyed with the redaction key: with a public seed alone, anyone holding a guessed source id
  // could compute whether it was sampled and into which split.
  const unit = (s: string) => keyedUnitHash(params.key, s);
  const f = config.fields;

  const include = config.include.map(globToRegExp);
  const exclude = config.exclude.map(globToRegExp);
  const selected = source.records
    .filter(
      (r) =>
        (include.length === 0 || include.some((re) => re.test(r.sourceId))) &&
        !exclude.some((re) => re.test(r.sourceId)),
    )
    .filter((r) => unit(`sample\u0000${config.sample.seed}\u0000${r.sourceId}`) < config.sample.fraction)
    .sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));

  const byRule: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  const byField: Record<string, Record<string, number>> = {};
  const count = (field: string, hits: RedactionHit[]) => {
    for (const h of hits) {
      byRule[h.rule] = (byRule[h.rule] ?? 0) + 1;
      byCategory[h.category] = (byCategory[h.category] ?? 0) + 1;
      byField[field] ??= {};
      const fr = byField[field];
      fr[h.rule] = (fr[h.rule] ?? 0) + 1;
    }
  };

  const rejected: RejectedRecord[] = [];
  let commentsDropped = 0;
  const bySplit = new Map<string, OutputRecord[]>(config.splits.map((s) => [s.name, []]));
  const seenIds = new Set<string>();
  for (const rec of selected) {
    const result = planDatasetRecord(rec, rules, pseudo, config);
    if ("reject" in result) {
      rejected.push(result.reject);
      continue;
    }
    const id = pseudo.recordId(rec.sourceId);
    if (seenIds.has(id)) {
      rejected.push({
        sourceId: rec.sourceId,
        file: rec.hyundai.origin,
        code: "DUPLICATE_ID",
        message: "another record has the same source id",
      });
      continue;
    }
    seenIds.add(id);
    commentsDropped += result.commentsDropped;
    for (const [field, hits] of Object.entries(result.hits)) count(f[field as keyof typeof result.hits], hits);
    const out: OutputRecord = {
      [f.id]: id,
      [f.hyundai_dialect]: result.dialect,
      [f.hyundai_file]: result.hyundaiFile,
      [f.hyundai_program]: result.hyundaiText,
      [f.drl_file]: result.drlFile,
      [f.drl_program]: result.drlText,
    };
    if (config.redaction.file_names === "drop") {
      delete out[f.hyundai_file];
      delete out[f.drl_file];
    }
    bySplit.get(pickSplit(config, rec.sourceId, unit))!.push(out);
  }

  // The report is published: a rejected record leaves a count and a fixed reason, nothing of its
  // own (no folder or file name, line, statement, parser excerpt or id).
  const rejectedByCode: Record<string, number> = {};
  for (const r of [...source.rejected, ...rejected]) rejectedByCode[r.code] = (rejectedByCode[r.code] ?? 0) + 1;

  const splits = config.splits.map((s) => {
    const records = [...bySplit.get(s.name)!].sort((a, b) => (a[f.id]! < b[f.id]! ? -1 : 1));
    return { name: s.name, path: `data/${s.name}.${config.format}`, records };
  });
  const published = splits.reduce((a, s) => a + s.records.length, 0);
  const fieldOrder =
    config.redaction.file_names === "drop"
      ? [f.id, f.hyundai_dialect, f.hyundai_program, f.drl_program]
      : [f.id, f.hyundai_dialect, f.hyundai_file, f.hyundai_program, f.drl_file, f.drl_program];
  const report: RedactionReport = {
    schema: "model-release/redaction-report@1",
    dataset: config.name,
    version,
    keySource: params.keySource,
    records: {
      source: source.records.length + source.rejected.length,
      selected: selected.length,
      published,
      rejected: rejected.length,
      sourceRejected: source.rejected.length,
    },
    splits: Object.fromEntries(splits.map((s) => [s.name, s.records.length])),
    byRule: sortKeys(byRule),
    byCategory: sortKeys(byCategory),
    byField: Object.fromEntries(
      Object.entries(byField)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([k, v]) => [k, sortKeys(v)]),
    ),
    rejectedByCode: sortKeys(rejectedByCode),
    rejected: Object.entries(sortKeys(rejectedByCode)).map(([code, count]) => ({
      code,
      reason: rejectionReason(code),
      count,
    })),
    commentsDropped,
    recall: measureRedactionRecall({ rules, pseudonymizer: pseudo, config: config.redaction }),
    plantedRecall: params.planted ? measurePlantedRecall(params.planted, splits) : undefined,
  };
  const cardMetadata = planDatasetCardMetadata({ config, splits, records: published });
  const example = splits.find((x) => x.records.length > 0)?.records[0];
  const card = renderDatasetCard({
    config,
    version,
    metadata: cardMetadata,
    report,
    example,
    fieldOrder,
  });
  const tag = renderTag(config.tag_format, { name: config.name, version });
  const inputs: BundleInput[] = [
    ...splits.map(
      (s): BundleInput => ({
        path: s.path,
        role: "data",
        source: { kind: "content", content: renderSplitFile(s.records, fieldOrder, config.format) },
        origin: `generated:dataset-split:${s.name}`,
      }),
    ),
    { path: "README.md", role: "card", source: { kind: "content", content: card }, origin: "generated:dataset-card" },
    {
      path: "redaction-report.json",
      role: "report",
      source: { kind: "content", content: `${JSON.stringify(report, null, 2)}\n` },
      origin: "generated:redaction-report",
    },
  ];
  // The card's text comes from the config (summary, provenance): scanned with the engine and the
  // names this dataset redacts, so none of them is published through it.
  const r = config.redaction;
  const names = [
    { name: "customer-name", values: r.customers, severity: "block" as const },
    { name: "plant-name", values: r.plants, severity: "block" as const },
    { name: "line-name", values: r.lines, severity: "block" as const },
    { name: "person-name", values: r.people, severity: "block" as const },
  ].filter((p) => p.values.length > 0);
  const findings = [
    ...checkCard({ file: "README.md", markdown: card }),
    ...scanGeneratedDocs(
      inputs.filter((i) => i.role === "card"),
      { patterns: names },
    ),
  ];
  return {
    name: config.name,
    version,
    tag,
    hub: { repo: config.hub.repo, repoType: "dataset", private: config.hub.private },
    splits,
    report,
    card,
    cardMetadata,
    inputs,
    findings,
  };
}
