/** Public library API: the same stages the CLI runs. */
export * from "./errors.js";
export * from "./config/schema.js";
export {
  readReleaseConfig,
  parseReleaseConfig,
  resolveConfigPath,
  type LoadedReleaseConfig,
} from "./config/load-release-config.js";
export { parseYamlWithSchema, type ConfigIssue } from "./config/parse-yaml-with-schema.js";
export { renderReleaseConfigJsonSchema } from "./config/render-json-schema.js";
export * from "./checkpoint/types.js";
export { inspectCheckpoint } from "./checkpoint/inspect-checkpoint.js";
export { sniffFormat, readSniffedFormat } from "./checkpoint/sniff-format.js";
export {
  parseSafetensorsHeader,
  readSafetensorsHeader,
  MAX_HEADER_LENGTH,
  SAFETENSORS_DTYPE_BITS,
} from "./checkpoint/parse-safetensors-header.js";
export {
  parseSafetensorsIndex,
  assertIndexMatchesShards,
  type SafetensorsIndex,
} from "./checkpoint/parse-safetensors-index.js";
export { detectCheckpointLayout } from "./checkpoint/detect-checkpoint-layout.js";
export * from "./bundle/types.js";
export {
  stageBundle,
  type StageBundleParams,
  type StageBundleResult,
  type StagedSource,
  type StageProgress,
} from "./bundle/stage-bundle.js";
export { planManifest, type BundleRelease } from "./bundle/plan-manifest.js";
export { renderManifest } from "./bundle/render-manifest.js";
export { renderSha256Sums } from "./bundle/render-sha256-sums.js";
export { planContentDigest } from "./bundle/plan-content-digest.js";
export { verifyBundle, readManifest, type VerifyBundleResult, type ChangedFile } from "./bundle/verify-bundle.js";
export { createHashPool, defaultHashConcurrency, type HashPool } from "./bundle/hash-pool.js";
export { readHashCache, type HashCache } from "./bundle/hash-cache.js";
export { renderTag } from "./config/render-tag.js";
export {
  buildRelease,
  planBuild,
  type BuildReleaseParams,
  type BuildPlan,
  type BuildReleaseResult,
} from "./bundle/build-release.js";
export { startHubServer, type StartHubServerParams, type HubServer } from "./local/hub/start-hub-server.js";
export { createHubUser, readHubUsers, type HubTokenRole } from "./local/hub/hub-users.js";
export { readHubStoreIssues } from "./local/hub/read-hub-store-issues.js";
export {
  startGitHubServer,
  GITHUB_OPERATIONS,
  MAX_RELEASE_ASSET_BYTES,
  type GitHubServerHandle,
  type StartGitHubServerParams,
} from "./local/github/start-github-server.js";
export {
  startLocalStandIns,
  type LocalStandIns,
  type StartLocalStandInsParams,
  type StandInEnv,
  type StandInFaults,
} from "./local/start-local-stand-ins.js";
export { createFaultInjector, type FaultRule, type FaultInjector } from "./local/faults.js";
export { openZip, isZipMagic, type ZipArchive, type ZipEntry } from "./checkpoint/zip/open-zip.js";
export { readPickleOps, type PickleOp, type PickleArg } from "./checkpoint/pickle/read-pickle-ops.js";
export { classifyPickleGlobal, type PickleGlobalVerdict } from "./checkpoint/pickle/classify-pickle-global.js";
export { scanPickle, type PickleScan, type PickleGlobal } from "./checkpoint/pickle/scan-pickle.js";
export {
  scanTorchFile,
  readTorchFilePickles,
  type TorchFileScan,
  type TorchFileFormat,
} from "./checkpoint/pickle/scan-torch-file.js";
export {
  extractPickleStrings,
  readTorchFileStrings,
  type PickleString,
} from "./checkpoint/pickle/extract-pickle-strings.js";
export {
  convertTorchToSafetensors,
  type TorchConversionResult,
} from "./checkpoint/pickle/convert-torch-to-safetensors.js";
export { readTorchConversionPlan } from "./checkpoint/pickle/read-torch-conversion-plan.js";
export type { TorchConversionPlan, PlannedTensor } from "./checkpoint/pickle/plan-safetensors-layout.js";
export {
  renderReleaseDocs,
  DEFAULT_TEMPLATES_DIR,
  EVAL_CHART_PATH,
  type RenderReleaseDocsParams,
} from "./card/render-release-docs.js";
export { readReleaseDocs, assertReleaseDocsPublishable } from "./card/read-release-docs.js";
export { BASE_MODEL_LICENCES, findBaseModelLicence, type BaseModelLicence } from "./card/base-model-licences.js";
export { planLicence, type LicencePlan, type LicenceFile } from "./card/plan-licence.js";
export { renderExamples, type ExampleFile } from "./card/render-examples.js";
export { checkCard } from "./card/check-card.js";
export { estimateCo2, renderCardMetadata, type Co2Estimate } from "./card/render-card-metadata.js";
export { readEvalReport } from "./evals/read-eval-report.js";
export { parseEvalFile, inHouseEvalSchema, type EvalFileFormat } from "./evals/parse-eval-file.js";
export { compareEvals, evalMetricKey } from "./evals/compare-evals.js";
export { renderModelIndex, renderEvalResultsFiles, renderEvalResultsJson } from "./evals/render-eval-outputs.js";
export { renderEvalChart } from "./evals/render-eval-chart.js";
export type * from "./evals/types.js";
export {
  detectSecrets,
  redactSecrets,
  renderExcerpt,
  BUILTIN_RULE_IDS,
  type Detection,
  type DetectOptions,
  type SecretPattern,
} from "./sanitize/detect-secrets.js";
export { detectSecretsWithPresets, detectWithSecretlint } from "./sanitize/detect-with-secretlint.js";
export { detectSecretsInBytes, type ByteDetection } from "./detect/detect-secrets.js";
export {
  detectAssignment,
  detectKeyValueSecrets,
  detectJsonAssignments,
  type JsonAssignmentFinding,
} from "./detect/detect-assignment.js";
export { classifyCredentialKey, isCredentialKey } from "./detect/classify-credential-key.js";
export { joinAddedTokens, detectInAddedTokens, type AddedToken } from "./detect/join-added-tokens.js";
export {
  scanCheckpoint,
  scanContent,
  applyAllowFindings,
  type ScanCheckpointParams,
} from "./sanitize/scan-checkpoint.js";
export { planSanitize, type PlanSanitizeParams } from "./sanitize/plan-sanitize.js";
export { planScan, type PlanScanParams, type ScanResult } from "./sanitize/plan-scan.js";
export { DEFAULT_SCAN_BUDGET, type ScanBudget } from "./sanitize/scan-budget.js";
export { assertSanitizePlanClean } from "./sanitize/assert-sanitize-plan-clean.js";
export { applySanitizeRewrite } from "./sanitize/apply-sanitize-rewrite.js";
export { renderBuildReport, type BuildReport, type BuildReportExtras } from "./sanitize/render-build-report.js";
export { scrubJsonMetadata } from "./sanitize/scrub-json-metadata.js";
export { readCheckpointFiles } from "./sanitize/read-checkpoint-files.js";
export * from "./datasets/dataset-config-schema.js";
export {
  readDatasetConfig,
  parseDatasetConfig,
  renderDatasetConfigJsonSchema,
  type LoadedDatasetConfig,
} from "./datasets/read-dataset-config.js";
export {
  readDatasetSource,
  parseJsonlSource,
  type DatasetSource,
  type SourceRecord,
  type RejectedRecord,
} from "./datasets/read-dataset-source.js";
export {
  planDatasetBuild,
  type DatasetBuildPlan,
  type RedactionReport,
  type PlanDatasetBuildParams,
} from "./datasets/plan-dataset-build.js";
export { buildDataset, type BuildDatasetParams, type BuildDatasetResult } from "./datasets/build-dataset.js";
export { parseRedactionKey } from "./datasets/parse-redaction-key.js";
export {
  compileRedactionRules,
  REDACTION_BUILTIN_RULE_IDS,
  type RedactionRules,
} from "./datasets/compile-redaction-rules.js";
export { createPseudonymizer, type Pseudonymizer } from "./datasets/create-pseudonymizer.js";
export { redactProgram, redactFreeText, type RedactedProgram, type RedactionHit } from "./datasets/redact-program.js";
export {
  parseRobotProgram,
  detectHyundaiDialect,
  type ParsedProgram,
  type InstructionCounts,
} from "./datasets/parse-robot-program.js";
export { generateSyntheticPairs, type SyntheticPair } from "./datasets/generate-synthetic-pairs.js";
export { renderDatasetCard } from "./datasets/render-dataset-card.js";
export type { SanitizePlan, SanitizeConversion } from "./sanitize/types.js";
export { planWeightPickleTarget, isPickleWeightsIndex } from "./sanitize/plan-weight-pickle-target.js";
export { planConversion, planConvertedIndex, CONVERTED_INDEX } from "./sanitize/plan-conversion.js";
export { planConvertedInventory } from "./sanitize/plan-converted-inventory.js";
export { publishRelease, type PublishReleaseParams, type PublishResult } from "./publish/publish-release.js";
export { pullRelease, parseReleaseRef, planTagForVersion } from "./publish/pull-release.js";
export { planHubPublish } from "./publish/plan-hub-publish.js";
export { planGitHubRelease, MAX_ASSET_BYTES } from "./publish/plan-github-release.js";
export {
  planVersionTag,
  parseReleaseVersion,
  parseVersionFromTag,
  type VersionTagPlan,
} from "./publish/version-policy.js";
export { planReleaseFromTag } from "./publish/plan-release-from-tag.js";
export { planCodeExport, stripInternalBlocks, type CodeExportPlan } from "./publish/plan-code-export.js";
export { renderReleaseNotes, parseEvalRows, parseCardSummary, type EvalRow } from "./publish/render-release-notes.js";
export {
  readPublishJournal,
  writePublishJournal,
  acquirePublishLock,
  PUBLISH_STEPS,
  type PublishJournal,
  type PublishStep,
} from "./publish/publish-journal.js";
export { createRetryingFetch, createCountingFetch, retryAfterMs } from "./publish/create-retrying-fetch.js";
export { translateRemoteError } from "./publish/translate-remote-error.js";
export {
  fetchHubState,
  fetchHubRefs,
  applyHubCommit,
  applyHubTag,
  applyHubCreateRepo,
  type HubClient,
} from "./publish/hub-publisher.js";
export {
  createGitHubClient,
  fetchGitHubState,
  applyGitHubTag,
  applyGitHubDraft,
  applyGitHubAssets,
  applyGitHubPublish,
} from "./publish/github-publisher.js";
export { readReleaseBundle } from "./publish/read-release-bundle.js";
export type { ProgressEvent, ProgressSink } from "./publish/progress.js";
export type * from "./publish/types.js";

// Trust: signatures (OpenSSF model signing), verification, the review page, release diffs.
export {
  applySignature,
  planBundleStatement,
  RELEASE_IGNORE_PATHS,
  type ApplySignatureResult,
  type SigningMethod,
} from "./trust/apply-signature.js";
export { applySigningKeyFile } from "./trust/apply-signing-key-file.js";
export { applyReleaseTrust, type ReleaseTrustParams, type ReleaseTrustResult } from "./trust/apply-release-trust.js";
export { applyReviewPage } from "./trust/apply-review-page.js";
export {
  planModelSigningStatement,
  SIGNATURE_FILE,
  PUBLIC_KEY_FILE,
  type ModelSigningStatement,
  type SigstoreBundleJson,
} from "./trust/model-signing-format.js";
export { signModelWithKey, signModelKeyless, parseSigningKey, publicKeyHint } from "./trust/sign-model.js";
export { verifyModelSignature, type SignatureVerification, type TrustPolicy } from "./trust/verify-model-signature.js";
export { verifyRelease, type VerifyReleaseResult } from "./trust/verify-release.js";
export { planReleaseDiff, type BundleSnapshot, type ReleaseDiff } from "./trust/plan-release-diff.js";
export { planBundleSnapshot, parseEvalResultsSnapshot, parseCardFrontMatter } from "./trust/plan-bundle-snapshot.js";
export { readBundleSnapshot } from "./trust/read-bundle-snapshot.js";
export { renderReleaseDiffMarkdown, isEmptyReleaseDiff } from "./trust/render-release-diff.js";
export { planReleaseReview, REVIEW_PAGE_FILE } from "./trust/plan-release-review.js";
export { renderReviewPage, type ReleaseReview } from "./trust/render-review-page.js";
