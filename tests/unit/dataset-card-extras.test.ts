import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildDataset } from "../../src/datasets/build-dataset.js";

const root = path.resolve(import.meta.dirname, "../..");
const configFile = path.join(root, "datasets/robot-jobfiles-sample/dataset.yaml");
const key = new Uint8Array(32).fill(7);

describe("dataset card: provenance, terms, example record, citation and measured recall", () => {
  it("measures redaction recall on the planted values and says so in the card, with counts only", async () => {
    const { plan } = await buildDataset({ configFile, key, keySource: "env" });
    const planted = JSON.parse(
      readFileSync(path.join(root, "datasets/robot-jobfiles-sample/planted.json"), "utf8"),
    ) as { planted: Record<string, { value: string }[]> };
    // The denominator is every distinct planted value of the source, not only the published pairs'.
    const distinct = new Set(Object.values(planted.planted).flatMap((l) => l.map((p) => p.value)));
    const pr = plan.report.plantedRecall!;
    expect(pr.values).toBe(distinct.size);
    expect(pr).toMatchObject({ leaked: 0, recall: 1, leakedByCategory: {} });
    expect(plan.card).toContain(
      `**Measured redaction recall:** the source carries ${distinct.size} distinct sensitive test values planted on purpose; ${distinct.size} of them appear in no published record (recall 100.0 %).`,
    );
    for (const heading of ["#### Provenance and legal basis", "## Terms of Use", "### Removal requests", "## Citation"])
      expect(plan.card).toContain(heading);
    expect(plan.card).toContain("**Legal basis:**");
    expect(plan.card).toContain(
      "[robot-release/robot-coder-120b](https://huggingface.co/robot-release/robot-coder-120b)",
    );
    expect(plan.card).toMatch(/```json\n\{\n {2}"id": "rec_[0-9a-f]+",/);
    // No planted value reaches the card (the example record is redacted like every record).
    for (const v of distinct) expect(plan.card.includes(v), v).toBe(false);
  });
});
