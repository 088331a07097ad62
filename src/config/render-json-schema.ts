import { z } from "zod";
import { releaseConfigSchema } from "./schema.js";

/** The JSON Schema of release configs, for editors (`# yaml-language-server: $schema=...`). Pure. */
export function renderReleaseConfigJsonSchema(): string {
  const schema = z.toJSONSchema(releaseConfigSchema, { io: "input", unrepresentable: "any" });
  return JSON.stringify({ ...schema, $id: "https://github.com/model-release/model-release/schema/release-config.schema.json", title: "model-release release config" }, null, 2) + "\n";
}
