import { basename } from "node:path";
import { openTorchCheckpoint } from "./open-torch-checkpoint.js";
import type { TorchConversionPlan } from "./plan-safetensors-layout.js";

/**
 * Reads a torch checkpoint and plans its conversion to safetensors without executing anything:
 * the pickle is scanned (dangerous and unknown imports become findings) and then interpreted
 * symbolically as a plain state dict. Non-contiguous tensors, nested containers, non-tensor
 * values, unsupported dtypes and corrupt files become blocking findings; tensors sharing a
 * storage (tied weights) get a warning because each is written with its own copy of the bytes
 * (safetensors forbids overlapping tensors).
 */
export async function readTorchConversionPlan(
  source: string,
  params: { file?: string; stateDictKey?: string } = {},
): Promise<TorchConversionPlan> {
  const { plan, close } = await openTorchCheckpoint(source, params.file ?? basename(source), params.stateDictKey);
  await close();
  return plan;
}
