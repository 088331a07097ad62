import path from "node:path";
import semver from "semver";
import { isReleaseError, usageError } from "../errors.js";
import { renderTag } from "../config/render-tag.js";
import { inspectCheckpoint } from "../checkpoint/inspect-checkpoint.js";
import { readReleaseConfig, resolveConfigPath } from "../config/load-release-config.js";
import { assertSanitizePlanClean } from "../sanitize/assert-sanitize-plan-clean.js";
import { planSanitize } from "../sanitize/plan-sanitize.js";
import { planConvertedInventory } from "../sanitize/plan-converted-inventory.js";
import { renderBuildReport } from "../sanitize/render-build-report.js";
import type { BundleRelease } from "./plan-manifest.js";
import { stageBundle, type StageBundleResult, type StageProgress } from "./stage-bundle.js";
import type { BuildPlan } from "./build-plan.js";
import type { BundleInput } from "./types.js";
import { assertReleaseDocsPublishable, readReleaseDocs } from "../card/read-release-docs.js";
import {
  applyReleaseTrust,
  pickTrustParams,
  type ReleaseTrustParams,
  type ReleaseTrustResult,
} from "../trust/apply-release-trust.js";
import { parseSigningKey } from "../trust/sign-model.js";
import { applyAllowFindings } from "../sanitize/scan-checkpoint.js";
import { assertReleaseSane } from "./assert-release-sane.js";
import { readReleaseSanity } from "./read-release-sanity.js";

export interface BuildReleaseParams extends ReleaseTrustParams {
  /** Path of the release config YAML. */
  configFile: string;
  /** Semver of this release (a leading `v` is stripped). */
  version: string;
  /** Checkpoint folder; default the config's `checkpoint`, relative to the config file. */
  checkpoint?: string;
  outDir: string;
  /**
   * Generated documents (model card, inference examples, `.eval_results/*.yaml`, charts, licence)
   * from the card and evals stages, staged beside the checkpoint files as written content.
   */
  extraInputs?: BundleInput[];
  /** Render the model card, examples and evaluation outputs (default true). */
  docs?: boolean;
  /** Release even when an evaluation regressed beyond the config's threshold (the card says so). */
  allowRegression?: boolean;
  /** Release date `YYYY-MM-DD` for the card and `.eval_results`; omitted when not given, so builds stay reproducible. */
  date?: string;
  /** Hash cache folder; `undefined` disables the cache (`--no-cache`). */
  cacheDir?: string;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (event: StageProgress) => void;
}

export type { BuildPlan } from "./build-plan.js";

export interface BuildReleaseResult extends StageBundleResult, ReleaseTrustResult {
  plan: BuildPlan;
}

/**
 * Plans a build: reads the config, inspects the checkpoint (headers only), plans the sanitize
 * step and lists the bundle inputs. Reads but never writes.
 *
 * @throws ReleaseError `BAD_VERSION` (usage), and whatever config loading and inspection throw.
 */
export async function planBuild(
  params: Omit<BuildReleaseParams, "outDir" | "cacheDir" | "concurrency" | "onProgress">,
): Promise<BuildPlan> {
  const version = params.version.replace(/^v/, "");
  if (!semver.valid(version)) {
    throw usageError("BAD_VERSION", `--version ${JSON.stringify(params.version)} is not a semantic version`, {
      hint: "use MAJOR.MINOR.PATCH, e.g. --version 1.2.0",
    });
  }
  const config = await readReleaseConfig(params.configFile);
  const checkpointDir = params.checkpoint
    ? path.resolve(params.checkpoint)
    : resolveConfigPath(config, config.config.checkpoint);
  const inspected = await inspectCheckpoint({ dir: checkpointDir, signal: params.signal }).catch((err: unknown) => {
    if (!isReleaseError(err) || err.code !== "CHECKPOINT_NOT_FOUND") throw err;
    // Say which setting named the folder: the path itself may print redacted (a user name in it).
    const from = params.checkpoint ? "--checkpoint" : "the config's `checkpoint`";
    throw usageError(
      "CHECKPOINT_NOT_FOUND",
      `${from} names ${checkpointDir}, which does not exist or is not a folder`,
      {
        hint: params.checkpoint
          ? "pass the folder that holds config.json and the weights"
          : "fix `checkpoint:` in the config (a relative path is resolved from the config's folder), or pass --checkpoint <dir>",
        ...(params.checkpoint ? {} : { location: { file: config.file, field: "checkpoint" } }),
        cause: err,
      },
    );
  });
  const sanitize = await planSanitize({
    inventory: inspected,
    config: config.config.sanitize,
    baseModel: config.config.base_model,
    signal: params.signal,
  });
  const inventory = planConvertedInventory(inspected, sanitize);
  const c = config.config;
  const checked = await readReleaseSanity({ inventory, sanitize, config: c });
  const sanity = { ...checked, findings: applyAllowFindings(checked.findings, c.sanitize.allow_findings) };
  const docs =
    params.docs === false
      ? undefined
      : await readReleaseDocs({
          config: c,
          baseDir: config.baseDir,
          version,
          inventory,
          sanitize,
          allowRegression: params.allowRegression,
          date: params.date || undefined,
          // The release given as --previous labels the card's previous column, over the config.
          previousVersion: params.previous?.version,
        });
  // Later sources win on the same path: a checkpoint's own README.md is replaced by the generated
  // card, and explicit extraInputs replace both.
  const byPath = new Map<string, BundleInput>();
  for (const input of [
    ...sanitize.publish.map(
      (p): BundleInput => ({
        path: p.path,
        role: p.role,
        source: { kind: "file", absPath: p.absPath },
        origin: `checkpoint:${p.path}`,
      }),
    ),
    ...sanitize.rewrites.map(
      (r): BundleInput => ({
        path: r.path,
        role: r.role,
        source: r.tail
          ? {
              kind: "spliced",
              head: r.content as Uint8Array,
              absPath: r.tail.absPath,
              offset: r.tail.offset,
              length: r.tail.length,
              inPlace: r.tail.inPlace,
            }
          : { kind: "content", content: r.content },
        origin: `checkpoint:${path.relative(inventory.root, r.from) || r.path} (rewritten: ${r.reason})`,
      }),
    ),
    ...(sanitize.conversions ?? []).map(
      (c): BundleInput => ({
        path: c.path,
        role: c.role,
        source: {
          kind: "converted",
          absPath: c.absPath,
          file: c.from,
          size: c.size,
          stateDictKey: c.stateDictKey,
        },
        origin: `checkpoint:${c.from} (converted to safetensors)`,
      }),
    ),
    ...(docs?.files ?? []),
    ...(params.extraInputs ?? []),
  ]) {
    byPath.set(input.path, input);
  }
  // The sanitize report: every kept, dropped and rewritten file, the generated ones, and every
  // finding (excerpts redacted at the source).
  const generated = [...byPath.values()].filter((i) => !i.origin.startsWith("checkpoint:"));
  const report = renderBuildReport(sanitize, {
    name: c.name,
    version,
    generated: generated.map((i) => ({ path: i.path, role: i.role, origin: i.origin })),
    findings: docs?.findings ?? [],
    patterns: c.sanitize.patterns,
  });
  byPath.set("report.json", {
    path: "report.json",
    role: "report",
    source: { kind: "content", content: report.json },
    origin: "generated:sanitize-report",
  });
  byPath.set("report.md", {
    path: "report.md",
    role: "report",
    source: { kind: "content", content: report.markdown },
    origin: "generated:sanitize-report",
  });
  const inputs = [...byPath.values()];
  const release: BundleRelease = {
    name: c.name,
    version,
    tag: renderTag(c.tag_format, { name: c.name, version }),
    hub: { repo: c.hub.repo, repoType: "model" },
    github: c.github ? { repo: c.github.repo } : undefined,
    overrides: [
      ...sanitize.publish
        .filter((p) => p.overrideReason)
        .map((p) => ({ path: p.path, reason: p.overrideReason as string })),
      // Accepted sanity findings are overrides too: the manifest says who accepted what, and why.
      ...sanity.findings
        .filter((f) => f.acceptedReason)
        .map((f) => ({ path: `${f.file} (${f.rule})`, reason: f.acceptedReason as string })),
    ],
  };
  return {
    config,
    version,
    checkpointDir,
    inventory,
    sanitize,
    release,
    inputs,
    docsFindings: docs?.findings ?? [],
    evals: docs?.evals,
    sanity,
  };
}

/**
 * Builds a release bundle: `planBuild`, then `stageBundle` into `outDir`. Refuses (`RELEASE_DOCS_BLOCKED`)
 * when the card or licence has blocking findings, or an evaluation regressed without `allowRegression`. The same inputs give a
 * byte-identical manifest; a rebuild with unchanged weights is served from the hash cache.
 */
export async function buildRelease(params: BuildReleaseParams): Promise<BuildReleaseResult> {
  const plan = await planBuild(params);
  // Refuse to stage a release that the sanitizer blocks (exit 3): nothing is written.
  assertSanitizePlanClean(plan.sanitize);
  // No weights (exit 7), or weights that are not what config.json and base_model say (exit 3).
  assertReleaseSane({ checkpointDir: plan.checkpointDir, ...plan.sanity });
  assertReleaseDocsPublishable(plan.docsFindings);
  // A wrong key or passphrase fails here, before anything is staged.
  if (params.signing?.kind === "key") parseSigningKey(params.signing);
  const out = path.resolve(params.outDir);
  const within = (a: string, b: string) => a === b || a.startsWith(b + path.sep);
  // A bundle inside the checkpoint would be inspected (and published) by the next build; a
  // checkpoint inside the bundle folder would be deleted as a stale file.
  if (within(out, plan.checkpointDir) || within(plan.checkpointDir, out)) {
    throw usageError(
      "OUT_DIR_OVERLAPS_CHECKPOINT",
      `--out ${params.outDir} overlaps the checkpoint folder ${plan.checkpointDir}`,
      {
        hint: "stage the bundle in a folder outside the checkpoint, e.g. --out ./release-out",
        location: { file: params.outDir },
      },
    );
  }
  const staged = await stageBundle({
    outDir: params.outDir,
    inputs: plan.inputs,
    release: plan.release,
    cacheDir: params.cacheDir,
    concurrency: params.concurrency,
    signal: params.signal,
    onProgress: params.onProgress,
  });
  // After staging: report.html joins the manifest, then model.sig covers everything (src/trust).
  const trust = await applyReleaseTrust({
    bundleDir: staged.outDir,
    manifest: staged.manifest,
    plan,
    ...pickTrustParams(params),
  });
  return { ...staged, ...trust, plan };
}
