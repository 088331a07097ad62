/**
 * How much GPU memory a release needs and the vLLM flags that follow: computed from the
 * checkpoint's parameter count, not guessed, so a 120B model is never shown with a one-GPU
 * `vllm serve`.
 */

/** GPU classes of the table: 80 GB (H100/A100) and the B200 (180 GB usable of 192 GB HBM3e). */
export const GPU_CLASSES = [
  { label: "80 GB (H100, A100)", gb: 80 },
  { label: "180 GB (B200)", gb: 180 },
] as const;
/** vLLM's default `--gpu-memory-utilization`. */
const USABLE_FRACTION = 0.9;
/** Room for the KV cache and activations on top of the weights. */
const OVERHEAD = 1.2;
/** Tensor parallelism beyond one 8-GPU node needs pipeline parallelism across nodes. */
const MAX_TP = 8;

export interface HardwareRow {
  precision: string;
  bytesPerParameter: number;
  weightsGb: number;
  /** GPUs per class (same order as GPU_CLASSES); undefined when more than one node is needed. */
  gpus: (number | undefined)[];
}

export interface HardwarePlan {
  parameters: number;
  /** The checkpoint's own precision (first row). */
  rows: HardwareRow[];
  /** `--tensor-parallel-size` for the checkpoint precision, per GPU class. */
  tensorParallel: (number | undefined)[];
  /** `--max-model-len`: the fine-tuning context, when the config gives it. */
  maxModelLen?: number;
}

const BYTES: Record<string, number> = { F32: 4, BF16: 2, F16: 2, F8_E4M3: 1, F8_E5M2: 1, I8: 1, U8: 1 };

/** The smallest power-of-two GPU count whose usable memory holds the weights plus overhead. */
function gpusFor(weightsGb: number, gpuGb: number, heads?: number): number | undefined {
  for (let n = 1; n <= MAX_TP; n *= 2) {
    if (heads !== undefined && heads % n !== 0) continue;
    if (n * gpuGb * USABLE_FRACTION >= weightsGb * OVERHEAD) return n;
  }
  return undefined;
}

/** Hyperparameter names that hold the fine-tuning context length. */
const CONTEXT_KEYS = ["max_sequence_length", "max_seq_length", "max_seq_len", "cutoff_len", "model_max_length"];

/**
 * Memory per precision and GPUs needed, from the parameter count and tensor dtypes. Pure.
 *
 * @param heads attention heads (config.json `num_attention_heads`): the tensor-parallel size must divide them.
 */
export function planInferenceHardware(params: {
  parameters: number;
  dtypes: Record<string, { parameters: number }>;
  heads?: number;
  hyperparameters?: Record<string, string | number | boolean>;
}): HardwarePlan {
  const { parameters, dtypes, heads } = params;
  // The checkpoint's dominant dtype by parameter count.
  const main = Object.entries(dtypes).sort((a, b) => b[1].parameters - a[1].parameters)[0]?.[0] ?? "BF16";
  const own = BYTES[main] ?? 2;
  const precisions: [string, number][] = [
    [`${main} (as released)`, own],
    ...(own > 1 ? ([["FP8 (vLLM `--quantization fp8`)", 1]] as [string, number][]) : []),
    ["4-bit (AWQ/GPTQ, after quantisation)", 0.5],
  ];
  const rows = precisions.map(([precision, b]): HardwareRow => {
    const weightsGb = (parameters * b) / 1e9;
    return {
      precision,
      bytesPerParameter: b,
      weightsGb,
      gpus: GPU_CLASSES.map((g) => gpusFor(weightsGb, g.gb, heads)),
    };
  });
  const hp = params.hyperparameters ?? {};
  const ctxKey = CONTEXT_KEYS.find((k) => typeof hp[k] === "number");
  return {
    parameters,
    rows,
    tensorParallel: rows[0]!.gpus,
    maxModelLen: ctxKey ? (hp[ctxKey] as number) : undefined,
  };
}
