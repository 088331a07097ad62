/** Public library API: the same stages the CLI runs. */
export * from "./errors.js";
export * from "./config/schema.js";
export { readReleaseConfig, parseReleaseConfig, resolveConfigPath, type LoadedReleaseConfig } from "./config/load-release-config.js";
export { parseYamlWithSchema, type ConfigIssue } from "./config/parse-yaml-with-schema.js";
export { renderReleaseConfigJsonSchema } from "./config/render-json-schema.js";
export { detectSecrets, redactSecrets, renderExcerpt, BUILTIN_RULE_IDS, type Detection, type DetectOptions, type SecretPattern } from "./sanitize/detect-secrets.js";
export { detectSecretsWithPresets, detectWithSecretlint } from "./sanitize/detect-with-secretlint.js";
export { scanCheckpoint, scanContent, applyAllowFindings, type ScanCheckpointParams } from "./sanitize/scan-checkpoint.js";
export { planSanitize, type PlanSanitizeParams } from "./sanitize/plan-sanitize.js";
export { assertSanitizePlanClean } from "./sanitize/assert-sanitize-plan-clean.js";
export { applySanitizeRewrite } from "./sanitize/apply-sanitize-rewrite.js";
export { renderBuildReport, type BuildReport, type BuildReportExtras } from "./sanitize/render-build-report.js";
export { scrubJsonMetadata } from "./sanitize/scrub-json-metadata.js";
export { readCheckpointFiles } from "./sanitize/read-checkpoint-files.js";
export type { SanitizePlan } from "./sanitize/types.js";
