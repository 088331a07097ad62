import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { usageError } from "../errors.js";
import { parseYamlWithSchema } from "../config/parse-yaml-with-schema.js";
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
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, "utf8");
  } catch (cause) {
    throw usageError("CONFIG_NOT_FOUND", `cannot read dataset config ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, {
      hint: "pass --config with the path of a dataset.yaml, e.g. datasets/robot-jobfiles-sample/dataset.yaml",
      location: { file },
      cause,
    });
  }
  return { file: abs, baseDir: path.dirname(abs), config: parseDatasetConfig(text, file) };
}

/** The JSON Schema of dataset configs, for editors. Pure. */
export function renderDatasetConfigJsonSchema(): string {
  const schema = z.toJSONSchema(datasetConfigSchema, { io: "input", unrepresentable: "any" });
  return (
    JSON.stringify({ ...schema, $id: "https://github.com/model-release/model-release/schema/dataset-config.schema.json", title: "model-release dataset config" }, null, 2) + "\n"
  );
}
