/** Public library API: the same stages the CLI runs. */
export * from "./errors.js";
export * from "./config/schema.js";
export { readReleaseConfig, parseReleaseConfig, resolveConfigPath, type LoadedReleaseConfig } from "./config/load-release-config.js";
export { parseYamlWithSchema, type ConfigIssue } from "./config/parse-yaml-with-schema.js";
export { renderReleaseConfigJsonSchema } from "./config/render-json-schema.js";
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
