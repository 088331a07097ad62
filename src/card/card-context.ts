import type { Inventory } from "../checkpoint/types.js";
import type { ReleaseConfig } from "../config/schema.js";
import type { EvalReport } from "../evals/types.js";
import type { SanitizePlan } from "../sanitize/types.js";
import type { InferenceProfile } from "./inference-profiles.js";
import type { LicencePlan } from "./plan-licence.js";
import type { Co2Estimate } from "./render-card-metadata.js";
import type { ExampleFile } from "./render-examples.js";
import type { HardwarePlan } from "./plan-inference-hardware.js";

export type CardLanguage = "en" | "ko";

/** What the card reads from the checkpoint's config.json. */
export interface CheckpointModelConfig {
  transformers_version?: string;
  num_attention_heads?: number;
  max_position_embeddings?: number;
}

/** Everything a card needs, computed once and shared by both languages. */
export interface CardContext {
  config: ReleaseConfig;
  version: string;
  tag: string;
  date?: string;
  inventory: Inventory;
  sanitize?: SanitizePlan;
  evals?: EvalReport;
  licence: LicencePlan;
  co2?: Co2Estimate;
  examples: ExampleFile[];
  profile: InferenceProfile;
  hardware: HardwarePlan;
  /** Minimum `transformers` the examples pin. */
  transformersMin: string;
  modelConfig?: CheckpointModelConfig;
  chartPath?: string;
  hubUrl: string;
  githubUrl: string;
}
