import { lintSource } from "@secretlint/core";
import { creator as recommendedPreset } from "@secretlint/secretlint-rule-preset-recommend";
import { dedupeDetections, detectSecrets, type DetectOptions, type Detection } from "./detect-secrets.js";

/**
 * Runs secretlint's maintained recommend preset (11.x: the last line that runs on Node 20) over
 * `text`. Its messages embed the secret, so only the rule id and the range are kept.
 */
export async function detectWithSecretlint(text: string): Promise<Detection[]> {
  if (text.length === 0) return [];
  const result = await lintSource({
    source: { filePath: "/scanned.txt", content: text, contentType: "text" },
    options: {
      maskSecrets: true,
      noPhysicFilePath: true,
      config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommendedPreset }] },
    },
  });
  return result.messages.map((m) => {
    const id = m.ruleId.replace(/^@secretlint\/secretlint-rule-/, "");
    return {
      rule: `secretlint/${id}`,
      severity: "block" as const,
      start: m.range[0],
      end: m.range[1],
      message: `secret found by secretlint rule '${id}'`,
    };
  });
}

/**
 * Own detectors plus secretlint's preset. Own rules come first, so a span both match keeps the
 * more specific id (`hf-token` rather than `secretlint/huggingface`).
 */
export async function detectSecretsWithPresets(text: string, opts: DetectOptions = {}): Promise<Detection[]> {
  return dedupeDetections([...detectSecrets(text, opts), ...(await detectWithSecretlint(text))]);
}
