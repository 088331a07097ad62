import type { Finding } from "../findings.js";

/** A tensor as the release publishes it (inspected safetensors, or planned from a pickle conversion). */
export interface SanityTensor {
  name: string;
  shape: number[];
}

export interface ReleaseSanityInput {
  /** Tensors of every published weight file. */
  tensors: SanityTensor[];
  /** Whether any weight file is published at all. */
  hasWeights: boolean;
  /** The checkpoint's config.json, parsed; undefined when it has none. */
  configJson?: Record<string, unknown>;
  baseModel: string;
  /** `adapter` releases hold LoRA/PEFT deltas: their shapes are not the base architecture's. */
  baseModelRelation: string;
  /** The checkpoint is a PEFT adapter (adapter_config.json beside the weights). */
  adapter: boolean;
}

/** How far the parameter count may stray from the one config.json implies (embeddings, biases, norms, padding). */
const PARAMETER_TOLERANCE = 0.25;

/**
 * Model families by base model id, with the `model_type` values their checkpoints carry. The most
 * specific pattern comes first: an R1 distill is a Qwen2 or a Llama, Llama 3.2 Vision is `mllama`.
 */
const FAMILIES: { id: RegExp; family: string; modelTypes: string[] }[] = [
  { id: /deepseek-r1-distill-qwen/i, family: "qwen2 (DeepSeek-R1 distill)", modelTypes: ["qwen2"] },
  { id: /deepseek-r1-distill-llama/i, family: "llama (DeepSeek-R1 distill)", modelTypes: ["llama"] },
  { id: /deepseek/i, family: "deepseek", modelTypes: ["deepseek_v2", "deepseek_v3", "deepseek_v32"] },
  { id: /llama-3\.2-\d+b-vision/i, family: "mllama (Llama 3.2 Vision)", modelTypes: ["mllama"] },
  { id: /llama/i, family: "llama", modelTypes: ["llama", "llama4", "llama4_text"] },
  { id: /qwen2\.5-vl/i, family: "qwen2_5_vl", modelTypes: ["qwen2_5_vl"] },
  { id: /qwen3-vl/i, family: "qwen3_vl", modelTypes: ["qwen3_vl", "qwen3_vl_moe"] },
  { id: /qwen3/i, family: "qwen3", modelTypes: ["qwen3", "qwen3_moe", "qwen3_next"] },
  { id: /qwen2|qwen-2/i, family: "qwen2", modelTypes: ["qwen2", "qwen2_moe"] },
  { id: /gpt-oss/i, family: "gpt_oss", modelTypes: ["gpt_oss"] },
  {
    id: /devstral|mistral|ministral|magistral/i,
    family: "mistral",
    modelTypes: ["mistral", "mistral3", "ministral", "ministral3", "mixtral", "pixtral"],
  },
  { id: /dinov2/i, family: "dinov2", modelTypes: ["dinov2", "dinov2_with_registers"] },
];

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined);

/**
 * Checks that what is released is what config.json says it is: the shapes of the embeddings, the
 * attention and the output head, the number of layers and the parameter count against hidden
 * size, layers, vocabulary and heads (tied embeddings and MoE tolerated; adapters skipped), and
 * that the checkpoint's `model_type` belongs to the family of `base_model`. Pure. Findings block
 * the build (exit 3) unless the config accepts them in `sanitize.allow_findings` with a reason,
 * which the manifest records. A release without weights is not a finding but an input error,
 * raised by the caller.
 */
export function planReleaseSanity(input: ReleaseSanityInput): Finding[] {
  const findings: Finding[] = [];
  const c = input.configJson;
  if (!c) return findings;
  const modelType = typeof c.model_type === "string" ? c.model_type : undefined;
  const arch =
    Array.isArray(c.architectures) && typeof c.architectures[0] === "string" ? c.architectures[0] : undefined;
  const family = FAMILIES.find((f) => f.id.test(input.baseModel));
  if (family && modelType && !family.modelTypes.includes(modelType))
    findings.push({
      rule: "base-model-family",
      severity: "block",
      file: "config.json",
      pointer: "/model_type",
      message: `config.json is a ${modelType}${arch ? ` (${arch})` : ""} checkpoint, but base_model ${input.baseModel} is of the ${family.family} family`,
    });
  if (input.adapter || input.baseModelRelation === "adapter" || !input.hasWeights) return findings;

  // Text models keep these at the top; vision-language models in `text_config`.
  const text = (typeof c.text_config === "object" && c.text_config !== null ? c.text_config : c) as Record<
    string,
    unknown
  >;
  const hidden = num(text.hidden_size) ?? num(text.n_embd) ?? num(text.d_model);
  const layers = num(text.num_hidden_layers) ?? num(text.n_layer) ?? num(text.num_layers);
  const vocab = num(text.vocab_size) ?? num(c.vocab_size);
  const heads = num(text.num_attention_heads) ?? num(text.n_head);
  const kvHeads = num(text.num_key_value_heads) ?? heads;
  const headDim = num(text.head_dim) ?? (hidden && heads ? hidden / heads : undefined);
  const intermediate = num(text.intermediate_size);
  const moe = [text.num_local_experts, text.num_experts, text.n_routed_experts].some((v) => num(v) !== undefined);
  const tied = text.tie_word_embeddings === true || c.tie_word_embeddings === true;
  const mismatch = (pointer: string, message: string) =>
    findings.push({ rule: "config-shape-mismatch", severity: "block", file: "config.json", pointer, message });

  // The language model's tensors only: a vision tower has its own layers and widths.
  const lm = input.tensors.filter((t) => !/(^|\.)(vision|visual|vision_tower|vision_model|image)/.test(t.name));
  const find = (re: RegExp) => lm.find((t) => re.test(t.name));
  const embed = find(/(^|\.)(embed_tokens|wte|word_embeddings|tok_embeddings)\.weight$/);
  if (embed && embed.shape.length === 2) {
    const [rows, cols] = embed.shape as [number, number];
    if (vocab && rows !== vocab)
      mismatch("/vocab_size", `${embed.name} has ${rows} rows, config.json vocab_size is ${vocab}`);
    if (hidden && cols !== hidden)
      mismatch("/hidden_size", `${embed.name} is ${cols} wide, config.json hidden_size is ${hidden}`);
  }
  const head = find(/(^|\.)lm_head\.weight$/);
  if (head && head.shape.length === 2 && hidden && head.shape[1] !== hidden)
    mismatch("/hidden_size", `${head.name} is ${head.shape[1]} wide, config.json hidden_size is ${hidden}`);
  if (!head && embed && text.tie_word_embeddings === false)
    mismatch("/tie_word_embeddings", "config.json says the embeddings are not tied, but there is no lm_head.weight");

  const layerIndex = /(?:^|\.)(?:layers|h|layer|blocks)\.(\d+)\./;
  const seen = new Set(lm.map((t) => layerIndex.exec(t.name)?.[1]).filter((i): i is string => i !== undefined));
  if (layers && seen.size > 0 && seen.size !== layers)
    mismatch("/num_hidden_layers", `the weights have ${seen.size} layers, config.json num_hidden_layers is ${layers}`);

  const q = find(/(?:layers|h|layer)\.0\.(?:self_attn|attn|attention)\.q_proj\.weight$/);
  if (q && q.shape.length === 2 && hidden && heads && headDim) {
    if (q.shape[0] !== heads * headDim || q.shape[1] !== hidden)
      mismatch(
        "/num_attention_heads",
        `${q.name} is [${q.shape.join(", ")}], config.json implies [${heads * headDim}, ${hidden}] (${heads} heads of ${headDim})`,
      );
  }

  // Dense decoders only: the count config.json implies (attention, gated MLP, embeddings, head).
  if (!moe && hidden && layers && vocab && heads && kvHeads && headDim && intermediate && findings.length === 0) {
    const attention = hidden * heads * headDim * 2 + hidden * kvHeads * headDim * 2;
    const mlp = 3 * hidden * intermediate;
    const expected = layers * (attention + mlp) + vocab * hidden * (tied ? 1 : 2);
    const actual = lm.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    if (actual > 0 && Math.abs(actual - expected) > expected * PARAMETER_TOLERANCE)
      mismatch(
        "",
        `the weights hold ${actual.toLocaleString("en")} parameters, config.json describes about ${expected.toLocaleString("en")}`,
      );
  }
  return findings;
}
