import { readFile } from "node:fs/promises";
import path from "node:path";
import { inputError, usageError } from "../errors.js";
import { assertReleaseDocsPublishable } from "../card/read-release-docs.js";
import type { Manifest } from "../bundle/types.js";
import { stageBundle } from "../bundle/stage-bundle.js";
import type { SecretDetector } from "./create-dataset-detector.js";
import { planDatasetBuild, type DatasetBuildPlan } from "./plan-dataset-build.js";
import { readDatasetConfig } from "./read-dataset-config.js";
import { readDatasetSource } from "./read-dataset-source.js";

export interface BuildDatasetParams {
  /** Path of `datasets/<name>/dataset.yaml`. */
  configFile: string;
  /** Bundle folder to write; omit for a dry run (plan only). */
  outDir?: string;
  /** Overrides `version` of the config. */
  version?: string;
  /** Pseudonym key (see `parseRedactionKey`); the caller draws a random one when none is configured. */
  key: Uint8Array;
  keySource: "env" | "random";
  /** The detection engine; default the sanitizer's `detectSecrets`. */
  engine?: SecretDetector;
  signal?: AbortSignal;
}

export interface BuildDatasetResult {
  plan: DatasetBuildPlan;
  /** Absent on a dry run. */
  manifest?: Manifest;
  outDir?: string;
}

/**
 * Builds a dataset release bundle: reads and validates the config, reads the source, plans the
 * redacted records, card and report (`planDatasetBuild`), then stages them with the same bundle
 * stage as models (manifest.json and SHA256SUMS).
 *
 * @throws ReleaseError `DATASET_VERSION_MISSING` (usage), `DATASET_EMPTY` (input),
 *   `RELEASE_DOCS_BLOCKED` (blocked: a placeholder such as TODO in the card), and those of
 *   the config reader, the source reader, the plan and `stageBundle`.
 */
export async function buildDataset(params: BuildDatasetParams): Promise<BuildDatasetResult> {
  const loaded = await readDatasetConfig(params.configFile);
  const version = params.version ?? loaded.config.version;
  if (!version) {
    throw usageError("DATASET_VERSION_MISSING", `${params.configFile} has no version and none was given`, {
      hint: "pass --version 1.0.0 or add `version: 1.0.0` to the dataset config",
      location: { file: params.configFile, field: "version" },
    });
  }
  const source = await readDatasetSource({ config: loaded.config, baseDir: loaded.baseDir });
  const planted = loaded.config.planted
    ? await readPlantedValues(path.resolve(loaded.baseDir, loaded.config.planted))
    : undefined;
  params.signal?.throwIfAborted();
  const plan = planDatasetBuild({
    config: loaded.config,
    source,
    version,
    key: params.key,
    keySource: params.keySource,
    engine: params.engine,
    planted,
  });
  if (plan.report.records.published === 0) {
    throw inputError(
      "DATASET_EMPTY",
      `no record of ${loaded.config.source.path} can be published (${plan.report.records.rejected + plan.report.records.sourceRejected} rejected, ${plan.report.records.selected} selected)`,
      {
        hint: "check include/exclude and sample.fraction, and the rejected records listed in the report",
        location: { file: params.configFile, field: "source" },
        // Counts and fixed reasons only: error output is public in CI logs.
        details: { rejected: plan.report.rejected },
      },
    );
  }
  assertReleaseDocsPublishable(plan.findings);
  if (params.outDir === undefined) return { plan };
  const staged = await stageBundle({
    outDir: params.outDir,
    inputs: plan.inputs,
    release: {
      name: plan.name,
      version: plan.version,
      tag: plan.tag,
      hub: { repo: plan.hub.repo, repoType: "dataset" },
    },
    signal: params.signal,
  });
  return { plan, manifest: staged.manifest, outDir: staged.outDir };
}

/**
 * The planted test values of a synthetic source: `{ planted: { <pair>: [{ category, value }] } }`
 * as generate.ts writes it.
 *
 * @throws ReleaseError `DATASET_PLANTED_INVALID` (input) when the file is missing or malformed.
 */
async function readPlantedValues(file: string): Promise<{ category: string; value: string }[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw inputError("DATASET_PLANTED_INVALID", `${file} cannot be read as JSON: ${(err as Error).message}`, {
      hint: "point `planted` at the planted.json that the sample generator writes",
      location: { file },
    });
  }
  const planted = (doc as { planted?: unknown }).planted;
  if (typeof planted !== "object" || planted === null)
    throw inputError("DATASET_PLANTED_INVALID", `${file} has no "planted" object`, {
      hint: 'expected { "planted": { "<pair>": [{ "category": "...", "value": "..." }] } }',
      location: { file },
    });
  return Object.values(planted as Record<string, unknown>).flatMap((list) =>
    Array.isArray(list)
      ? list.filter(
          (x): x is { category: string; value: string } =>
            typeof x?.category === "string" && typeof x?.value === "string",
        )
      : [],
  );
}
