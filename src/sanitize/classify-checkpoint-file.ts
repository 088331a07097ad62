import type { FileRole } from "../bundle/types.js";
import type { InventoryFile, SniffedFormat } from "../checkpoint/types.js";
import type { SanitizeConfig } from "../config/schema.js";
import { matchGlob } from "./match-glob.js";
import { isPickleWeightsIndex, planWeightPickleTarget } from "./plan-weight-pickle-target.js";

export type FileDecision =
  | {
      action: "publish";
      role: FileRole;
      overrideReason?: string;
      scrub: "json-metadata" | "safetensors-header" | "none";
    }
  | { action: "drop"; reason: string; configured?: boolean }
  /** Pickle weights without a safetensors counterpart: converted to `target` if the pickle is a plain state dict. */
  | { action: "convert"; role: "weights"; target: string }
  | { action: "block"; rule: string; reason: string; hint: string };

/**
 * Training state that never leaves the cluster, matched on the path (name or any folder). Order
 * matters only for the reason shown. Sources: reference/release-security.md §1 and §8.
 */
const TRAINING_STATE: { re: RegExp; reason: string }[] = [
  {
    re: /(?:^|\/)(?:checkpoint-\d+|last-checkpoint)\//,
    reason: "intermediate Trainer checkpoint (resumable training state)",
  },
  { re: /(?:^|\/)training_args\.bin$/, reason: "training arguments pickle (holds hub_token, paths, run names)" },
  { re: /(?:^|\/)trainer_state\.json$/, reason: "Trainer state (log history, best checkpoint path, trial parameters)" },
  { re: /(?:^|\/)(?:optimizer(?:_\d+)?\.(?:pt|bin|pth)|optimizer_\d+\/|optimizer\/)/, reason: "optimizer state" },
  { re: /(?:^|\/)(?:scheduler|lr_scheduler)\.(?:pt|bin|pth)$/, reason: "learning-rate scheduler state" },
  { re: /(?:^|\/)scaler\.pt$/, reason: "mixed-precision grad scaler state" },
  { re: /(?:^|\/)(?:rng_state(?:_\d+)?\.pth|random_states_\d+\.pkl)$/, reason: "RNG states" },
  {
    re: /(?:^|\/)(?:sampler(?:_\d+)?\.bin|dl_state_dict(?:_\d+)?\.bin|custom_checkpoint_\d+\.pkl)$/,
    reason: "accelerate training state",
  },
  { re: /(?:^|\/)global_step\d+\//, reason: "DeepSpeed checkpoint folder" },
  { re: /(?:^|\/)(?:latest|latest_universal)$/, reason: "DeepSpeed 'latest' tag file" },
  { re: /(?:^|\/)zero_to_fp32\.py$/, reason: "DeepSpeed recovery script (loads pickles with weights_only=False)" },
  { re: /_(?:model|optim)_states\.pt$/, reason: "DeepSpeed model/optimizer states (pickle with ds_config)" },
  { re: /(?:^|\/)pytorch_model_fsdp[^/]*(?:\/|$)/, reason: "FSDP state dict" },
  { re: /\.distcp$/, reason: "torch distributed checkpoint shard" },
  { re: /(?:^|\/)\.metadata$/, reason: "torch distributed checkpoint metadata (pickle with the writer's path)" },
  { re: /(?:^|\/)(?:iter_\d+|release|mp_rank_\d+[^/]*)\//, reason: "Megatron checkpoint folder" },
  {
    re: /(?:^|\/)(?:latest_checkpointed_iteration\.txt|model_optim_rng\.pt|distrib_optim\.pt|common\.pt)$/,
    reason: "Megatron training state",
  },
  { re: /\.(?:nemo|ckpt)$/, reason: "NeMo/Lightning archive (weights with optimizer state and config)" },
  {
    re: /(?:^|\/)(?:runs|tensorboard|tb_logs|lightning_logs)\//,
    reason: "TensorBoard logs (run directory names carry host names)",
  },
  { re: /(?:^|\/)events\.out\.tfevents\./, reason: "TensorBoard event file" },
  { re: /(?:^|\/)(?:wandb|mlruns|\.neptune|comet_ml|\.aim)\//, reason: "experiment tracker folder" },
  { re: /\.pt\.trace\.json(?:\.gz)?$/, reason: "PyTorch profiler trace (named after the host and process)" },
  { re: /\.(?:nsys-rep|qdrep|ncu-rep)$/, reason: "Nsight profiler report (host, environment and command line)" },
  { re: /(?:^|\/)core(?:\.[^/]+)?\.\d+$|(?:^|\/)core$/, reason: "core dump (process memory)" },
  {
    re: /(?:^|\/)(?:samples_[^/]*\.jsonl|[^/]*predictions[^/]*\.jsonl?|eval_samples[^/]*|generations[^/]*\.jsonl)$/,
    reason: "evaluation sample dump (raw prompts and outputs)",
  },
  {
    re: /(?:^|\/)(?:[^/]*_results\.json|all_results\.json|eval_results\.json)$/,
    reason: "raw metrics file (curated results come from the evals config)",
  },
  {
    re: /(?:^|\/)(?:\.env(?:\.[^/]*)?|\.netrc|\.git-credentials|\.npmrc|\.pypirc)$/,
    reason: "environment or credentials file",
  },
  { re: /(?:^|\/)\.git\//, reason: "git metadata" },
  { re: /(?:\.log|\.out|\.err)$|(?:^|\/)(?:logs?|slurm[^/]*)\//, reason: "log file" },
  { re: /(?:^|\/)README\.md$/, reason: "checkpoint card draft (the release card is generated)" },
  { re: /(?:^|\/)__pycache__\/|\.pyc$/, reason: "Python bytecode cache" },
];

/** Published names, with the sniffed formats each accepts. Content decides; the name only picks the role. */
const PUBLISH: { re: RegExp; role: FileRole; formats: SniffedFormat[]; scrub: "json-metadata" | "none" }[] = [
  {
    re: /^(?:[^/]+\/)?[^/]+\.safetensors\.index\.json$/,
    role: "weights-index",
    formats: ["json"],
    scrub: "json-metadata",
  },
  {
    re: /^(?:config|generation_config|adapter_config)\.json$/,
    role: "config",
    formats: ["json"],
    scrub: "json-metadata",
  },
  {
    re: /^(?:tokenizer_config|special_tokens_map|added_tokens)\.json$/,
    role: "tokenizer",
    formats: ["json"],
    scrub: "json-metadata",
  },
  { re: /^(?:tokenizer|vocab)\.json$/, role: "tokenizer", formats: ["json"], scrub: "none" },
  { re: /^(?:merges|vocab)\.txt$/, role: "tokenizer", formats: ["text", "empty"], scrub: "none" },
  // SentencePiece and tiktoken models are protobuf / base64 lists: not JSON, not pickle.
  {
    re: /^(?:tokenizer|spiece|sentencepiece(?:\.bpe)?|[^/]*\.tiktoken)\.model$|^[^/]*\.tiktoken$/,
    role: "tokenizer",
    formats: ["binary", "text"],
    scrub: "none",
  },
  { re: /^chat_template\.(?:jinja|json)$|^[^/]*\.jinja$/, role: "tokenizer", formats: ["text", "json"], scrub: "none" },
  {
    re: /^(?:preprocessor_config|processor_config|image_processor_config|video_preprocessor_config|feature_extractor_config)\.json$/,
    role: "processor",
    formats: ["json"],
    scrub: "json-metadata",
  },
  {
    // USE_POLICY.md ships with Llama checkpoints, USAGE_POLICY with gpt-oss ones.
    re: /^(?:LICENSE|LICENCE|COPYING|NOTICE|USE_POLICY|USAGE_POLICY)(?:\.(?:md|txt))?$/i,
    role: "licence",
    formats: ["text"],
    scrub: "none",
  },
];

/**
 * The allowlist policy for one file. Fail closed: only known names whose sniffed content agrees
 * are published; training state is dropped with a reason; anything else blocks unless the
 * config lists it with a written reason.
 */
export function classifyCheckpointFile(
  file: InventoryFile,
  config: SanitizeConfig,
  /** `paths`: every checkpoint-relative path, for the weight-pickle rule (`planWeightPickleTarget`). */
  ctx: { hasSafetensorsWeights: boolean; paths?: readonly string[] },
): FileDecision {
  const drop = config.drop.find((d) => matchGlob(d.path, file.path));
  if (drop) return { action: "drop", reason: `config: ${drop.reason}`, configured: true };
  const allow = config.allow.find((a) => matchGlob(a.path, file.path));
  if (allow)
    return {
      action: "publish",
      role: "other",
      overrideReason: allow.reason,
      scrub: file.format === "json" ? "json-metadata" : "none",
    };

  for (const rule of TRAINING_STATE) if (rule.re.test(file.path)) return { action: "drop", reason: rule.reason };

  if (file.format === "safetensors") {
    if (/\.safetensors$/.test(file.path)) return { action: "publish", role: "weights", scrub: "safetensors-header" };
    return {
      action: "block",
      rule: "name-content-mismatch",
      reason: `safetensors content under a name that does not end in .safetensors`,
      hint: "Rename the file to *.safetensors.",
    };
  }
  if (file.format === "pickle" || file.format === "torch-zip") {
    if (
      ctx.hasSafetensorsWeights &&
      /(?:^|\/)(?:pytorch_model|adapter_model|model)[^/]*\.(?:bin|pt|pth)$/.test(file.path)
    ) {
      return { action: "drop", reason: "pickle weights (the safetensors weights are published instead)" };
    }
    const target = ctx.hasSafetensorsWeights ? undefined : planWeightPickleTarget(file.path, ctx.paths ?? [file.path]);
    if (target) return { action: "convert", role: "weights", target };
    return {
      action: "block",
      rule: "pickle-file",
      reason: `pickle content (${file.format}) is never published: loading it runs code`,
      hint: "Only top-level weight pickles (pytorch_model*.bin, adapter_model.bin, model.pt, or a lone *.pt) are converted to safetensors; convert this one yourself, or drop it in sanitize.drop with a reason.",
    };
  }
  if (isPickleWeightsIndex(file.path) && file.format === "json") {
    return {
      action: "drop",
      reason: ctx.hasSafetensorsWeights
        ? "index of the pickle weights (the safetensors weights are published instead)"
        : "index of the pickle weights (model.safetensors.index.json is generated from the converted shards)",
    };
  }
  const base = file.path.includes("/") ? undefined : file.path;
  for (const rule of PUBLISH) {
    const name = rule.role === "weights-index" ? file.path : base;
    if (name === undefined || !rule.re.test(name)) continue;
    if (!rule.formats.includes(file.format)) {
      return {
        action: "block",
        rule: "name-content-mismatch",
        reason: `named like a ${rule.role} file but the content sniffs as ${file.format}`,
        hint: "Replace the file with a valid one, or drop it in sanitize.drop with a reason.",
      };
    }
    return { action: "publish", role: rule.role, scrub: rule.scrub };
  }
  return {
    action: "block",
    rule: "unknown-file",
    reason: `not on the publish allowlist (content: ${file.format})`,
    hint: `Drop it (sanitize.drop) or publish it (sanitize.allow), each with a written reason: { path: "${file.path}", reason: "..." }.`,
  };
}
