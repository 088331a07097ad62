import { describe, expect, it } from "vitest";
import { planHubPublish } from "../../../src/publish/plan-hub-publish.js";
import { planGitHubRelease } from "../../../src/publish/plan-github-release.js";
import { isReleaseError } from "../../../src/errors.js";
import { fakeBundle } from "./helpers.js";

const sha = (c: string) => c.repeat(64);
const bundle = fakeBundle([
  { path: "README.md", size: 100, sha256: sha("a"), role: "card", gitOid: "1".repeat(40) },
  { path: "SHA256SUMS", size: 300, sha256: sha("b"), gitOid: "2".repeat(40) },
  { path: "config.json", size: 50, sha256: sha("c"), role: "config", gitOid: "3".repeat(40) },
  { path: "manifest.json", size: 900, sha256: sha("d"), gitOid: "4".repeat(40) },
  { path: "model-00001-of-00002.safetensors", size: 5000, sha256: sha("e"), role: "weights" },
  { path: "model-00002-of-00002.safetensors", size: 4000, sha256: sha("f"), role: "weights" },
]);
const common = { bundle, hubUrl: "http://hub.test", repoType: "model" as const, private: false, tag: "v1.2.0" };

describe("planHubPublish", () => {
  it("creates the repo and adds everything on a first release", () => {
    const plan = planHubPublish({ ...common, remote: { exists: false, files: [], tags: [] } });
    expect(plan.createRepo).toBe(true);
    expect(plan.commit?.add.map((f) => f.path)).toEqual(bundle.files.map((f) => f.path));
    expect(plan.commit?.delete).toEqual([]);
    expect(plan.commit?.uploadBytes).toBe(100 + 300 + 50 + 900 + 5000 + 4000);
    expect(plan.tag).toEqual({ name: "v1.2.0", action: "create" });
    expect(plan.apiCalls[0]).toBe("POST http://hub.test/api/repos/create (public model)");
  });

  it("sends only changed files and deletes stale shards of a larger previous release", () => {
    const plan = planHubPublish({
      ...common,
      remote: {
        exists: true,
        head: "h".repeat(40),
        tags: [{ name: "v1.1.0", commit: "p".repeat(40) }],
        files: [
          { path: ".gitattributes", size: 1500, gitOid: "9".repeat(40) },
          { path: "README.md", size: 100, gitOid: "0".repeat(40) }, // card changed
          { path: "config.json", size: 50, gitOid: "3".repeat(40) },
          { path: "model-00001-of-00003.safetensors", size: 5000, lfsSha256: sha("e") },
          { path: "model-00001-of-00002.safetensors", size: 5000, lfsSha256: sha("e") },
          { path: "model-00002-of-00002.safetensors", size: 4000, lfsSha256: sha("f") },
          { path: "model-00003-of-00003.safetensors", size: 2000, lfsSha256: sha("9") },
        ],
      },
    });
    expect(plan.parentCommit).toBe("h".repeat(40));
    expect(plan.commit?.change.map((f) => f.path)).toEqual(["README.md"]);
    expect(plan.commit?.add.map((f) => f.path)).toEqual(["SHA256SUMS", "manifest.json"]);
    expect(plan.commit?.unchanged.map((f) => f.path)).toEqual([
      "config.json",
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
    ]);
    expect(plan.commit?.delete.map((f) => f.path)).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
    ]);
    expect(plan.commit?.uploadBytes).toBe(100 + 300 + 900);
  });

  it("treats an existing tag with the same content as done, and with other content as a conflict", () => {
    const tags = [{ name: "v1.2.0", commit: "t".repeat(40) }];
    const same = planHubPublish({
      ...common,
      remote: { exists: true, head: "h".repeat(40), files: [], tags, taggedDigest: "d".repeat(64) },
    });
    expect(same.commit).toBeNull();
    expect(same.tag.action).toBe("exists");
    try {
      planHubPublish({
        ...common,
        remote: { exists: true, head: "h".repeat(40), files: [], tags, taggedDigest: "e".repeat(64) },
      });
      expect.unreachable();
    } catch (err) {
      expect(isReleaseError(err) && err.code).toBe("TAG_CONFLICT");
      expect(isReleaseError(err) && err.category).toBe("conflict");
    }
  });
});

describe("planGitHubRelease", () => {
  const gh = {
    bundle,
    apiUrl: "http://gh.test",
    repo: "acme/robot-coder",
    tag: "v1.2.0",
    prerelease: false,
    latest: true,
    notes: "notes",
  };
  it("attaches the manifest, checksums and card, never weights", () => {
    const plan = planGitHubRelease({ ...gh, remote: { tagExists: false } });
    expect(plan.release.action).toBe("create-draft");
    expect(plan.assets.map((a) => [a.name, a.action])).toEqual([
      ["MODEL_CARD.md", "upload"],
      ["SHA256SUMS", "upload"],
      ["manifest.json", "upload"],
    ]);
  });

  it("skips identical assets on a re-run and replaces differing ones", () => {
    const plan = planGitHubRelease({
      ...gh,
      remote: {
        tagExists: true,
        release: {
          id: 7,
          draft: true,
          prerelease: false,
          htmlUrl: "x",
          assets: [
            { id: 1, name: "SHA256SUMS", size: 300, digest: `sha256:${sha("b")}` },
            { id: 2, name: "manifest.json", size: 900, digest: `sha256:${sha("0")}` },
          ],
        },
      },
    });
    expect(plan.release).toEqual({ action: "reuse-draft", id: 7 });
    expect(plan.assets.map((a) => [a.name, a.action])).toEqual([
      ["MODEL_CARD.md", "upload"],
      ["SHA256SUMS", "skip"],
      ["manifest.json", "replace"],
    ]);
  });

  it("refuses a weights file as an asset", () => {
    const withWeights = fakeBundle([{ path: "model.sig", size: 3 * 1024 ** 3, sha256: sha("a") }]);
    try {
      planGitHubRelease({ ...gh, bundle: withWeights, remote: { tagExists: false } });
      expect.unreachable();
    } catch (err) {
      expect(isReleaseError(err) && err.code).toBe("ASSET_NOT_ALLOWED");
    }
  });
});
