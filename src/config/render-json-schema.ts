import { z } from "zod";
import { releaseConfigSchema } from "./schema.js";

/** A config schema as JSON Schema for editors (`# yaml-language-server: $schema=...`). Pure. */
export function renderJsonSchema(schema: z.ZodType, params: { fileName: string; title: string }): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify(
    { ...json, $id: `https://github.com/model-release/model-release/schema/${params.fileName}`, title: params.title },
    null,
    2,
  )}\n`;
}

/** The JSON Schema of release configs. Pure. */
export function renderReleaseConfigJsonSchema(): string {
  return renderJsonSchema(releaseConfigSchema, {
    fileName: "release-config.schema.json",
    title: "model-release release config",
  });
}
