import path from "node:path";
import { readConfigText } from "./read-config-text.js";
import { parseYamlWithSchema } from "./parse-yaml-with-schema.js";
import { releaseConfigSchema, type ReleaseConfig } from "./schema.js";

export interface LoadedReleaseConfig {
  /** Absolute path of the YAML file. */
  file: string;
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
  config: ReleaseConfig;
}

/**
 * Reads and validates a release config (`release-configs/NAME.yaml`).
 *
 * @throws ReleaseError `CONFIG_NOT_FOUND` or `CONFIG_INVALID` (usage).
 */
export async function readReleaseConfig(file: string): Promise<LoadedReleaseConfig> {
  const { abs, text } = await readConfigText({ file, kind: "release config", example: "release-configs/demo.yaml" });
  return { file: abs, baseDir: path.dirname(abs), config: parseReleaseConfig(text, file) };
}

/** Validates release-config YAML text. Pure. */
export function parseReleaseConfig(text: string, file = "<config>"): ReleaseConfig {
  return parseYamlWithSchema({
    text,
    file,
    schema: releaseConfigSchema,
    hint: "fix the fields named above; `model-release schema` prints the JSON Schema for editor completion",
  });
}

/** Resolves a config-relative path against the config's folder. */
export function resolveConfigPath(loaded: LoadedReleaseConfig, p: string): string {
  return path.resolve(loaded.baseDir, p);
}
