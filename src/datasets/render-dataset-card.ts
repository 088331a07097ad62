import { stringify } from "yaml";
import { renderDatasetCardExtras } from "./render-dataset-card-extras.js";
import { SIZE_CATEGORIES, type DatasetConfig } from "./dataset-config-schema.js";
import { RECALL_PLACES } from "./measure-redaction-recall.js";
import type { RedactionReport } from "./types.js";

/** The Hub's `size_categories` bucket of a record count. Pure. */
export function sizeCategory(n: number): (typeof SIZE_CATEGORIES)[number] {
  const bounds = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];
  const i = bounds.findIndex((b) => n < b);
  return SIZE_CATEGORIES[i === -1 ? SIZE_CATEGORIES.length - 1 : i]!;
}

/** Hub card metadata of the dataset (front matter of README.md). Pure. */
export function planDatasetCardMetadata(params: {
  config: DatasetConfig;
  splits: { name: string; path: string }[];
  records: number;
}): Record<string, unknown> {
  const { config } = params;
  return {
    pretty_name: config.pretty_name,
    license: config.license,
    language: config.language,
    task_categories: config.task_categories,
    tags: [...new Set(["robotics", "code", "synthetic-redaction", ...config.tags])],
    size_categories: [sizeCategory(params.records)],
    annotations_creators: ["no-annotation"],
    // `config_name` is required even for a single subset (hub-docs datasets-manual-configuration).
    configs: [{ config_name: "default", data_files: params.splits.map((s) => ({ split: s.name, path: s.path })) }],
  };
}

const CATEGORY_TEXT: Record<string, string> = {
  CUSTOMER: "customer and company names",
  PLANT: "plant and site names",
  LINE: "production line and cell names",
  PART: "part numbers and SKUs",
  PERSON: "names of operators, engineers and integrators",
  ORG: "integrator and contractor names",
  IP: "controller, PLC and peer IP addresses",
  EMAIL: "e-mail addresses",
  HOST: "host and fieldbus device names",
  SERIAL: "controller and robot serial numbers",
  PATH: "file system paths",
  DATE: "timestamps, including loop counters named after the creation time",
  PHONE: "phone numbers and extensions",
  NATIONAL_ID: "resident and other registration numbers",
  PROGRAM_ID: "OEM program identifiers",
  CYCLE_TIME: "cycle-time targets and budgets in comments",
  ROBOT_MODEL: "robot models in job headers",
  SECRET: "credentials",
  URL: "URLs",
};

/**
 * Renders the dataset card (README.md) from the config and the build's redaction report, in the
 * section order of the Hub's dataset card template. Pure; the same inputs give the same bytes.
 */
export function renderDatasetCard(params: {
  config: DatasetConfig;
  version: string;
  metadata: Record<string, unknown>;
  report: RedactionReport;
  /** A published record, shown with its field types (programs cut to their first lines). */
  example?: Record<string, string>;
  fieldOrder?: string[];
}): string {
  const { config, version, report } = params;
  const extra = renderDatasetCardExtras(params);
  const f = config.fields;
  const cats = Object.entries(report.byCategory).sort((a, b) => b[1] - a[1]);
  const rules = Object.entries(report.byRule).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const splitRows = Object.entries(report.splits).map(([name, n]) => `| ${name} | ${n} |`);
  const sampled =
    config.sample.fraction < 1
      ? `a ${Math.round(config.sample.fraction * 1000) / 10} % sample (a keyed hash of the source id with the unpublished redaction key)`
      : "all selected records";
  const fileNameText =
    config.redaction.file_names === "pseudonymize"
      ? "a keyed pseudonym with the extension; the original names are not published"
      : "with found values replaced";
  const recall = RECALL_PLACES.map((p) => {
    const r = report.recall.places[p];
    return `| ${p} | ${r.redacted} of ${r.planted} | ${r.missed.length ? r.missed.map((m) => `\`${m}\``).join(", ") : "none"} |`;
  });
  const lines = [
    "---",
    stringify(params.metadata, { lineWidth: 0 }).trimEnd(),
    "---",
    "",
    `# Dataset Card for ${config.pretty_name}`,
    "",
    config.summary.trim(),
    "",
    `Version ${version}. ${report.records.published} record${report.records.published === 1 ? "" : "s"} published out of ${report.records.source} in the source.`,
    "",
    "## Dataset Details",
    "",
    "### Dataset Description",
    "",
    ...(config.curators.length ? [`- **Curated by:** ${config.curators.join(", ")}`] : []),
    ...(config.funded_by ? [`- **Funded by:** ${config.funded_by}`] : []),
    `- **Language(s):** ${config.language.join(", ")}`,
    `- **License:** ${config.license}`,
    ...extra.details,
    "",
    "## Uses",
    "",
    "### Direct Use",
    "",
    "Training and evaluating models that convert robot programs between Hyundai Robotics job files (Hi5 JOB and Hi6 HRScript) and Doosan Robotics DRL.",
    "",
    "### Out-of-Scope Use",
    "",
    "Running the programs on a robot. Poses, speeds, I/O numbers, tool and user frames belong to cells that are not described here; a converted program must be checked and taught on the target cell.",
    "",
    "## Dataset Structure",
    "",
    config.format === "jsonl"
      ? "One JSON object per line, one file per split (`data/<split>.jsonl`). Fields:"
      : "One Parquet file per split (`data/<split>.parquet`), one string column per field:",
    "",
    `- \`${f.id}\`: record id, a keyed hash of the source id (stable across builds that use the same key).`,
    `- \`${f.hyundai_dialect}\`: \`hi5-job\` (upper-case JOB language, \`'\` comments) or \`hi6-job\` (HRScript, \`#\` comments).`,
    ...(config.redaction.file_names === "drop"
      ? [`- \`${f.hyundai_program}\`: the Hyundai job text.`, `- \`${f.drl_program}\`: the Doosan DRL program text.`]
      : [
          `- \`${f.hyundai_file}\`, \`${f.hyundai_program}\`: the Hyundai job file name (${fileNameText}) and text.`,
          `- \`${f.drl_file}\`, \`${f.drl_program}\`: the Doosan DRL program file name and text.`,
        ]),
    "",
    ...extra.example,
    `Records are ${sampled} of the source records after the include and exclude rules, assigned to splits by a keyed hash of the source id (without the key, nobody can tell from a guessed source id whether it was sampled):`,
    "",
    "| split | records |",
    "|---|---|",
    ...splitRows,
    "",
    "## Dataset Creation",
    "",
    "### Curation Rationale",
    "",
    "A partial release of the training pairs of the conversion model, so that others can reproduce the task and evaluate on comparable data.",
    "",
    "### Source Data",
    "",
    "#### Data Collection and Processing",
    "",
    `Every program was decoded strictly (${config.source.encoding === "auto" ? "UTF-8, or EUC-KR/CP949 where the bytes are not UTF-8" : config.source.encoding.toUpperCase()}) and parsed by a structural parser for its dialect before and after redaction. Records with binary content, another encoding, a program that does not parse, a sensitive value inside a statement, or a different instruction count after redaction were left out, never passed through; only their number and a fixed reason are published:`,
    "",
    `- rejected records: ${report.records.rejected + report.records.sourceRejected}${
      report.rejectedByCode && Object.keys(report.rejectedByCode).length
        ? ` (${Object.entries(report.rejectedByCode)
            .map(([c, n]) => `${c}: ${n}`)
            .join(", ")})`
        : ""
    }`,
    "",
    "#### Who are the source data producers?",
    "",
    "Robot programmers who taught or converted the programs, on teach pendants and in offline programming tools.",
    "",
    ...extra.provenance,
    "#### Personal and Sensitive Information",
    "",
    "Robot programs carry customer, plant and line names, part numbers, operator names, controller IP addresses, serial numbers, file paths, timestamps and cycle-time targets in comments and statements. Before publication every program went through rule-based redaction:",
    "",
    "- **Where:** comments, string literals (print and log texts, socket and Modbus addresses) and job headers are rewritten; statements are left unchanged, so every program still parses and keeps its instruction counts. An identifier that encodes a timestamp (DART/TP loop counters) is renamed to a valid identifier. A sensitive value found inside any other statement makes the record rejected.",
    "- **What:** the project's lists (customers, plants, lines, people) and part-number patterns; format-aware rules for labelled values in program headers (`Customer :`, `Taught by:`, `S/N`, `작업자:`, `OEM program`, `Cycle target`); and generic detectors for IP addresses, e-mail addresses, URLs, paths and credentials.",
    "- **How:** each value is replaced by a typed placeholder such as `<CUSTOMER_1a2b3c4d>`, computed with a keyed hash (HMAC-SHA256) of the value. The same value gets the same placeholder in every file of the release, so Hyundai and DRL programs of a pair stay aligned. The key is not published; without it the placeholders cannot be reversed by guessing values.",
    "- **Check:** after redaction each program is redacted a second time, which must find nothing.",
    config.redaction.comments.mode === "allowlist"
      ? `- **Comments:** allowlist mode. Every comment that matches none of the ${config.redaction.comments.keep.length} configured safe pattern(s) was emptied (${report.commentsDropped} in this release); the rest were redacted as above.`
      : "- **Comments:** redacted as above (a maintainer can switch to allowlist mode, which empties every comment except configured safe patterns).",
    "",
    "What the detectors can find: values from the project's lists and patterns (also inside labels and identifiers, before Korean particles, in other Unicode forms, split over two comment lines or concatenated strings), labelled values (`Customer :`, `작업자:`, `S/N`, `제조번호`), and values with a recognisable shape: IP addresses, e-mail addresses, URLs, host and domain names, share and file paths, serial numbers, phone numbers, credentials and tokens. What they cannot find: a name or a company written in free text without a label that no list holds, a value in a shape no rule knows, and anything spelled out in words.",
    "",
    "Measured recall on planted values: fictitious values of every class above (and the project's listed names in the forms that escape word matching) were planted in a comment, a string literal and a file name, and redacted with the rules of this build:",
    "",
    "| place | values removed | classes that remained |",
    "|---|---|---|",
    ...recall,
    "",
    "Values replaced in this release, by kind:",
    "",
    "| kind | replaced |",
    "|---|---|",
    ...cats.map(([c, n]) => `| ${CATEGORY_TEXT[c] ?? c} | ${n} |`),
    "",
    "<details><summary>Replacements by rule</summary>",
    "",
    "| rule | replaced |",
    "|---|---|",
    ...rules.map(([r, n]) => `| \`${r}\` | ${n} |`),
    "",
    "</details>",
    "",
    ...extra.recall,
    `Not redacted: numeric process parameters in statements (speeds, accuracies, blend radii, delays, wait timeouts) and taught poses, which are the substance of the conversion task${config.redaction.robot_model ? "" : "; robot models in job headers (catalogue data)"}.`,
    "",
    "## Bias, Risks, and Limitations",
    "",
    `Rule-based redaction finds what its rules and lists describe. A name written in free text without a label and absent from the lists can remain${config.redaction.comments.mode === "allowlist" ? " in a string literal (comments outside the allowlist were emptied)" : ""}; report it and it will be removed in the next version. Poses and process parameters reflect the cells they came from, not good practice in general.`,
    "",
    "### Recommendations",
    "",
    "Treat placeholders as opaque tokens. Do not try to recover the original values.",
    "",
    ...extra.terms,
    ...extra.citation,
    "## Dataset Card Contact",
    "",
    `Open a discussion on the dataset repository (${config.hub.repo}).`,
    "",
  ];
  return lines.join("\n");
}
