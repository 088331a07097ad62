import { describe, expect, it } from "vitest";
import {
  parseReleaseVersion,
  parseVersionFromTag,
  planVersionTag,
  renderTag,
} from "../../../src/publish/version-policy.js";
import { isReleaseError } from "../../../src/errors.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isReleaseError(err) ? err.code : "not-a-release-error";
  }
  return undefined;
}

describe("version policy", () => {
  it.each([
    ["1.2.0", "1.2.0"],
    ["v1.2.0", "1.2.0"],
    ["1.2.0-rc.1", "1.2.0-rc.1"],
  ])("accepts strict semver %s", (input, want) => expect(parseReleaseVersion(input)).toBe(want));

  it.each(["1.2", "01.2.3", "=1.2.3", "1.2.3 ", "latest", ""])("refuses %j", (input) => {
    expect(codeOf(() => parseReleaseVersion(input))).toBe("BAD_VERSION");
  });

  it("renders and parses both tag formats", () => {
    expect(renderTag("v{version}", { name: "robot-coder", version: "1.2.0" })).toBe("v1.2.0");
    expect(renderTag("{name}-v{version}", { name: "robot-coder", version: "1.2.0" })).toBe("robot-coder-v1.2.0");
    expect(parseVersionFromTag("{name}-v{version}", "robot-coder", "robot-coder-v1.2.0-rc.1")).toBe("1.2.0-rc.1");
    expect(parseVersionFromTag("{name}-v{version}", "robot-coder", "dinov2-v1.2.0")).toBeUndefined();
    expect(parseVersionFromTag("v{version}", "x", "v1.2")).toBeUndefined();
  });

  it("requires a new version above the latest stable release", () => {
    const base = { name: "m", tagFormat: "v{version}", existingTags: ["v1.0.0", "v1.1.0", "v2.0.0-rc.1", "other"] };
    expect(planVersionTag({ ...base, version: "1.2.0" })).toEqual({
      version: "1.2.0",
      tag: "v1.2.0",
      prerelease: false,
      latest: true,
      previous: "1.1.0",
    });
    expect(codeOf(() => planVersionTag({ ...base, version: "1.0.1" }))).toBe("VERSION_NOT_NEWER");
    expect(codeOf(() => planVersionTag({ ...base, version: "1.1.0-hotfix" }))).toBeUndefined();
    const backport = planVersionTag({ ...base, version: "1.0.1", allowOlder: true });
    expect(backport.latest).toBe(false);
  });

  it("tags prereleases but never makes them latest", () => {
    const plan = planVersionTag({
      name: "m",
      tagFormat: "v{version}",
      existingTags: ["v1.0.0"],
      version: "1.2.0-rc.1",
    });
    expect(plan).toMatchObject({ tag: "v1.2.0-rc.1", prerelease: true, latest: false });
  });

  it("lets an existing tag through: the content digest decides", () => {
    const plan = planVersionTag({
      name: "m",
      tagFormat: "v{version}",
      existingTags: ["v1.0.0", "v1.1.0"],
      version: "1.0.0",
    });
    expect(plan.tag).toBe("v1.0.0");
  });

  it("says what to do when the version is too old", () => {
    try {
      planVersionTag({ name: "m", tagFormat: "v{version}", existingTags: ["v1.3.0"], version: "1.2.0" });
      expect.unreachable();
    } catch (err) {
      expect(isReleaseError(err) && [err.message, err.hint]).toMatchInlineSnapshot(`
        [
          "version 1.2.0 is not greater than the latest release 1.3.0",
          "choose a version above 1.3.0, publish a prerelease (e.g. 1.3.1-rc.0), or pass --allow-older for a backport",
        ]
      `);
    }
  });
});
