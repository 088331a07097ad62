import { describe, expect, it } from "vitest";
import type { Manifest } from "../../../src/bundle/types.js";
import { assertConfigMatchesBundle } from "../../../src/publish/assert-config-matches-bundle.js";
import { releaseErrorOf } from "../../lib/release-error-of.js";

const manifest = {
  schema: "model-release/manifest@1",
  name: "robot-coder",
  version: "1.0.0",
  tag: "v1.0.0",
  hub: { repo: "acme/robot-coder", repoType: "model" },
  github: { repo: "acme/robot-coder" },
  files: [],
  overrides: [],
  contentDigest: "0".repeat(64),
} satisfies Manifest;

describe("assertConfigMatchesBundle", () => {
  it("passes the config the bundle was built from (repo ids in any case)", () => {
    expect(() =>
      assertConfigMatchesBundle(manifest, {
        file: "robot-coder.yaml",
        name: "robot-coder",
        hubRepo: "ACME/Robot-Coder",
        githubRepo: "acme/robot-coder",
      }),
    ).not.toThrow();
  });

  it("refuses another release's config with exit 2, naming every field that differs", () => {
    const err = releaseErrorOf(() =>
      assertConfigMatchesBundle(manifest, {
        file: "inspection-vlm.yaml",
        name: "inspection-vlm",
        hubRepo: "acme/inspection-vlm",
        githubRepo: "acme/inspection-vlm",
      }),
    );
    expect(err.code).toBe("CONFIG_BUNDLE_MISMATCH");
    expect(err.category).toBe("usage");
    expect(err.message).toContain("name is inspection-vlm in the config, robot-coder in the bundle");
    expect(err.message).toContain("hub.repo is acme/inspection-vlm in the config, acme/robot-coder in the bundle");
    expect(err.message).toContain("github.repo is acme/inspection-vlm in the config, acme/robot-coder in the bundle");
    expect(err.location).toMatchObject({ file: "inspection-vlm.yaml", field: "name" });
  });

  it("refuses a config that adds or drops the GitHub repo", () => {
    const { github: _, ...hubOnly } = manifest;
    expect(
      releaseErrorOf(() =>
        assertConfigMatchesBundle(hubOnly, {
          file: "c.yaml",
          name: "robot-coder",
          hubRepo: "acme/robot-coder",
          githubRepo: "acme/robot-coder",
        }),
      ).message,
    ).toContain("github.repo is acme/robot-coder in the config, (none) in the bundle");
    expect(
      releaseErrorOf(() =>
        assertConfigMatchesBundle(manifest, { file: "c.yaml", name: "robot-coder", hubRepo: "acme/robot-coder" }),
      ).message,
    ).toContain("github.repo is (none) in the config, acme/robot-coder in the bundle");
  });
});
