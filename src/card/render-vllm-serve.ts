import type { InferenceProfile } from "./inference-profiles.js";
import { GPU_CLASSES, type HardwarePlan } from "./plan-inference-hardware.js";

/** Qwen-VL pixel budget of the examples: 256 to 1280 patches of the vision encoder's merge size. */
export function qwenPixelBudget(architecture?: string): { unit: number; min: number; max: number } {
  // Qwen2.5-VL merges 2×2 patches of 14 px (28 px); Qwen3-VL 2×2 patches of 16 px (32 px).
  const unit = architecture?.startsWith("Qwen3VL") ? 32 : 28;
  return { unit, min: 256 * unit * unit, max: 1280 * unit * unit };
}

/**
 * The `vllm serve` command line of a release: tensor parallelism from the hardware plan (80 GB
 * class; the B200 count is given in a comment), `--max-model-len` from the fine-tuning context,
 * image limits for VLMs, the family's tokenizer and parser flags. Pure.
 */
export function renderVllmServe(params: {
  repo: string;
  revision: string;
  profile: InferenceProfile;
  hardware: HardwarePlan;
  architecture?: string;
  /** Checkpoint-relative paths of the published files (Mistral-format files change the flags). */
  files: readonly string[];
}): { flags: string[]; command: string; b200Note?: string } {
  const { repo, revision, profile, hardware, files } = params;
  const flags: string[] = [`--revision ${revision}`];
  const tp = hardware.tensorParallel[0];
  flags.push(`--tensor-parallel-size ${tp ?? 8}`);
  if (tp === undefined) flags.push("--pipeline-parallel-size 2");
  if (hardware.maxModelLen !== undefined) flags.push(`--max-model-len ${hardware.maxModelLen}`);
  switch (profile.family) {
    case "r1-distill":
      flags.push("--reasoning-parser deepseek_r1");
      break;
    case "mistral":
      // mistral_common renders the prompt exactly as in training when the Tekken file is shipped;
      // the Mistral config/weights format only when the checkpoint is in that format.
      if (files.includes("tekken.json")) flags.push("--tokenizer-mode mistral");
      if (files.includes("params.json")) flags.push("--config-format mistral", "--load-format mistral");
      flags.push("--tool-call-parser mistral", "--enable-auto-tool-choice");
      break;
    case "qwen-vl": {
      const b = qwenPixelBudget(params.architecture);
      flags.push(`--limit-mm-per-prompt '{"image": 1}'`);
      flags.push(`--mm-processor-kwargs '{"min_pixels": ${b.min}, "max_pixels": ${b.max}}'`);
      break;
    }
    case "llama-vision":
      // Mllama's cross-attention states are large: fewer concurrent sequences fit.
      flags.push(`--limit-mm-per-prompt '{"image": 1}'`, "--max-num-seqs 16");
      break;
    default:
      break;
  }
  const b200 = hardware.tensorParallel[1];
  const b200Note =
    tp !== b200
      ? `On ${GPU_CLASSES[1].label} GPUs use --tensor-parallel-size ${b200 ?? "8 with --pipeline-parallel-size 2"}.`
      : undefined;
  return {
    flags,
    command: `vllm serve ${repo} \\\n  ${flags.join(" \\\n  ")}`,
    b200Note,
  };
}
