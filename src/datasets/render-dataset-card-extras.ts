import type { DatasetConfig } from "./dataset-config-schema.js";
import type { RedactionReport } from "./types.js";

/** Lines of a program shown in the card's example record: enough to see the format. */
const EXAMPLE_LINES = 6;

/**
 * The dataset card sections that only the data owner can state (provenance and legal basis,
 * terms of use and removal, the model and the citation), plus an example record with its field
 * types and the measured redaction recall on planted test values. Pure; each part is a list of
 * Markdown lines, empty when there is nothing to say.
 */
export function renderDatasetCardExtras(params: {
  config: DatasetConfig;
  version: string;
  report: RedactionReport;
  example?: Record<string, string>;
  fieldOrder?: string[];
}): {
  details: string[];
  example: string[];
  provenance: string[];
  recall: string[];
  terms: string[];
  citation: string[];
} {
  const { config, version, report } = params;
  const c = config.card ?? {};
  const hub = `https://huggingface.co/datasets/${config.hub.repo}`;
  const details = c.model ? [`- **Model trained on it:** [${c.model}](https://huggingface.co/${c.model})`] : [];

  let example: string[] = [];
  if (params.example) {
    const order = params.fieldOrder ?? Object.keys(params.example);
    const cut = (v: string) => {
      const lines = v.split("\n");
      return lines.length > EXAMPLE_LINES ? `${lines.slice(0, EXAMPLE_LINES).join("\n")}\n…` : v;
    };
    const shown = Object.fromEntries(order.map((k) => [k, cut(params.example![k] ?? "")]));
    example = [
      "",
      "Field types: every field is a string (`string` in the Hub viewer); programs keep their line breaks.",
      "",
      "An example record (published as is; programs cut to their first lines here):",
      "",
      "```json",
      JSON.stringify(shown, null, 2),
      "```",
      "",
    ];
  }

  const provenance = [
    ...(c.provenance || c.legal_basis ? ["#### Provenance and legal basis", ""] : []),
    ...(c.provenance ? [c.provenance.trim(), ""] : []),
    ...(c.legal_basis ? [`**Legal basis:** ${c.legal_basis.trim()}`, ""] : []),
  ];

  const pr = report.plantedRecall;
  const recall = pr
    ? [
        `**Measured redaction recall:** the source carries ${pr.values} distinct sensitive test values planted on purpose; ${pr.values - pr.leaked} of them appear in no published record (recall ${(pr.recall * 100).toFixed(1)} %)${
          pr.leaked > 0
            ? `; still present, by kind: ${Object.entries(pr.leakedByCategory)
                .map(([k, n]) => `${k} ${n}`)
                .join(", ")}`
            : ""
        }.`,
        "",
      ]
    : [];

  const terms = [
    ...(c.terms_of_use || c.removal ? ["## Terms of Use", ""] : []),
    ...(c.terms_of_use ? [c.terms_of_use.trim(), ""] : []),
    ...(c.removal ? ["### Removal requests", "", c.removal.trim(), ""] : []),
  ];

  const key = config.name.replace(/[^A-Za-z0-9]/g, "_");
  const bibtex =
    c.citation?.trim() ??
    `@misc{${key}_${version.replace(/[^0-9A-Za-z]/g, "_")},\n  title  = {${config.pretty_name}},\n  author = {${config.curators.join(" and ") || config.hub.repo.split("/")[0]}},\n  url    = {${hub}},\n  note   = {Version ${version}}\n}`;
  const citation = [
    "## Citation",
    "",
    "```bibtex",
    bibtex,
    "```",
    "",
    ...(c.model
      ? [`If you use the model trained on this data, cite it too: https://huggingface.co/${c.model}.`, ""]
      : []),
  ];
  return { details, example, provenance, recall, terms, citation };
}
