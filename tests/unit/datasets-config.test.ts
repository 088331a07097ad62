import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isReleaseError, type ReleaseError } from "../../src/errors.js";
import {
  parseDatasetConfig,
  readDatasetConfig,
  renderDatasetConfigJsonSchema,
} from "../../src/datasets/read-dataset-config.js";
import { compileRedactionRules } from "../../src/datasets/compile-redaction-rules.js";

const root = path.resolve(import.meta.dirname, "../..");

const minimal = `name: d
pretty_name: A dataset
summary: Pairs of robot programs.
source:
  kind: pairs
  path: pairs
hub:
  repo: org/d
`;

function rejectionOf(fn: () => unknown): ReleaseError {
  try {
    fn();
  } catch (err) {
    if (isReleaseError(err)) return err as ReleaseError;
    throw err;
  }
  throw new Error("expected a ReleaseError");
}

describe("dataset config", () => {
  it("a missing file is a usage error naming the file and an example", async () => {
    const err = (await readDatasetConfig("/nonexistent/dataset.yaml").then(
      () => undefined,
      (e: unknown) => e as ReleaseError,
    ))!;
    expect(err).toMatchObject({
      code: "CONFIG_NOT_FOUND",
      category: "usage",
      location: { file: "/nonexistent/dataset.yaml" },
    });
    expect(err.message).toContain("cannot read dataset config /nonexistent/dataset.yaml");
    expect(err.hint).toContain("datasets/robot-jobfiles-sample/dataset.yaml");
  });

  it("the shipped sample config is valid", async () => {
    const loaded = await readDatasetConfig(path.join(root, "datasets/robot-jobfiles-sample/dataset.yaml"));
    expect(loaded.config.name).toBe("robot-jobfiles-sample");
    expect(loaded.config.splits.map((s) => s.name)).toEqual(["train", "test"]);
    expect(loaded.config.redaction.customers).toContain("Vantor");
  });

  it("fills defaults", () => {
    const c = parseDatasetConfig(minimal);
    expect(c.sample).toEqual({ fraction: 1, seed: 0 });
    expect(c.splits).toEqual([{ name: "train", fraction: 1 }]);
    expect(c.fields.hyundai_program).toBe("hyundai_program");
    expect(c.tag_format).toBe("v{version}");
    expect(c.redaction.robot_model).toBe(false);
  });

  it("locates a split table that does not add up", () => {
    const err = rejectionOf(() =>
      parseDatasetConfig(
        `${minimal}splits:\n  - name: train\n    fraction: 0.8\n  - name: test\n    fraction: 0.1\n`,
        "d.yaml",
      ),
    );
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toMatchInlineSnapshot(`
      "d.yaml is not a valid config (1 problem):
        d.yaml:10:3 splits: split fractions must add up to 1"
    `);
  });

  it("locates a wrong source kind, an unknown key and a bad regex", () => {
    const text =
      minimal.replace("kind: pairs", "kind: folder") +
      "redaction:\n  part_number_patterns: []\n  patterns:\n    - name: oem\n      category: PART\n      regex: '([A-Z'\n  colour: red\n";
    const err = rejectionOf(() => parseDatasetConfig(text, "d.yaml"));
    const issues = (err.details as { issues: { line: number; field: string }[] }).issues;
    expect(issues.map((i) => `${i.line} ${i.field}`)).toEqual([
      "5 source.kind",
      "14 redaction.patterns.0.regex",
      "15 redaction.colour",
    ]);
  });

  it("rejects a part-number pattern that does not compile, naming the field", () => {
    const c = parseDatasetConfig(`${minimal}redaction:\n  part_number_patterns: ['[unclosed']\n`);
    const err = rejectionOf(() => compileRedactionRules(c.redaction));
    expect(err.code).toBe("DATASET_REDACTION_RULE_INVALID");
    expect(err.location).toEqual({ field: "redaction.part_number_patterns.0" });
  });

  it("the committed JSON Schema matches the zod schema", async () => {
    const committed = await readFile(path.join(root, "schema/dataset-config.schema.json"), "utf8");
    // Regenerate with: npm run build && node dist/cli/bin.js dataset schema > schema/dataset-config.schema.json
    expect(committed).toBe(renderDatasetConfigJsonSchema());
  });
});
