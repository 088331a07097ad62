/**
 * Which pickles are model weights that the build converts to safetensors, and under what name.
 *
 * The rule (pure, from top-level names only; content decides later):
 * - `pytorch_model.bin` → `model.safetensors`;
 * - `pytorch_model-0000X-of-0000N.bin` → `model-0000X-of-0000N.safetensors` (with the index
 *   regenerated as `model.safetensors.index.json`);
 * - `adapter_model.bin` → `adapter_model.safetensors` (PEFT);
 * - `model.pt` / `model.pth` → `model.safetensors`, unless a `pytorch_model*.bin` claims that name;
 * - any other top-level `*.pt` / `*.pth` → `model.safetensors` only when it is the one and only
 *   weight pickle candidate (training state such as optimizer.pt or rng_state.pth is dropped by
 *   name before this rule is asked). Two candidates are ambiguous: neither is converted.
 *
 * A name only nominates a file: it is converted only when its pickle is a plain state dict whose
 * imports are all on the allowlist; anything else blocks with the pickle's own finding. Files in
 * sub-folders are never nominated (a release publishes the top level).
 */
export function planWeightPickleTarget(path: string, paths: readonly string[]): string | undefined {
  if (path.includes("/")) return undefined;
  if (path === "pytorch_model.bin") return "model.safetensors";
  const shard = /^pytorch_model-(\d{5})-of-(\d{5})\.bin$/.exec(path);
  if (shard) return `model-${shard[1]}-of-${shard[2]}.safetensors`;
  if (path === "adapter_model.bin") return "adapter_model.safetensors";
  if (!/\.(?:pt|pth)$/.test(path)) return undefined;
  const top = paths.filter((p) => !p.includes("/"));
  if (top.some((p) => p === "pytorch_model.bin" || /^pytorch_model-\d{5}-of-\d{5}\.bin$/.test(p))) return undefined;
  if (/^model\.(?:pt|pth)$/.test(path)) return "model.safetensors";
  if (top.some((p) => /^model\.(?:pt|pth)$/.test(p))) return undefined;
  const candidates = top.filter((p) => /\.(?:pt|pth)$/.test(p) && !NOT_WEIGHTS.test(p));
  return candidates.length === 1 && candidates[0] === path ? "model.safetensors" : undefined;
}

/** Top-level torch files that hold training state, never weights (mirrors the drop rules). */
const NOT_WEIGHTS =
  /^(?:optimizer(?:_\d+)?|scheduler|lr_scheduler|scaler|rng_state(?:_\d+)?|model_optim_rng|distrib_optim|common|training_args)\.(?:pt|pth)$|_(?:model|optim)_states\.pt$/;

/** True for the index of sharded pickle weights (`pytorch_model.bin.index.json`). */
export function isPickleWeightsIndex(path: string): boolean {
  return path === "pytorch_model.bin.index.json";
}
