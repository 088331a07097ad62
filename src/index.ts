/** Public library API: the same stages the CLI runs. */
export * from "./errors.js";
export * from "./config/schema.js";
export { readReleaseConfig, parseReleaseConfig, resolveConfigPath, type LoadedReleaseConfig } from "./config/load-release-config.js";
export { parseYamlWithSchema, type ConfigIssue } from "./config/parse-yaml-with-schema.js";
export { renderReleaseConfigJsonSchema } from "./config/render-json-schema.js";
export { startHubServer, type StartHubServerParams, type HubServer } from "./local/hub/start-hub-server.js";
export { createHubUser, readHubUsers, type HubTokenRole } from "./local/hub/hub-users.js";
export { readHubStoreIssues } from "./local/hub/read-hub-store-issues.js";
