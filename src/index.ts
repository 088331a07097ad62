/** Public library API: the same stages the CLI runs. */
export * from "./errors.js";
export * from "./config/schema.js";
export { readReleaseConfig, parseReleaseConfig, resolveConfigPath, type LoadedReleaseConfig } from "./config/load-release-config.js";
export { parseYamlWithSchema, type ConfigIssue } from "./config/parse-yaml-with-schema.js";
export { renderReleaseConfigJsonSchema } from "./config/render-json-schema.js";
export { startGitHubServer, GITHUB_OPERATIONS, MAX_RELEASE_ASSET_BYTES, type GitHubServerHandle, type StartGitHubServerParams } from "./local/github/start-github-server.js";
export { startLocalStandIns, type LocalStandIns, type StartLocalStandInsParams, type StandInEnv, type StandInFaults } from "./local/start-local-stand-ins.js";
export { createFaultInjector, type FaultRule, type FaultInjector } from "./local/faults.js";
