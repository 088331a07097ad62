import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseReleaseConfig, readReleaseConfig } from "../../src/config/load-release-config.js";
import { renderReleaseConfigJsonSchema } from "../../src/config/render-json-schema.js";
import { isReleaseError } from "../../src/errors.js";

const root = path.resolve(import.meta.dirname, "../..");

function issuesOf(text: string) {
  try {
    parseReleaseConfig(text, "bad.yaml");
  } catch (err) {
    if (isReleaseError(err)) return err;
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

const minimal = `name: m
checkpoint: ./ckpt
base_model: openai/gpt-oss-120b
task: text-generation
hub:
  repo: org/m
`;

describe("release config", () => {
  it("every shipped config in release-configs/ is valid", async () => {
    const files = (await readdir(path.join(root, "release-configs"))).filter((f) => f.endsWith(".yaml"));
    expect(files).toEqual(expect.arrayContaining(["demo.yaml", "robot-coder.yaml", "inspection-vlm.yaml"]));
    for (const f of files) {
      const loaded = await readReleaseConfig(path.join(root, "release-configs", f));
      expect(loaded.config.name).toMatch(/^[a-z]/);
    }
  });

  it("fills defaults", () => {
    const c = parseReleaseConfig(minimal);
    expect(c.license).toBe("apache-2.0");
    expect(c.tag_format).toBe("v{version}");
    expect(c.sanitize).toEqual({ allow: [], drop: [], patterns: [], allow_findings: [] });
  });

  it("names file, line, column and field of a wrong value", () => {
    const err = issuesOf(minimal.replace("repo: org/m", "repo: not a repo id"));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.category).toBe("usage");
    expect(err.location).toMatchObject({ file: "bad.yaml", line: 6, column: 9, field: "hub.repo" });
    expect(err.message).toMatchInlineSnapshot(`
      "bad.yaml is not a valid config (1 problem):
        bad.yaml:6:9 hub.repo: must be 'owner/name' (letters, digits, '.', '_', '-')"
    `);
  });

  it("points at an unknown key itself", () => {
    const err = issuesOf(`${minimal}hubb: 1\n`);
    expect(err.location).toMatchObject({ line: 7, column: 1, field: "hubb" });
    expect(err.message).toContain("unknown field 'hubb'");
  });

  it("points a missing field at its parent and lists every problem", () => {
    const err = issuesOf("name: m\nhub: {}\n");
    const issues = (err.details as { issues: { field: string; line: number }[] }).issues;
    expect(issues.map((i) => i.field).sort()).toEqual(["base_model", "checkpoint", "hub.repo", "task"]);
    expect(issues.find((i) => i.field === "hub.repo")?.line).toBe(2);
  });

  it("requires a written reason for every override", () => {
    const err = issuesOf(`${minimal}sanitize:\n  allow:\n    - path: notes.txt\n      reason: ok\n`);
    expect(err.location).toMatchObject({ line: 10, field: "sanitize.allow.0.reason" });
    expect(err.message).toContain("write the reason out");
  });

  it("reports YAML syntax errors with a line", () => {
    const err = issuesOf("name: m\nhub:\n  repo: [unclosed\n");
    expect(err.location?.line).toBeGreaterThanOrEqual(2);
    expect(err.message).toContain("YAML:");
  });

  it("rejects duplicate keys", () => {
    const err = issuesOf(`${minimal}name: again\n`);
    expect(err.message).toMatch(/unique|duplicate/i);
  });

  it("a missing file is a usage error naming the file", async () => {
    await expect(readReleaseConfig("/nonexistent/x.yaml")).rejects.toMatchObject({
      code: "CONFIG_NOT_FOUND",
      category: "usage",
    });
  });

  it("the committed JSON Schema is generated from the zod schema", async () => {
    await expect(renderReleaseConfigJsonSchema()).toMatchFileSnapshot(
      path.join(root, "schema/release-config.schema.json"),
    );
  });
});
