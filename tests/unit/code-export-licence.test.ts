import { describe, expect, it } from "vitest";
import { planCodeExport } from "../../src/publish/plan-code-export.js";

describe("code export carries the release's LICENSE", () => {
  const files = [
    { path: "train/train.py", content: "print(1)" },
    { path: "notes/plan.md", content: "internal" },
  ];

  it("adds the bundle's LICENSE when the code folder has none", () => {
    const plan = planCodeExport({
      files,
      allow: ["train/**", "LICENSE"],
      required: [{ path: "LICENSE", content: "Apache License\nVersion 2.0\n" }],
    });
    expect(plan.files.map((f) => f.path)).toEqual(["LICENSE", "train/train.py"]);
    expect(plan.files[0]!.content).toContain("Apache License");
  });

  it("keeps the code folder's own LICENSE", () => {
    const plan = planCodeExport({
      files: [...files, { path: "LICENSE", content: "own text" }],
      allow: ["train/**", "LICENSE"],
      required: [{ path: "LICENSE", content: "bundle text" }],
    });
    expect(plan.files.find((f) => f.path === "LICENSE")!.content).toBe("own text");
  });
});
