import { describe, expect, it } from "vitest";
import {
  countReleaseFiles,
  labelCheckpointFiles,
  labelManifestFiles,
  labelSignedFiles,
} from "../../src/bundle/count-release-files.js";
import { formatBytes } from "../../src/bundle/format-bytes.js";
import { formatEvalDelta, formatEvalValue } from "../../src/evals/format-eval-value.js";

describe("one definition of each count, each labelled with what it counts", () => {
  it("counts the signed files as the manifest's plus manifest.json and SHA256SUMS", () => {
    expect(countReleaseFiles(22)).toEqual({ manifest: 22, signed: 24 });
    expect(labelManifestFiles(22)).toBe("22 files in the manifest");
    expect(labelManifestFiles(1)).toBe("1 file in the manifest");
    expect(labelSignedFiles(24)).toBe("24 files signed (the manifest's 22, manifest.json and SHA256SUMS)");
    expect(labelCheckpointFiles(7)).toBe("7 files from the checkpoint");
  });
});

describe("one byte unit: binary, IEC", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [451_000, "440 KiB"],
    [3.2 * 1024 ** 3, "3.2 GiB"],
    [250 * 1024 ** 4, "250 TiB"],
  ])("%d bytes read %s", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe("evaluation values: percentages for scores, points for their changes", () => {
  it("prints fractions as percentages and raw metrics as measured", () => {
    expect(formatEvalValue(0.5572, "fraction")).toBe("55.7%");
    expect(formatEvalDelta(0.0572, "fraction")).toBe("+5.7 pp");
    expect(formatEvalDelta(-0.012, "fraction")).toBe("−1.2 pp");
    expect(formatEvalValue(7.25, "raw")).toBe("7.25");
    expect(formatEvalDelta(0.25, "raw")).toBe("+0.25");
    expect(formatEvalValue(undefined, "fraction")).toBe("–");
  });
});
