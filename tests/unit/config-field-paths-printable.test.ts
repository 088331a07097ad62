import { describe, expect, it } from "vitest";
import { renderReleaseConfigJsonSchema } from "../../src/config/render-json-schema.js";
import { renderDatasetConfigJsonSchema } from "../../src/datasets/read-dataset-config.js";
import { renderSafeText } from "../../src/sanitize/render-safe-text.js";

type Schema = { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean } & Record<
  string,
  unknown
>;

/** Every field path of a JSON Schema (`hub.private`, `evals.results.0`), through unions and definitions. */
function fieldPaths(schema: Schema): string[] {
  const out = new Set<string>();
  const walk = (s: unknown, path: string, depth: number) => {
    if (!s || typeof s !== "object" || depth > 12) return;
    const node = s as Schema;
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      const p = path ? `${path}.${k}` : k;
      out.add(p);
      walk(v, p, depth + 1);
    }
    if (node.items) walk(node.items, `${path}.0`, depth + 1);
    if (typeof node.additionalProperties === "object") walk(node.additionalProperties, `${path}.x`, depth + 1);
    for (const key of ["anyOf", "oneOf", "allOf"])
      for (const x of (node[key] as unknown[]) ?? []) walk(x, path, depth + 1);
  };
  walk(schema, "", 0);
  for (const d of Object.values((schema.$defs ?? schema.definitions ?? {}) as Record<string, Schema>)) walk(d, "", 0);
  return [...out];
}

describe("config field paths in printed errors", () => {
  it("no field name of either config is redacted (a config error names the field to fix)", () => {
    const paths = [
      ...fieldPaths(JSON.parse(renderReleaseConfigJsonSchema()) as Schema),
      ...fieldPaths(JSON.parse(renderDatasetConfigJsonSchema()) as Schema),
    ];
    expect(paths).toContain("hub.private");
    expect(paths.length).toBeGreaterThan(100);
    for (const p of paths) expect(renderSafeText(`${p}: Invalid input`), p).toBe(`${p}: Invalid input`);
  });
});
