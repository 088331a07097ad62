import { readFile } from "node:fs/promises";
import type { Inventory } from "../checkpoint/types.js";
import type { ReleaseConfig } from "../config/schema.js";
import type { Finding } from "../findings.js";
import type { SanitizePlan } from "../sanitize/types.js";
import { planReleaseSanity, type SanityTensor } from "./plan-release-sanity.js";

/**
 * Gathers what `planReleaseSanity` checks: the tensors of every published weight file (inspected
 * headers and planned pickle conversions) and the checkpoint's config.json. Reads config.json only.
 */
export async function readReleaseSanity(params: {
  inventory: Inventory;
  sanitize: SanitizePlan;
  config: ReleaseConfig;
}): Promise<{ hasWeights: boolean; findings: Finding[] }> {
  const { inventory, sanitize, config } = params;
  const weightPaths = new Set(
    [...sanitize.publish, ...sanitize.rewrites].filter((p) => p.role === "weights").map((p) => p.path),
  );
  const conversions = sanitize.conversions ?? [];
  const hasWeights = weightPaths.size > 0 || conversions.length > 0;
  const tensors: SanityTensor[] = [
    ...inventory.files
      .filter((f) => weightPaths.has(f.path))
      .flatMap((f) => (f.safetensors?.tensors ?? []).map((t) => ({ name: t.name, shape: t.shape }))),
    ...conversions.flatMap((c) => c.tensors.map((t) => ({ name: t.name, shape: t.shape }))),
  ];
  const configFile = inventory.files.find((f) => f.path === "config.json");
  let configJson: Record<string, unknown> | undefined;
  if (configFile) {
    try {
      const parsed: unknown = JSON.parse(await readFile(configFile.absPath, "utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        configJson = parsed as Record<string, unknown>;
    } catch {
      // A malformed config.json is the sanitizer's finding, not the sanity check's.
      configJson = undefined;
    }
  }
  return {
    hasWeights,
    findings: planReleaseSanity({
      tensors,
      hasWeights,
      configJson,
      baseModel: config.base_model,
      baseModelRelation: config.base_model_relation,
      adapter:
        inventory.layout === "peft-adapter" || inventory.files.some((f) => /(^|\/)adapter_config\.json$/.test(f.path)),
    }),
  };
}
