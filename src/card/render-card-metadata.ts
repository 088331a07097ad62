import { MODEL_LIBRARIES_UI_ELEMENTS, PIPELINE_TYPES } from "@huggingface/tasks";
import { stringify } from "yaml";
import type { ReleaseConfig } from "../config/schema.js";
import type { Finding } from "../findings.js";
import type { LicencePlan } from "./plan-licence.js";
import { omitUndefined } from "../omit-undefined.js";

/** Hub ids: `owner/name` (base models and datasets in the card must be ids, never local paths). */
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** `co2_eq_emissions` in grams, and the numbers behind it, or undefined when training facts are missing. */
export interface Co2Estimate {
  gpu: string;
  gpuCount: number;
  hours: number;
  gpuHours: number;
  powerKw: number;
  pue: number;
  intensity: number;
  energyKwh: number;
  kg: number;
  region?: string;
}

/** GPU-hours × average kW × PUE × grid kg CO2eq/kWh. Pure. */
export function estimateCo2(training: ReleaseConfig["training"]): Co2Estimate | undefined {
  if (!training) return undefined;
  const { gpu, gpu_count, hours, gpu_power_watts, grid_carbon_intensity } = training;
  if (
    gpu === undefined ||
    gpu_count === undefined ||
    hours === undefined ||
    gpu_power_watts === undefined ||
    grid_carbon_intensity === undefined
  )
    return undefined;
  const pue = training.pue ?? 1;
  const gpuHours = gpu_count * hours;
  const energyKwh = (gpuHours * gpu_power_watts * pue) / 1000;
  const kg = energyKwh * grid_carbon_intensity;
  return {
    gpu,
    gpuCount: gpu_count,
    hours,
    gpuHours,
    powerKw: gpu_power_watts / 1000,
    pue,
    intensity: grid_carbon_intensity,
    energyKwh: round(energyKwh, 3),
    kg: round(kg, 3),
    region: training.region || undefined,
  };
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/**
 * The card's YAML front matter, in the Hub's model card metadata format. Checks `pipeline_tag`
 * and `library_name` against `@huggingface/tasks`, `base_model` and `datasets` against the Hub id
 * shape (the Hub rejects local paths). Pure.
 *
 * The Hub's own validation (`/api/validate-yaml`) stays the authority; this catches the common
 * mistakes offline.
 */
export function renderCardMetadata(params: {
  config: ReleaseConfig;
  licence: LicencePlan;
  co2?: Co2Estimate;
  modelIndex?: unknown[];
}): { yaml: string; data: Record<string, unknown>; findings: Finding[] } {
  const { config, licence, co2, modelIndex } = params;
  const findings: Finding[] = [];
  const block = (field: string, message: string) =>
    findings.push({ rule: "card-metadata", severity: "block", file: "README.md", pointer: `/${field}`, message });
  if (!(PIPELINE_TYPES as readonly string[]).includes(config.task)) {
    block(
      "pipeline_tag",
      `pipeline_tag ${JSON.stringify(config.task)} (config 'task') is not a Hub pipeline type; use one of @huggingface/tasks PIPELINE_TYPES, e.g. text-generation or image-text-to-text`,
    );
  }
  if (!Object.hasOwn(MODEL_LIBRARIES_UI_ELEMENTS, config.library_name)) {
    block(
      "library_name",
      `library_name ${JSON.stringify(config.library_name)} is not a Hub library; use a key of @huggingface/tasks MODEL_LIBRARIES_UI_ELEMENTS, e.g. transformers or peft`,
    );
  }
  if (!HUB_ID.test(config.base_model))
    block(
      "base_model",
      `base_model ${JSON.stringify(config.base_model)} must be a Hub model id (owner/name), not a path`,
    );
  config.card.datasets.forEach((d, i) => {
    if (!HUB_ID.test(d))
      block(`datasets/${i}`, `datasets[${i}] ${JSON.stringify(d)} must be a Hub dataset id (owner/name), not a path`);
  });
  const tags = [
    ...new Set([
      ...config.card.tags,
      ...(config.task === "text-generation" || config.task === "image-text-to-text" ? ["conversational"] : []),
    ]),
  ];
  // Front matter the Hub validates: absent fields are left out, never written as empty keys.
  const data: Record<string, unknown> = omitUndefined({
    license: licence.license,
    license_name: licence.license_name || undefined,
    license_link: licence.license_link || undefined,
    library_name: config.library_name,
    pipeline_tag: config.task,
    base_model: config.base_model,
    base_model_relation: config.base_model_relation,
    language: config.card.language,
    tags,
    ...(config.card.datasets.length > 0 ? { datasets: config.card.datasets } : {}),
    co2_eq_emissions: co2
      ? omitUndefined({
          emissions: Math.round(co2.kg * 1000),
          source: "estimate: GPU-hours x GPU power x PUE x grid carbon intensity",
          training_type: config.training?.training_type ?? "fine-tuning",
          geographical_location: co2.region,
          hardware_used: `${co2.gpuCount} x ${co2.gpu}`,
        })
      : undefined,
    ...(modelIndex && modelIndex.length > 0 ? { "model-index": modelIndex } : {}),
  });
  return { yaml: stringify(data, { lineWidth: 0 }), data, findings };
}
