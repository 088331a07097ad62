import type { CheckpointLayout, SniffedFormat } from "./types.js";

/**
 * Names the training framework that left a checkpoint behind, from its file list (paths and
 * sniffed formats). Pure. The most specific layout wins: a Trainer checkpoint written under
 * DeepSpeed holds `global_stepN/`, and what matters for a release is that its weights are
 * ZeRO shards, not that a Trainer wrote them.
 */
export function detectCheckpointLayout(params: {
  rootName: string;
  files: { path: string; format: SniffedFormat }[];
}): CheckpointLayout {
  const { files, rootName } = params;
  const paths = files.map((f) => f.path);
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  const has = (re: RegExp) => paths.some((p) => re.test(p));
  const hasBase = (re: RegExp) => paths.some((p) => re.test(base(p)));

  // DeepSpeed: engine.save_checkpoint writes <tag>/..._model_states.pt and a `latest` tag file.
  if (has(/(^|\/)global_step\d+\//) || hasBase(/_(model|optim)_states\.pt$/) || /^global_step\d+$/.test(rootName))
    return "deepspeed";
  // Megatron-LM: iter_NNNNNNN/ (or release/) with mp_rank_XX, and the iteration tracker file.
  if (has(/(^|\/)iter_\d{7}\//) || hasBase(/^latest_checkpointed_iteration\.txt$/) || /^iter_\d{7}$/.test(rootName))
    return "megatron";
  // torch.distributed.checkpoint: __<rank>_<n>.distcp data files plus a pickled `.metadata`.
  if (hasBase(/\.distcp$/)) return "fsdp-dcp";
  if (hasBase(/^adapter_config\.json$/)) return "peft-adapter";
  // HF Trainer: checkpoint-N/ with trainer_state.json and resumable state next to the model.
  if (
    /^checkpoint-\d+$/.test(rootName) ||
    hasBase(/^(trainer_state\.json|optimizer\.(pt|bin)|scheduler\.pt|rng_state(_\d+)?\.pth)$/)
  )
    return "hf-trainer";
  const safetensors = files.filter((f) => f.format === "safetensors");
  if (hasBase(/\.safetensors\.index\.json$/) && safetensors.length > 0) return "hf-sharded";
  if (safetensors.length > 0) return "hf";
  if (files.some((f) => f.format === "pickle" || f.format === "torch-zip")) return "pickle-only";
  return "unknown";
}
