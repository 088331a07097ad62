import type { FileRole } from "../bundle/types.js";
import type { Inventory, InventoryFile } from "../checkpoint/types.js";
import type { SanitizeConfig } from "../config/schema.js";
import type { SanitizePlan } from "./types.js";

/**
 * MINIMAL PLACEHOLDER of the sanitize stage (the sanitize helper replaces this body): a
 * fail-closed allowlist by name *and* sniffed content. Safetensors weights and their index,
 * config.json, generation_config.json and tokenizer files are published; everything else is
 * dropped with a reason. No scrubbing, no secret scan, no overrides yet.
 */
export async function planSanitize(params: { inventory: Inventory; config: SanitizeConfig }): Promise<SanitizePlan> {
  const plan: SanitizePlan = { publish: [], dropped: [], rewrites: [], findings: [] };
  for (const file of params.inventory.files) {
    const decision = classify(file);
    if (typeof decision === "string") plan.publish.push({ path: file.path, absPath: file.absPath, role: decision });
    else plan.dropped.push({ path: file.path, reason: decision.reason });
  }
  return plan;
}

const TOKENIZER_FILES = new Set(["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "chat_template.jinja"]);

function classify(f: InventoryFile): FileRole | { reason: string } {
  if (f.path.includes("/")) return { reason: "not at the top level of the checkpoint (nested folders hold training state)" };
  if (f.format === "safetensors" && f.path.endsWith(".safetensors")) return "weights";
  if (f.format === "json") {
    if (f.path.endsWith(".safetensors.index.json")) return "weights-index";
    if (f.path === "config.json" || f.path === "generation_config.json") return "config";
    if (TOKENIZER_FILES.has(f.path)) return "tokenizer";
  }
  if (f.format === "pickle" || f.format === "torch-zip") return { reason: `${f.format} content: pickles can run code when loaded and are never published` };
  return { reason: `not on the publish allowlist (${f.format})` };
}
