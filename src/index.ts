/** Public library API: the same stages the CLI runs. */
export * from "./errors.js";
export * from "./config/schema.js";
export { readReleaseConfig, parseReleaseConfig, resolveConfigPath, type LoadedReleaseConfig } from "./config/load-release-config.js";
export { parseYamlWithSchema, type ConfigIssue } from "./config/parse-yaml-with-schema.js";
export { renderReleaseConfigJsonSchema } from "./config/render-json-schema.js";
export * from "./checkpoint/types.js";
export { inspectCheckpoint } from "./checkpoint/inspect-checkpoint.js";
export { sniffFormat, readSniffedFormat } from "./checkpoint/sniff-format.js";
export { parseSafetensorsHeader, readSafetensorsHeader, MAX_HEADER_LENGTH, SAFETENSORS_DTYPE_BITS } from "./checkpoint/parse-safetensors-header.js";
export { parseSafetensorsIndex, assertIndexMatchesShards, type SafetensorsIndex } from "./checkpoint/parse-safetensors-index.js";
export { detectCheckpointLayout } from "./checkpoint/detect-checkpoint-layout.js";
export * from "./bundle/types.js";
export { stageBundle, planManifest, renderManifest, renderSha256Sums, planContentDigest, type StageBundleParams, type StageBundleResult, type BundleRelease, type StagedSource, type StageProgress } from "./bundle/stage-bundle.js";
export { verifyBundle, readManifest, type VerifyBundleResult, type ChangedFile } from "./bundle/verify-bundle.js";
export { createHashPool, defaultHashConcurrency, type HashPool } from "./bundle/hash-pool.js";
export { readHashCache, type HashCache } from "./bundle/hash-cache.js";
export { buildRelease, planBuild, renderTag, type BuildReleaseParams, type BuildPlan, type BuildReleaseResult } from "./bundle/build-release.js";
export { planSanitize } from "./sanitize/plan-sanitize.js";
