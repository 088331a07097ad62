import type { Finding } from "../findings.js";
import { type BaseModelLicence, findBaseModelLicence } from "./base-model-licences.js";

/** A licence text the bundle carries: a verbatim template from model-cards/, or generated text. */
export type LicenceFile = { path: string; template: string } | { path: string; content: string };

/** The licence fields, NOTICE, licence texts and explanation the card and bundle use. */
export interface LicencePlan {
  license: string;
  license_name?: string;
  license_link?: string;
  /** The base's row, when the base is known. */
  base?: BaseModelLicence;
  /** NOTICE file content, when the base requires one. */
  notice?: string;
  /**
   * Licence texts for the bundle: always a `LICENSE` (unless the checkpoint carries its own and
   * no verbatim text is known), plus the base's acceptable use policy and intermediate notices.
   */
  files: LicenceFile[];
  /** The bundle's LICENSE only names the licence and links it: no verbatim text was available. */
  textMissing?: boolean;
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
 * rule (`licence-name-rule`); warns on an unknown base (`licence-unknown-base`) and when no
 * verbatim licence text can be shipped (`licence-text-missing`).
 */
export function planLicence(params: {
  baseModel: string;
  requested: string;
  repo: string;
  file?: string;
  /** The checkpoint folder has its own LICENSE (published as is when no verbatim text is known). */
  checkpointHasLicence?: boolean;
  /** Copyright holders for a generated MIT text (the card's developers). */
  holders?: string[];
  /** Year for a generated MIT text. */
  year?: string;
}): LicencePlan {
  const { baseModel, requested, repo } = params;
  const file = params.file ?? "README.md";
  const base = findBaseModelLicence(baseModel);
  const findings: Finding[] = [];
  const reasons: string[] = [];
  if (!base) {
    findings.push({
      rule: "licence-unknown-base",
      severity: "warn",
      file,
      message: `the licence of base model ${baseModel} is not in the licence table; check its LICENSE allows releasing a fine-tune as ${requested}`,
    });
    const files = licenceFiles({ license: requested }, undefined, params, findings);
    return {
      license: requested,
      files,
      textMissing: findings.some((f) => f.rule === "licence-text-missing"),
      reasons: [`The licence of the base model ${baseModel} was not checked by model-release; see its repository.`],
      findings,
    };
  }
  reasons.push(base.terms);
  const baseFields = { license: base.license, license_name: base.license_name, license_link: base.license_link };
  let fields: Pick<LicencePlan, "license" | "license_name" | "license_link">;
  if (requested === "apache-2.0" && !base.allowsApache) {
    findings.push({
      rule: "licence-incompatible",
      severity: "block",
      file,
      message: `license: apache-2.0 is not allowed for a fine-tune of ${baseModel}: ${base.terms} Set license: ${base.license}${base.license_name ? ` (license_name: ${base.license_name})` : ""} in the release config.`,
    });
    fields = baseFields;
  } else if (requested !== "apache-2.0" && requested !== base.license && !base.allowsApache) {
    findings.push({
      rule: "licence-incompatible",
      severity: "block",
      file,
      message: `license: ${requested} differs from the licence of ${baseModel} (${base.license_name ?? base.license}), which a fine-tune must keep. ${base.terms}`,
    });
    fields = baseFields;
  } else if (requested === base.license) {
    fields = baseFields;
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
  const files = [...licenceFiles(fields, base, params, findings), ...(base.extraFiles ?? [])];
  const textMissing = findings.some((f) => f.rule === "licence-text-missing");
  return { ...fields, base, notice: renderNotice(base, repo), files, textMissing, reasons, findings };
}

/** The LICENSE (and policy) texts for the release's licence, or a pointer with a warning. */
function licenceFiles(
  fields: { license: string; license_link?: string; license_name?: string },
  base: BaseModelLicence | undefined,
  params: { checkpointHasLicence?: boolean; holders?: string[]; year?: string; file?: string },
  findings: Finding[],
): LicenceFile[] {
  if (fields.license === "apache-2.0") return [{ path: "LICENSE", template: "licences/apache-2.0.txt" }];
  if (base?.licenceFiles && fields.license === base.license) return base.licenceFiles;
  if (fields.license === "mit" && params.holders && params.holders.length > 0)
    return [{ path: "LICENSE", content: renderMit(params.holders, params.year) }];
  // No verbatim text known: a checkpoint that carries the base's LICENSE publishes it as is.
  if (params.checkpointHasLicence) return [];
  findings.push({
    rule: "licence-text-missing",
    severity: "warn",
    file: "LICENSE",
    message: `model-release has no verbatim text of ${fields.license_name ?? fields.license}; the bundle's LICENSE names it and links ${fields.license_link ?? "the base repository"}. Copy the base model's LICENSE file into the checkpoint folder to ship the full text.`,
  });
  return [
    {
      path: "LICENSE",
      content: [
        `This model is distributed under the licence "${fields.license_name ?? fields.license}".`,
        "",
        `The full text of the licence is at ${fields.license_link ?? `https://huggingface.co/${base?.example ?? ""}`}.`,
        "By using, copying or distributing this model you agree to its terms.",
        "",
      ].join("\n"),
    },
  ];
}

function renderMit(holders: string[], year?: string): string {
  return `MIT License

Copyright (c)${year ? ` ${year}` : ""} ${holders.join(", ")}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;
}

function renderNotice(base: BaseModelLicence, repo: string): string {
  return [
    `${repo}`,
    "",
    ...(base.attribution ? [base.attribution, ""] : []),
    base.notice,
    ...(base.usagePolicy ? ["", `Usage policy of the base model: ${base.usagePolicy}`] : []),
    "",
    "Modifications: the base model's weights were fine-tuned; see README.md for the training procedure.",
    "",
  ].join("\n");
}
