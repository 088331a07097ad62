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
export { startHubServer, type StartHubServerParams, type HubServer } from "./local/hub/start-hub-server.js";
export { createHubUser, readHubUsers, type HubTokenRole } from "./local/hub/hub-users.js";
export { readHubStoreIssues } from "./local/hub/read-hub-store-issues.js";
export { startGitHubServer, GITHUB_OPERATIONS, MAX_RELEASE_ASSET_BYTES, type GitHubServerHandle, type StartGitHubServerParams } from "./local/github/start-github-server.js";
export { startLocalStandIns, type LocalStandIns, type StartLocalStandInsParams, type StandInEnv, type StandInFaults } from "./local/start-local-stand-ins.js";
export { createFaultInjector, type FaultRule, type FaultInjector } from "./local/faults.js";
export { openZip, isZipMagic, type ZipArchive, type ZipEntry } from "./checkpoint/zip/open-zip.js";
export { readPickleOps, type PickleOp, type PickleArg } from "./checkpoint/pickle/read-pickle-ops.js";
export { classifyPickleGlobal, type PickleGlobalVerdict } from "./checkpoint/pickle/classify-pickle-global.js";
export { scanPickle, type PickleScan, type PickleGlobal } from "./checkpoint/pickle/scan-pickle.js";
export { scanTorchFile, readTorchFilePickles, type TorchFileScan, type TorchFileFormat } from "./checkpoint/pickle/scan-torch-file.js";
export { extractPickleStrings, readTorchFileStrings, type PickleString } from "./checkpoint/pickle/extract-pickle-strings.js";
export {
  convertTorchToSafetensors, readTorchConversionPlan,
  type TorchConversionPlan, type TorchConversionResult, type PlannedTensor,
} from "./checkpoint/pickle/convert-torch-to-safetensors.js";
export { renderReleaseDocs, DEFAULT_TEMPLATES_DIR, EVAL_CHART_PATH, type RenderReleaseDocsParams } from "./card/render-release-docs.js";
export { readReleaseDocs, assertReleaseDocsPublishable } from "./card/read-release-docs.js";
export { planLicence, BASE_MODEL_LICENCES, type BaseModelLicence, type LicencePlan } from "./card/base-model-licences.js";
export { renderExamples, type ExampleFile } from "./card/render-examples.js";
export { checkCard } from "./card/check-card.js";
export { estimateCo2, renderCardMetadata, type Co2Estimate } from "./card/render-card-metadata.js";
export { readEvalReport } from "./evals/read-eval-report.js";
export { parseEvalFile, inHouseEvalSchema, type EvalFileFormat } from "./evals/parse-eval-file.js";
export { compareEvals, evalMetricKey } from "./evals/compare-evals.js";
export { renderModelIndex, renderEvalResultsFiles, renderEvalResultsJson } from "./evals/render-eval-outputs.js";
export { renderEvalChart } from "./evals/render-eval-chart.js";
export type * from "./evals/types.js";
