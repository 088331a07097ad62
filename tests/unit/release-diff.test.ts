import { describe, expect, it } from "vitest";
import { planReleaseDiff, type BundleSnapshot } from "../../src/trust/plan-release-diff.js";

const f = (path: string, sha: string, size = 10) => ({
  path,
  sha256: sha.repeat(64).slice(0, 64),
  size,
  role: "weights" as const,
  origin: "x",
});

describe("planReleaseDiff", () => {
  const old: BundleSnapshot = {
    version: "1.0.0",
    manifest: {
      files: [
        f("model-00001-of-00002.safetensors", "a"),
        f("model-00002-of-00002.safetensors", "b"),
        f("config.json", "c", 5),
        f("README.md", "d"),
      ],
    },
    parameters: 1000,
    dtypes: { BF16: { parameters: 1000 } },
    evals: [
      { benchmark: "drl-syntax", metric: "acc", value: 0.8 },
      { benchmark: "gone", metric: "acc", value: 0.1 },
    ],
    card: "# Card\nversion 1.0.0\nsame\n",
  };
  const next: BundleSnapshot = {
    version: "1.1.0",
    manifest: { files: [f("model.safetensors", "e", 20), f("config.json", "c", 5), f("README.md", "f", 11)] },
    parameters: 1200,
    dtypes: { BF16: { parameters: 1000 }, F32: { parameters: 200 } },
    evals: [{ benchmark: "drl-syntax", metric: "acc", value: 0.85 }],
    card: "# Card\nversion 1.1.0\nsame\n",
  };

  it("lists added, removed and changed files, parameter, dtype and eval deltas, and the card diff", () => {
    const d = planReleaseDiff(old, next);
    expect(d.files.added.map((x) => x.path)).toEqual(["model.safetensors"]);
    expect(d.files.removed.map((x) => x.path)).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
    ]);
    expect(d.files.changed).toMatchObject([{ path: "README.md", oldSize: 10, newSize: 11 }]);
    expect(d.files.unchanged).toBe(1);
    expect(d.parameters).toEqual({ old: 1000, new: 1200 });
    expect(d.dtypes).toEqual([{ dtype: "F32", old: 0, new: 200 }]);
    expect(d.evals).toEqual([
      { benchmark: "drl-syntax", metric: "acc", old: 0.8, new: 0.85, delta: expect.closeTo(0.05, 10) },
      { benchmark: "gone", metric: "acc", old: 0.1, new: undefined, delta: undefined },
    ]);
    expect(d.card).toContain("-version 1.0.0");
    expect(d.card).toContain("+version 1.1.0");
  });

  it("an identical release has no changes", () => {
    const d = planReleaseDiff(old, { ...old, version: "1.0.1" });
    expect(d.files).toEqual({ added: [], removed: [], changed: [], unchanged: 4 });
    expect(d.parameters).toBeUndefined();
    expect(d.card).toBeUndefined();
    expect(d.evals.every((e) => e.delta === 0)).toBe(true);
  });
});
