import type { Finding } from "../findings.js";

/**
 * What a base model's licence lets a fine-tune do. Data, not prose: the licence of a derivative
 * depends on the exact base checkpoint (Devstral Small vs Devstral 2, Qwen2.5-VL 7B vs 72B vs 3B),
 * so each row matches model ids, not families. Sources are the base repos' LICENSE files and
 * cards (see docs/reference cards-evals §4); check a new base against its LICENSE before adding it.
 */
export interface BaseModelLicence {
  /** Short key, used in tests and messages. */
  key: string;
  /** Matches the Hub id of the base, case-insensitive. */
  match: RegExp;
  /** What the base is released under, as the Hub's `license` field spells it. */
  license: string;
  license_name?: string;
  license_link?: string;
  /** May the derivative be labelled `apache-2.0`? */
  allowsApache: boolean;
  /** Why not, or what comes with it: shown in refusals and in the card's licence section. */
  terms: string;
  /** Text the derivative must display (in the card and NOTICE). */
  attribution?: string;
  /** The released model's name (the Hub repo name) must start with this. */
  namePrefix?: string;
  /** Line(s) for the NOTICE file shipped with the weights. */
  notice: string;
  usagePolicy?: string;
}

export const BASE_MODEL_LICENCES: readonly BaseModelLicence[] = [
  {
    key: "gpt-oss",
    match: /^openai\/gpt-oss-(20b|120b)$/i,
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "gpt-oss is released under Apache-2.0 with OpenAI's gpt-oss usage policy; keep the LICENSE and NOTICE and state the modifications (Apache-2.0 §4).",
    notice:
      "This model is a modified version of gpt-oss by OpenAI, licensed under the Apache License, Version 2.0. Use is subject to the gpt-oss usage policy.",
    usagePolicy: "https://huggingface.co/openai/gpt-oss-120b/blob/main/USAGE_POLICY",
  },
  {
    key: "devstral-small",
    match: /^mistralai\/Devstral-Small-/i,
    license: "apache-2.0",
    allowsApache: true,
    terms: "Devstral Small is released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of Devstral Small by Mistral AI, licensed under the Apache License, Version 2.0.",
  },
  {
    key: "devstral-2",
    match: /^mistralai\/Devstral-2-/i,
    license: "other",
    license_name: "modified-mit",
    license_link: "https://huggingface.co/mistralai/Devstral-2-123B-Instruct-2512/blob/main/LICENSE",
    allowsApache: false,
    terms:
      "Devstral 2 (123B) is released under a modified MIT licence that withholds rights from companies above a revenue threshold; a derivative keeps that licence and cannot be relicensed as Apache-2.0.",
    notice:
      "This model is a modified version of Devstral 2 by Mistral AI, distributed under the Devstral 2 modified MIT licence (see license_link).",
  },
  {
    key: "qwen2.5-vl-72b",
    match: /^Qwen\/Qwen2\.5-VL-72B-/i,
    license: "other",
    license_name: "qwen",
    license_link: "https://huggingface.co/Qwen/Qwen2.5-VL-72B-Instruct/blob/main/LICENSE",
    allowsApache: false,
    terms:
      "Qwen2.5-VL-72B is released under the Qwen LICENSE AGREEMENT: a distributed fine-tune must prominently display 'Built with Qwen' or 'Improved using Qwen', and products above 100M monthly active users need a separate licence. It cannot be relabelled Apache-2.0.",
    attribution: "Built with Qwen",
    notice:
      "Built with Qwen. Qwen is licensed under the Qwen LICENSE AGREEMENT, Copyright (c) Alibaba Cloud. All Rights Reserved.",
  },
  {
    key: "qwen2.5-vl-3b",
    match: /^Qwen\/Qwen2\.5-VL-3B-/i,
    license: "other",
    license_name: "qwen-research",
    license_link: "https://huggingface.co/Qwen/Qwen2.5-VL-3B-Instruct/blob/main/LICENSE",
    allowsApache: false,
    terms:
      "Qwen2.5-VL-3B is released under the Qwen RESEARCH LICENSE AGREEMENT (non-commercial); a derivative cannot be Apache-2.0 and cannot be used commercially.",
    attribution: "Built with Qwen",
    notice:
      "Built with Qwen. Qwen is licensed under the Qwen RESEARCH LICENSE AGREEMENT, Copyright (c) Alibaba Cloud. All Rights Reserved.",
  },
  {
    key: "qwen2.5-vl",
    match: /^Qwen\/Qwen2\.5-VL-(7B|32B)-/i,
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "Qwen2.5-VL 7B and 32B are released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of Qwen2.5-VL by Alibaba Cloud, licensed under the Apache License, Version 2.0.",
  },
  {
    key: "qwen3",
    match: /^Qwen\/Qwen3-/i,
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "Qwen3 models (including Qwen3-Coder) are released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of Qwen3 by Alibaba Cloud, licensed under the Apache License, Version 2.0.",
  },
  {
    key: "llama-3.2",
    match: /^meta-llama\/Llama-3\.2-/i,
    license: "llama3.2",
    license_link: "https://huggingface.co/meta-llama/Llama-3.2-1B/blob/main/LICENSE.txt",
    allowsApache: false,
    terms:
      "The Llama 3.2 Community License requires a copy of the agreement, a 'Built with Llama' display and 'Llama' at the beginning of a distributed fine-tune's name (§1.b.i); the multimodal models' rights are not granted to EU-domiciled individuals and companies, and the acceptable use policy forbids operating heavy machinery. It cannot be relabelled Apache-2.0.",
    attribution: "Built with Llama",
    namePrefix: "Llama",
    notice:
      "Llama 3.2 is licensed under the Llama 3.2 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.",
    usagePolicy: "https://www.llama.com/llama3_2/use-policy",
  },
  {
    key: "deepseek-r1-distill-llama",
    match: /^deepseek-ai\/DeepSeek-R1-Distill-Llama-(8B|70B)$/i,
    license: "other",
    license_name: "llama3.x",
    license_link: "https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-8B/blob/main/LICENSE",
    allowsApache: false,
    terms:
      "DeepSeek-R1-Distill-Llama models are MIT-licensed distillations of Llama 3.1-8B / Llama 3.3-70B and stay bound by the Llama 3.1 / 3.3 Community License: keep the licence, display 'Built with Llama' and start the name with 'Llama'. It cannot be relabelled Apache-2.0.",
    attribution: "Built with Llama",
    namePrefix: "Llama",
    notice:
      "Based on DeepSeek-R1-Distill-Llama (MIT, Copyright (c) 2023 DeepSeek) and Llama, licensed under the Llama Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.",
  },
  {
    key: "deepseek-r1-distill-qwen",
    match: /^deepseek-ai\/DeepSeek-R1-Distill-Qwen-/i,
    license: "mit",
    allowsApache: true,
    terms:
      "DeepSeek-R1-Distill-Qwen models are MIT-licensed distillations of Apache-2.0 Qwen2.5 models; a derivative may be released under Apache-2.0 if the MIT copyright notice and the Qwen2.5 Apache-2.0 notice are kept.",
    notice:
      "Based on DeepSeek-R1-Distill-Qwen, Copyright (c) 2023 DeepSeek, MIT License, itself derived from Qwen2.5 (Apache License, Version 2.0).",
  },
  {
    key: "dinov2",
    match: /^facebook\/dinov2-(small|base|large|giant)(-imagenet1k-1-layer)?$/i,
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "DINOv2 code and weights are released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of DINOv2 by Meta Platforms, Inc., licensed under the Apache License, Version 2.0.",
  },
];

/** The licence fields, NOTICE and explanation the card and bundle use. */
export interface LicencePlan {
  license: string;
  license_name?: string;
  license_link?: string;
  /** The base's row, when the base is known. */
  base?: BaseModelLicence;
  /** NOTICE file content, when the base requires one. */
  notice?: string;
  /** Sentences for the card's licence section, in English. */
  reasons: string[];
  findings: Finding[];
}

/**
 * Decides the release's licence fields from the requested licence and the base model's terms.
 * Pure.
 *
 * Refuses (a blocking `licence-incompatible` finding) to label a release Apache-2.0 when the base
 * forbids it, and returns the fields the base requires instead; blocks a name that breaks a naming
 * rule (`licence-name-rule`); warns on an unknown base (`licence-unknown-base`).
 */
export function planLicence(params: {
  baseModel: string;
  requested: string;
  repo: string;
  file?: string;
}): LicencePlan {
  const { baseModel, requested, repo } = params;
  const file = params.file ?? "README.md";
  const base = BASE_MODEL_LICENCES.find((b) => b.match.test(baseModel));
  const findings: Finding[] = [];
  const reasons: string[] = [];
  if (!base) {
    findings.push({
      rule: "licence-unknown-base",
      severity: "warn",
      file,
      message: `the licence of base model ${baseModel} is not in the licence table; check its LICENSE allows releasing a fine-tune as ${requested}`,
    });
    return {
      license: requested,
      reasons: [`The licence of the base model ${baseModel} was not checked by model-release; see its repository.`],
      findings,
    };
  }
  reasons.push(base.terms);
  let fields: Pick<LicencePlan, "license" | "license_name" | "license_link">;
  if (requested === "apache-2.0" && !base.allowsApache) {
    findings.push({
      rule: "licence-incompatible",
      severity: "block",
      file,
      message: `license: apache-2.0 is not allowed for a fine-tune of ${baseModel}: ${base.terms} Set license: ${base.license}${base.license_name ? ` (license_name: ${base.license_name})` : ""} in the release config.`,
    });
    fields = {
      license: base.license,
      ...(base.license_name ? { license_name: base.license_name } : {}),
      ...(base.license_link ? { license_link: base.license_link } : {}),
    };
  } else if (requested !== "apache-2.0" && requested !== base.license && !base.allowsApache) {
    findings.push({
      rule: "licence-incompatible",
      severity: "block",
      file,
      message: `license: ${requested} differs from the licence of ${baseModel} (${base.license_name ?? base.license}), which a fine-tune must keep. ${base.terms}`,
    });
    fields = {
      license: base.license,
      ...(base.license_name ? { license_name: base.license_name } : {}),
      ...(base.license_link ? { license_link: base.license_link } : {}),
    };
  } else if (requested === base.license) {
    fields = {
      license: base.license,
      ...(base.license_name ? { license_name: base.license_name } : {}),
      ...(base.license_link ? { license_link: base.license_link } : {}),
    };
  } else {
    fields = { license: requested };
  }
  const name = repo.split("/")[1] ?? repo;
  if (base.namePrefix && !name.startsWith(base.namePrefix)) {
    findings.push({
      rule: "licence-name-rule",
      severity: "block",
      file,
      message: `the ${base.key} licence requires the model name to start with "${base.namePrefix}", but the Hub repo is ${repo}; rename it, e.g. ${repo.split("/")[0]}/${base.namePrefix}-${name}`,
    });
  }
  if (base.attribution) reasons.push(`This model displays "${base.attribution}" as the base model's licence requires.`);
  return { ...fields, base, notice: renderNotice(base, repo), reasons, findings };
}

function renderNotice(base: BaseModelLicence, repo: string): string {
  return [
    `${repo}`,
    "",
    base.notice,
    ...(base.attribution ? ["", base.attribution] : []),
    ...(base.usagePolicy ? ["", `Usage policy of the base model: ${base.usagePolicy}`] : []),
    "",
    "Modifications: the base model's weights were fine-tuned; see README.md for the training procedure.",
    "",
  ].join("\n");
}
