import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertReleaseDocsPublishable, readReleaseDocs } from "../../src/card/read-release-docs.js";
import type { Inventory } from "../../src/checkpoint/types.js";
import { parseReleaseConfig } from "../../src/config/load-release-config.js";
import { isReleaseError } from "../../src/errors.js";

const root = path.resolve(import.meta.dirname, "../..");
const configsDir = path.join(root, "release-configs");
const inventory: Inventory = {
  root: "/c",
  layout: "hf",
  files: [],
  tensors: 1,
  parameters: 10,
  dtypes: { F32: { tensors: 1, parameters: 10, bytes: 40 } },
  shards: [],
  totalBytes: 40,
};

describe("readReleaseDocs + assertReleaseDocsPublishable", () => {
  it("reads the demo's evaluations and renders publishable documents", async () => {
    const config = parseReleaseConfig(readFileSync(path.join(configsDir, "demo.yaml"), "utf8"));
    const r = await readReleaseDocs({ config, baseDir: configsDir, version: "1.0.0", inventory });
    expect(r.evals?.comparison.rows).toHaveLength(9);
    expect(r.files.map((f) => f.path)).toContain("assets/eval-chart.svg");
    expect(() => assertReleaseDocsPublishable(r.findings)).not.toThrow();
  });

  it("labels the previous release with the version given as --previous, and warns when the config disagrees", async () => {
    const config = parseReleaseConfig(readFileSync(path.join(configsDir, "demo.yaml"), "utf8"));
    const card = (r: { files: { path: string; source: unknown }[] }) =>
      String((r.files.find((f) => f.path === "README.md")?.source as { content?: string } | undefined)?.content);
    const fromConfig = await readReleaseDocs({ config, baseDir: configsDir, version: "1.1.0", inventory });
    expect(card(fromConfig)).toContain("| Previous (v0.9.0) |");
    expect(fromConfig.findings.filter((f) => f.rule === "previous-version-mismatch")).toEqual([]);

    const given = await readReleaseDocs({
      config,
      baseDir: configsDir,
      version: "1.1.0",
      inventory,
      previousVersion: "1.0.0",
    });
    expect(card(given)).toContain("| Previous (v1.0.0) |");
    expect(card(given)).not.toContain("v0.9.0");
    expect(given.evals?.previous?.label).toBe("v1.0.0");
    const warning = given.findings.filter((f) => f.rule === "previous-version-mismatch");
    expect(warning).toEqual([expect.objectContaining({ severity: "warn" })]);
    expect(warning[0]?.message).toContain("--previous is v1.0.0 but evals.previous_version says v0.9.0");
    expect(() => assertReleaseDocsPublishable(given.findings)).not.toThrow();

    const agreeing = await readReleaseDocs({
      config,
      baseDir: configsDir,
      version: "1.1.0",
      inventory,
      previousVersion: "v0.9.0",
    });
    expect(agreeing.findings.filter((f) => f.rule === "previous-version-mismatch")).toEqual([]);
  });

  it("blocks a regression unless allowRegression, with a hint naming the flag", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cards-regress-"));
    try {
      const y = (v: number) =>
        `format: model-release/evals@1\nharness: {name: drl-bench}\nbenchmarks:\n  - name: jobfile-to-drl\n    metrics:\n      - {name: exact_match, value: ${v}}\n`;
      writeFileSync(path.join(dir, "release.yaml"), y(0.5));
      writeFileSync(path.join(dir, "previous.yaml"), y(0.6));
      const text = readFileSync(path.join(configsDir, "demo.yaml"), "utf8").replace(
        /^evals:\n( {2}.*\n)+/m,
        "evals:\n  results: [release.yaml]\n  previous: [previous.yaml]\n  previous_version: 0.9.0\n",
      );
      const config = parseReleaseConfig(text);
      const blocked = await readReleaseDocs({ config, baseDir: dir, version: "1.0.0", inventory });
      let err: unknown;
      try {
        assertReleaseDocsPublishable(blocked.findings);
      } catch (e) {
        err = e;
      }
      expect(isReleaseError(err) && err.code).toBe("RELEASE_DOCS_BLOCKED");
      expect(isReleaseError(err) && err.category).toBe("blocked");
      expect((err as Error).message).toMatchInlineSnapshot(`
        "the model card and release documents cannot be published (1 problem):
          release.yaml [eval-regression] jobfile-to-drl/exact_match dropped from 60.0% (v0.9.0) to 50.0%, beyond the regression threshold of 1 point; pass --allow-regression to release anyway, and the card will say so"
      `);
      expect(isReleaseError(err) && err.hint).toMatch(/--allow-regression/);
      const allowed = await readReleaseDocs({
        config,
        baseDir: dir,
        version: "1.0.0",
        inventory,
        allowRegression: true,
      });
      expect(() => assertReleaseDocsPublishable(allowed.findings)).not.toThrow();
      const readme = allowed.files.find((f) => f.path === "README.md")!;
      expect(readme.source.kind === "content" && String(readme.source.content)).toContain(
        "released with `--allow-regression`",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
