import path from "node:path";
import { parseYamlWithSchema } from "../config/parse-yaml-with-schema.js";
import { readConfigText } from "../config/read-config-text.js";
import { renderJsonSchema } from "../config/render-json-schema.js";
import { datasetConfigSchema, type DatasetConfig } from "./dataset-config-schema.js";

export interface LoadedDatasetConfig {
  /** Absolute path of the YAML file. */
  file: string;
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
  config: DatasetConfig;
}

const HINT = "fix the fields named above; `model-release dataset schema` prints the JSON Schema of dataset configs";

/** Validates dataset-config YAML text. Pure. @throws ReleaseError `CONFIG_INVALID` (usage). */
export function parseDatasetConfig(text: string, file = "<dataset.yaml>"): DatasetConfig {
  return parseYamlWithSchema({ text, file, schema: datasetConfigSchema, hint: HINT });
}

/**
 * Reads and validates `datasets/<name>/dataset.yaml`.
 *
 * @throws ReleaseError `CONFIG_NOT_FOUND` or `CONFIG_INVALID` (usage).
 */
export async function readDatasetConfig(file: string): Promise<LoadedDatasetConfig> {
  const { abs, text } = await readConfigText({
    file,
    kind: "dataset config",
    example: "datasets/robot-jobfiles-sample/dataset.yaml",
  });
  return { file: abs, baseDir: path.dirname(abs), config: parseDatasetConfig(text, file) };
}

/** The JSON Schema of dataset configs, for editors. Pure. */
export function renderDatasetConfigJsonSchema(): string {
  return renderJsonSchema(datasetConfigSchema, {
    fileName: "dataset-config.schema.json",
    title: "model-release dataset config",
  });
}
