import path from "node:path";
import semver from "semver";
import { usageError } from "../errors.js";
import { inspectCheckpoint } from "../checkpoint/inspect-checkpoint.js";
import type { Inventory } from "../checkpoint/types.js";
import { readReleaseConfig, resolveConfigPath, type LoadedReleaseConfig } from "../config/load-release-config.js";
import { planSanitize } from "../sanitize/plan-sanitize.js";
import type { SanitizePlan } from "../sanitize/types.js";
import { stageBundle, type BundleRelease, type StageBundleResult, type StageProgress } from "./stage-bundle.js";
import type { BundleInput } from "./types.js";

export interface BuildReleaseParams {
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
  /** Hash cache folder; `undefined` disables the cache (`--no-cache`). */
  cacheDir?: string;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (event: StageProgress) => void;
}

/** Everything a build will do, as data: printable with `--dry-run`, testable without staging. */
export interface BuildPlan {
  config: LoadedReleaseConfig;
  version: string;
  checkpointDir: string;
  inventory: Inventory;
  sanitize: SanitizePlan;
  release: BundleRelease;
  inputs: BundleInput[];
}

export interface BuildReleaseResult extends StageBundleResult {
  plan: BuildPlan;
}

/** Renders the tag name from the config's `tag_format` (`v{version}`, `{name}-v{version}`). Pure. */
export function renderTag(tagFormat: string, name: string, version: string): string {
  return tagFormat.replaceAll("{version}", version).replaceAll("{name}", name);
}

/**
 * Plans a build: reads the config, inspects the checkpoint (headers only), plans the sanitize
 * step and lists the bundle inputs. Reads but never writes.
 *
 * @throws ReleaseError `BAD_VERSION` (usage), and whatever config loading and inspection throw.
 */
export async function planBuild(params: Omit<BuildReleaseParams, "outDir" | "cacheDir" | "concurrency" | "onProgress">): Promise<BuildPlan> {
  const version = params.version.replace(/^v/, "");
  if (!semver.valid(version)) {
    throw usageError("BAD_VERSION", `--version ${JSON.stringify(params.version)} is not a semantic version`, { hint: "use MAJOR.MINOR.PATCH, e.g. --version 1.2.0" });
  }
  const config = await readReleaseConfig(params.configFile);
  const checkpointDir = params.checkpoint ? path.resolve(params.checkpoint) : resolveConfigPath(config, config.config.checkpoint);
  const inventory = await inspectCheckpoint({ dir: checkpointDir, ...(params.signal ? { signal: params.signal } : {}) });
  const sanitize = await planSanitize({ inventory, config: config.config.sanitize });

  const inputs: BundleInput[] = [
    ...sanitize.publish.map(
      (p): BundleInput => ({ path: p.path, role: p.role, source: { kind: "file", absPath: p.absPath }, origin: `checkpoint:${p.path}` }),
    ),
    ...sanitize.rewrites.map((r): BundleInput => ({ path: r.path, role: r.role, source: { kind: "content", content: r.content }, origin: `checkpoint:${r.from} (rewritten: ${r.reason})` })),
    // GENERATED DOCS go here: the card/evals stages pass their files as `extraInputs`.
    ...(params.extraInputs ?? []),
  ];
  const c = config.config;
  const release: BundleRelease = {
    name: c.name,
    version,
    tag: renderTag(c.tag_format, c.name, version),
    hub: { repo: c.hub.repo, repoType: "model" },
    ...(c.github ? { github: { repo: c.github.repo } } : {}),
    overrides: sanitize.publish.filter((p) => p.overrideReason).map((p) => ({ path: p.path, reason: p.overrideReason as string })),
  };
  return { config, version, checkpointDir, inventory, sanitize, release, inputs };
}

/**
 * Builds a release bundle: `planBuild`, then `stageBundle` into `outDir`. The same inputs give a
 * byte-identical manifest; a rebuild with unchanged weights is served from the hash cache.
 */
export async function buildRelease(params: BuildReleaseParams): Promise<BuildReleaseResult> {
  const plan = await planBuild(params);
  const staged = await stageBundle({
    outDir: params.outDir,
    inputs: plan.inputs,
    release: plan.release,
    ...(params.cacheDir !== undefined ? { cacheDir: params.cacheDir } : {}),
    ...(params.concurrency !== undefined ? { concurrency: params.concurrency } : {}),
    ...(params.signal ? { signal: params.signal } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
  });
  return { ...staged, plan };
}
