/**
 * What a base model's licence lets a fine-tune do. Data, not prose: the licence of a derivative
 * depends on the exact base checkpoint (Devstral Small vs Devstral 2, Qwen2.5-VL 7B vs 72B vs 3B,
 * DeepSeek-R1-Distill-Llama 8B vs 70B), so each row matches model ids, not families. Sources are
 * the base repos' LICENSE files and cards (see docs/reference cards-evals §4) and the licence
 * texts in model-cards/licences/; check a new base against its LICENSE before adding it.
 */
export interface BaseModelLicence {
  /** Short key, used in tests, messages and the inference profile table. */
  key: string;
  /** Matches the Hub id of the base, case-insensitive. */
  match: RegExp;
  /** A Hub id this row covers: the fixture config and the tests use it. */
  example: string;
  /** The base's name as its licence spells it, for the "Built with" line and messages. */
  displayName: string;
  /** What a fine-tune is released under, as the Hub's `license` field spells it. */
  license: string;
  license_name?: string;
  license_link?: string;
  /** May the derivative be labelled `apache-2.0`? */
  allowsApache: boolean;
  /** Why not, or what comes with it: shown in refusals and in the card's licence section. */
  terms: string;
  /** Text the derivative must display prominently (first screen of the card, and NOTICE). */
  attribution?: string;
  /** The released model's name (the Hub repo name) must start with this. */
  namePrefix?: string;
  /** Line(s) for the NOTICE file shipped with the weights; for Llama the licence's exact sentence. */
  notice: string;
  /** The base's acceptable use / usage policy (online). */
  usagePolicy?: string;
  /**
   * Licence texts the bundle must carry when the base's licence governs the release, from
   * model-cards/licences/: `LICENSE` is the agreement, others (USE_POLICY.md) ride along.
   */
  licenceFiles?: { path: string; template: string }[];
  /** Further texts the bundle carries whatever the release's licence (e.g. an MIT notice of an intermediate model). */
  extraFiles?: { path: string; template: string }[];
  /** Conditions a user must know before using the model (revenue caps, user caps, regions). */
  conditions: string[];
  /** The acceptable use policy forbids operating heavy machinery / critical industrial systems. */
  forbidsHeavyMachinery?: boolean;
  /** BibTeX of the base model's paper or report, cited by the card. */
  citation: string;
}

const LLAMA_HERD = `@article{grattafiori2024llama3,
  title   = {The Llama 3 Herd of Models},
  author  = {Grattafiori, Aaron and others},
  journal = {arXiv preprint arXiv:2407.21783},
  year    = {2024}
}`;
const DEEPSEEK_R1 = `@article{deepseekai2025r1,
  title   = {DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning},
  author  = {DeepSeek-AI},
  journal = {arXiv preprint arXiv:2501.12948},
  year    = {2025}
}`;
const QWEN25_VL = `@article{bai2025qwen25vl,
  title   = {Qwen2.5-VL Technical Report},
  author  = {Bai, Shuai and others},
  journal = {arXiv preprint arXiv:2502.13923},
  year    = {2025}
}`;
const LLAMA_AUP =
  "The Llama Acceptable Use Policy forbids using the model for the operation of critical infrastructure, transportation technologies or heavy machinery.";
const QWEN_AGREEMENT_LINK = "https://huggingface.co/Qwen/Qwen2.5-VL-72B-Instruct/blob/main/LICENSE";

/**
 * What every base governed by a Llama 3.x Community License shares: the licence id, the
 * attribution notice, the AUP, the agreement files, "Built with Llama", the name prefix, the
 * heavy-machinery ban and the user cap. A row adds its terms and any further conditions.
 */
function llama(
  v: "3.1" | "3.2" | "3.3",
  moreConditions: string[] = [],
): Pick<
  BaseModelLicence,
  | "license"
  | "licenceFiles"
  | "notice"
  | "usagePolicy"
  | "allowsApache"
  | "attribution"
  | "namePrefix"
  | "conditions"
  | "forbidsHeavyMachinery"
> {
  const u = v.replace(".", "_");
  return {
    license: `llama${v}`,
    notice: `Llama ${v} is licensed under the Llama ${v} Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.`,
    usagePolicy: `https://www.llama.com/llama${u}/use-policy`,
    licenceFiles: [
      { path: "LICENSE", template: `licences/llama${u}-LICENSE.txt` },
      { path: "USE_POLICY.md", template: `licences/llama${u}-USE_POLICY.md` },
    ],
    allowsApache: false,
    attribution: "Built with Llama",
    namePrefix: "Llama",
    conditions: [
      LLAMA_AUP,
      ...moreConditions,
      "User cap: products with more than 700 million monthly active users need a separate licence from Meta (§2).",
    ],
    forbidsHeavyMachinery: true,
  };
}
const llamaTerms = (v: string, extra = "") =>
  `The Llama ${v} Community License requires a copy of the agreement with the model, a prominent "Built with Llama" display and "Llama" at the beginning of a distributed fine-tune's name (§1.b.i), and the attribution notice in a NOTICE file (§1.b.iii); use must follow the Llama ${v} Acceptable Use Policy.${extra} A fine-tune cannot be relabelled Apache-2.0.`;

export const BASE_MODEL_LICENCES: readonly BaseModelLicence[] = [
  {
    key: "gpt-oss",
    match: /^openai\/gpt-oss-(20b|120b)$/i,
    example: "openai/gpt-oss-120b",
    displayName: "gpt-oss",
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "gpt-oss is released under Apache-2.0 with OpenAI's gpt-oss usage policy; keep the LICENSE and NOTICE and state the modifications (Apache-2.0 §4).",
    notice:
      "This model is a modified version of gpt-oss by OpenAI, licensed under the Apache License, Version 2.0. Use is subject to the gpt-oss usage policy.",
    usagePolicy: "https://huggingface.co/openai/gpt-oss-120b/blob/main/USAGE_POLICY",
    // Apache-2.0 governs, but the policy travels with the weights as it does in the base repos.
    extraFiles: [{ path: "USAGE_POLICY", template: "licences/gpt-oss-USAGE_POLICY" }],
    conditions: ["Use must comply with the gpt-oss usage policy and all applicable law."],
    citation: `@misc{openai2025gptoss,
  title         = {gpt-oss-120b & gpt-oss-20b Model Card},
  author        = {OpenAI},
  year          = {2025},
  eprint        = {2508.10925},
  archivePrefix = {arXiv},
  url           = {https://arxiv.org/abs/2508.10925}
}`,
  },
  {
    key: "devstral-small",
    match: /^mistralai\/Devstral-Small-/i,
    example: "mistralai/Devstral-Small-2507",
    displayName: "Devstral Small",
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "Devstral Small (1.x and Small 2, 24B) is released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of Devstral Small by Mistral AI, licensed under the Apache License, Version 2.0.",
    conditions: [],
    citation: `@misc{mistral2025devstral,
  title  = {Devstral Small},
  author = {{Mistral AI} and {All Hands AI}},
  year   = {2025},
  url    = {https://huggingface.co/mistralai/Devstral-Small-2507}
}`,
  },
  {
    key: "devstral-2",
    match: /^mistralai\/Devstral-2-/i,
    example: "mistralai/Devstral-2-123B-Instruct-2512",
    displayName: "Devstral 2",
    license: "other",
    license_name: "modified-mit",
    license_link: "https://huggingface.co/mistralai/Devstral-2-123B-Instruct-2512/blob/main/LICENSE",
    allowsApache: false,
    terms:
      "Devstral 2 (123B) is released under a modified MIT licence that withholds rights from companies above a revenue threshold; a derivative keeps that licence and cannot be relicensed as Apache-2.0.",
    notice:
      "This model is a modified version of Devstral 2 by Mistral AI, distributed under the Devstral 2 modified MIT licence (see license_link).",
    conditions: [
      "Revenue threshold: the Devstral 2 modified MIT licence grants no rights to a company (or the employer of a user) whose global consolidated monthly revenue exceeds USD 20 million; such companies need a commercial licence from Mistral AI. Devstral Small 2 (24B) has no such condition.",
    ],
    citation: `@misc{mistral2025devstral2,
  title  = {Devstral 2},
  author = {Mistral AI},
  year   = {2025},
  url    = {https://huggingface.co/mistralai/Devstral-2-123B-Instruct-2512}
}`,
  },
  {
    key: "qwen2.5-vl-72b",
    match: /^Qwen\/Qwen2\.5-VL-72B-/i,
    example: "Qwen/Qwen2.5-VL-72B-Instruct",
    displayName: "Qwen2.5-VL-72B",
    license: "other",
    license_name: "qwen",
    license_link: QWEN_AGREEMENT_LINK,
    allowsApache: false,
    terms:
      "Qwen2.5-VL-72B is released under the Qwen LICENSE AGREEMENT: a distributed fine-tune must prominently display 'Built with Qwen' or 'Improved using Qwen', and products above 100M monthly active users need a separate licence. It cannot be relabelled Apache-2.0.",
    attribution: "Built with Qwen",
    notice:
      "Built with Qwen. Qwen is licensed under the Qwen LICENSE AGREEMENT, Copyright (c) Alibaba Cloud. All Rights Reserved.",
    conditions: [
      "User cap: a product or service with more than 100 million monthly active users needs a separate licence from Alibaba Cloud.",
    ],
    citation: QWEN25_VL,
  },
  {
    key: "qwen2.5-vl-3b",
    match: /^Qwen\/Qwen2\.5-VL-3B-/i,
    example: "Qwen/Qwen2.5-VL-3B-Instruct",
    displayName: "Qwen2.5-VL-3B",
    license: "other",
    license_name: "qwen-research",
    license_link: "https://huggingface.co/Qwen/Qwen2.5-VL-3B-Instruct/blob/main/LICENSE",
    licenceFiles: [{ path: "LICENSE", template: "licences/qwen-research-LICENSE.txt" }],
    allowsApache: false,
    terms:
      "Qwen2.5-VL-3B is released under the Qwen RESEARCH LICENSE AGREEMENT (non-commercial); a derivative cannot be Apache-2.0 and cannot be used commercially.",
    attribution: "Built with Qwen",
    notice:
      "Built with Qwen. Qwen is licensed under the Qwen RESEARCH LICENSE AGREEMENT, Copyright (c) Alibaba Cloud. All Rights Reserved.",
    conditions: [
      "Non-commercial: research and evaluation use only; commercial use needs a licence from Alibaba Cloud.",
    ],
    citation: QWEN25_VL,
  },
  {
    key: "qwen2.5-vl",
    match: /^Qwen\/Qwen2\.5-VL-(7B|32B)-/i,
    example: "Qwen/Qwen2.5-VL-7B-Instruct",
    displayName: "Qwen2.5-VL",
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "Qwen2.5-VL 7B and 32B are released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of Qwen2.5-VL by Alibaba Cloud, licensed under the Apache License, Version 2.0.",
    conditions: [],
    citation: QWEN25_VL,
  },
  {
    key: "qwen3",
    match: /^Qwen\/Qwen3-/i,
    example: "Qwen/Qwen3-Coder-30B-A3B-Instruct",
    displayName: "Qwen3",
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "Qwen3 models (including Qwen3-Coder and Qwen3-VL) are released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of Qwen3 by Alibaba Cloud, licensed under the Apache License, Version 2.0.",
    conditions: [],
    citation: `@misc{qwen3technicalreport,
  title         = {Qwen3 Technical Report},
  author        = {Qwen Team},
  year          = {2025},
  eprint        = {2505.09388},
  archivePrefix = {arXiv},
  url           = {https://arxiv.org/abs/2505.09388}
}`,
  },
  {
    key: "llama-3.1",
    match: /^meta-llama\/(Meta-)?Llama-3\.1-/i,
    example: "meta-llama/Llama-3.1-8B-Instruct",
    displayName: "Llama 3.1",
    ...llama("3.1"),
    terms: llamaTerms("3.1"),
    citation: LLAMA_HERD,
  },
  {
    key: "llama-3.2",
    match: /^meta-llama\/Llama-3\.2-/i,
    example: "meta-llama/Llama-3.2-11B-Vision-Instruct",
    displayName: "Llama 3.2",
    ...llama("3.2", [
      "EU: the rights to the Llama 3.2 multimodal models are not granted to individuals domiciled in, or companies with a principal place of business in, the European Union (end users of a product that incorporates them are not affected).",
    ]),
    terms: llamaTerms(
      "3.2",
      " The rights to the multimodal (Vision) models are not granted to individuals domiciled in, or companies with a principal place of business in, the European Union.",
    ),
    citation: LLAMA_HERD,
  },
  {
    key: "llama-3.3",
    match: /^meta-llama\/Llama-3\.3-/i,
    example: "meta-llama/Llama-3.3-70B-Instruct",
    displayName: "Llama 3.3",
    ...llama("3.3"),
    terms: llamaTerms("3.3"),
    citation: LLAMA_HERD,
  },
  {
    key: "deepseek-r1-distill-llama-8b",
    match: /^deepseek-ai\/DeepSeek-R1-Distill-Llama-8B$/i,
    example: "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
    displayName: "Llama 3.1",
    ...llama("3.1"),
    terms: `DeepSeek-R1-Distill-Llama-8B is an MIT-licensed distillation of Llama-3.1-8B and stays governed by the Llama 3.1 Community License. ${llamaTerms("3.1")}`,
    extraFiles: [{ path: "LICENSE-DeepSeek-MIT.txt", template: "licences/deepseek-mit.txt" }],
    citation: DEEPSEEK_R1,
  },
  {
    key: "deepseek-r1-distill-llama-70b",
    match: /^deepseek-ai\/DeepSeek-R1-Distill-Llama-70B$/i,
    example: "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
    displayName: "Llama 3.3",
    ...llama("3.3"),
    terms: `DeepSeek-R1-Distill-Llama-70B is an MIT-licensed distillation of Llama-3.3-70B-Instruct and stays governed by the Llama 3.3 Community License. ${llamaTerms("3.3")}`,
    extraFiles: [{ path: "LICENSE-DeepSeek-MIT.txt", template: "licences/deepseek-mit.txt" }],
    citation: DEEPSEEK_R1,
  },
  {
    key: "deepseek-r1-distill-qwen",
    match: /^deepseek-ai\/DeepSeek-R1-Distill-Qwen-(1\.5B|7B|14B|32B)$/i,
    example: "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    displayName: "DeepSeek-R1-Distill-Qwen",
    license: "mit",
    allowsApache: true,
    terms:
      "DeepSeek-R1-Distill-Qwen models are MIT-licensed distillations of Qwen2.5 models released under Apache-2.0 (Qwen2.5-Math-1.5B and -7B, Qwen2.5-14B and -32B); a derivative may be released under Apache-2.0 if the MIT copyright notice and the Qwen2.5 Apache-2.0 notice are kept.",
    notice:
      "Based on DeepSeek-R1-Distill-Qwen, Copyright (c) 2023 DeepSeek, MIT License (see LICENSE-DeepSeek-MIT.txt), itself derived from Qwen2.5 by Alibaba Cloud (Apache License, Version 2.0).",
    extraFiles: [{ path: "LICENSE-DeepSeek-MIT.txt", template: "licences/deepseek-mit.txt" }],
    conditions: [],
    citation: DEEPSEEK_R1,
  },
  {
    key: "dinov2",
    match: /^facebook\/dinov2-(small|base|large|giant)(-imagenet1k-1-layer)?$/i,
    example: "facebook/dinov2-large",
    displayName: "DINOv2",
    license: "apache-2.0",
    allowsApache: true,
    terms:
      "DINOv2 code and weights are released under Apache-2.0; keep the LICENSE and NOTICE and state the modifications.",
    notice:
      "This model is a modified version of DINOv2 by Meta Platforms, Inc., licensed under the Apache License, Version 2.0.",
    conditions: [],
    citation: `@article{oquab2023dinov2,
  title   = {DINOv2: Learning Robust Visual Features without Supervision},
  author  = {Oquab, Maxime and Darcet, Timoth{\\'e}e and others},
  journal = {arXiv preprint arXiv:2304.07193},
  year    = {2023}
}`,
  },
];

/** The table row for a base model id, or undefined when the base is unknown. */
export function findBaseModelLicence(baseModel: string): BaseModelLicence | undefined {
  return BASE_MODEL_LICENCES.find((b) => b.match.test(baseModel));
}
