import type { Finding } from "../findings.js";
import type { CardContext, CardLanguage } from "./card-context.js";
import { CARD_LABELS as T } from "./card-labels.js";
import { compareKeys } from "./compare-keys.js";
import { renderCardEvaluation } from "./render-card-evaluation.js";
import {
  acceptableUseBullet,
  renderBaseCitation,
  renderLicenceBanner,
  renderLicenceSection,
  renderTechnicalSpecs,
} from "./render-card-sections.js";
import { renderMarkdownTable as table } from "./render-markdown-table.js";
import { renderRedactionSummary } from "./render-redaction-summary.js";
import { renderTemplate } from "./render-template.js";

export type { CardContext, CardLanguage } from "./card-context.js";

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");

function humanCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** Hyperparameters whose names or values could leak infrastructure (paths, hosts, secrets) are left out. */
const UNSAFE_HYPER_KEY = /token|secret|password|key|path|dir|url|host|user|email|bucket|wandb|hub_/i;
const UNSAFE_HYPER_VALUE = /[\\/@]|:\/\/|^~/;

/** Hyperparameters safe to publish, and the names of those held back. */
export function safeHyperparameters(h: Record<string, string | number | boolean>): {
  safe: [string, string][];
  held: string[];
} {
  const safe: [string, string][] = [];
  const held: string[] = [];
  for (const [k, v] of Object.entries(h).sort(([a], [b]) => compareKeys(a, b))) {
    if (UNSAFE_HYPER_KEY.test(k) || (typeof v === "string" && UNSAFE_HYPER_VALUE.test(v))) held.push(k);
    else safe.push([k, String(v)]);
  }
  return { safe, held };
}

/**
 * Renders one language of the model card body (without front matter) from the family template,
 * Pure apart from `readTemplate`, which returns a template file's text. `checkCard` checks the result.
 */
export function renderModelCard(params: {
  ctx: CardContext;
  lang: CardLanguage;
  readTemplate: (name: string) => string;
}): { markdown: string; findings: Finding[] } {
  const { ctx, lang, readTemplate } = params;
  const { config, inventory, licence, co2 } = ctx;
  const t = T[lang];
  const card = config.card;
  const ko = card.ko ?? {};
  const findings: Finding[] = [];
  const file = lang === "en" ? "README.md" : "README.ko.md";
  /** Korean free text falls back to English, with a warning: the facts stay, the prose is untranslated. */
  const text = <K extends keyof typeof ko>(key: K, en: (typeof ko)[K] | undefined): (typeof ko)[K] | undefined => {
    if (lang === "en") return en;
    const v = ko[key];
    if (v !== undefined) return v;
    if (en !== undefined && !(Array.isArray(en) && en.length === 0)) {
      findings.push({
        rule: "card-untranslated",
        severity: "warn",
        file,
        message: `card.ko.${String(key)} is missing; README.ko.md shows the English text`,
      });
    }
    return en;
  };
  const list = (key: "intended_uses" | "downstream_uses" | "out_of_scope" | "limitations" | "recommendations") => {
    const items = [...((text(key, card[key]) as string[] | undefined) ?? [])];
    const aup = key === "out_of_scope" ? acceptableUseBullet(lang, ctx) : undefined;
    if (aup) items.push(aup);
    return bullets(items);
  };

  const name = config.hub.repo.split("/")[1] ?? config.hub.repo;
  const hubModelUrl = `${ctx.hubUrl}/${config.hub.repo}`;
  const licenceLabel =
    licence.license === "other"
      ? `${licence.license_name ?? "other"}${licence.license_link ? ` ([link](${licence.license_link}))` : ""}`
      : licence.license;
  const dtypes = Object.keys(inventory.dtypes).sort().join(", ");
  const details = table(
    [t.field, t.value],
    [
      ...(card.developers.length > 0 ? [[t.developedBy, card.developers.join(", ")]] : []),
      ...(card.funded_by ? [[t.fundedBy, card.funded_by]] : []),
      ...(card.model_type || inventory.architecture
        ? [[t.modelType, (text("model_type", card.model_type) as string | undefined) ?? `${inventory.architecture}`]]
        : []),
      ...(inventory.architecture
        ? [
            [
              t.architecture,
              `\`${inventory.architecture}\`${inventory.modelType ? ` (\`${inventory.modelType}\`)` : ""}`,
            ],
          ]
        : []),
      ...(inventory.parameters > 0 ? [[t.parameters, humanCount(inventory.parameters)]] : []),
      ...(dtypes ? [[t.dtypes, dtypes]] : []),
      [t.languages, card.language.join(", ")],
      [t.license, licenceLabel],
      [t.finetunedFrom, `[${config.base_model}](${ctx.hubUrl}/${config.base_model})`],
      [t.relation, config.base_model_relation],
      [t.version, `${ctx.version}${ctx.date ? ` (${ctx.date})` : ""}`],
    ],
  );
  const sources = bullets([
    `${t.hubRepo}: [${config.hub.repo}](${hubModelUrl})`,
    ...(config.github ? [`${t.code}: [${config.github.repo}](${ctx.githubUrl}/${config.github.repo})`] : []),
    `${t.tag}: \`${ctx.tag}\``,
  ]);

  // Training data and redaction.
  const td = card.training_data;
  const trainingData = td
    ? [
        lang === "ko" ? (text("training_data", td.description) as string) : td.description,
        td.sources.length > 0 ? `\n${t.sources}:\n\n${bullets(td.sources)}` : "",
        td.collection_period
          ? `\n${t.period}: ${(text("collection_period", td.collection_period) as string) ?? td.collection_period}`
          : "",
        td.splits ? `\n${t.splits}: ${(text("splits", td.splits) as string) ?? td.splits}` : "",
        card.datasets.length > 0
          ? `\n${t.datasetsOnHub}: ${card.datasets.map((d) => `[${d}](${ctx.hubUrl}/datasets/${d})`).join(", ")}`
          : "",
      ]
        .filter(Boolean)
        .join("\n")
    : card.datasets.length > 0
      ? `${t.datasetsOnHub}: ${card.datasets.map((d) => `[${d}](${ctx.hubUrl}/datasets/${d})`).join(", ")}`
      : "";
  const redaction = renderRedactionSummary(lang, config, ctx.sanitize);
  const { safe, held } = safeHyperparameters(config.training?.hyperparameters ?? {});
  if (held.length > 0 && lang === "en") {
    findings.push({
      rule: "card-hyperparameter-withheld",
      severity: "warn",
      file,
      message: `hyperparameters not published because they look like paths, hosts or secrets: ${held.join(", ")}`,
    });
  }
  const hyper = table(
    [t.hyper, t.value],
    safe.map(([k, v]) => [`\`${k}\``, v]),
  );

  // Evaluation.
  const evaluation = renderCardEvaluation({
    lang,
    ctx,
    file,
    // In this order: a Korean card warns of untranslated factors before testing data.
    factors: (text("factors", card.evaluation?.factors) as string[] | undefined) ?? [],
    testingData: (text("testing_data", card.evaluation?.testing_data) as string | undefined) ?? "",
  });
  findings.push(...evaluation.findings);

  // Compute.
  const tr = config.training;
  const computeTable = co2
    ? table(
        [t.field, t.value],
        [
          [t.gpu, co2.gpu],
          [t.gpuCount, String(co2.gpuCount)],
          [t.hours, `${co2.hours} h`],
          [t.gpuHours, String(co2.gpuHours)],
          [t.power, `${co2.powerKw * 1000} W`],
          [t.pue, String(co2.pue)],
          [t.intensity, `${co2.intensity} kg CO2eq/kWh`],
          ...(co2.region ? [[t.region, co2.region]] : []),
          ...(tr?.cloud_provider ? [[t.cloud, tr.cloud_provider]] : []),
          [t.energy, `${co2.energyKwh} kWh`],
          [t.co2, `${co2.kg} kg CO2eq`],
        ],
      )
    : "";
  const formula = co2
    ? `${lang === "ko" ? "계산식" : "Formula"}: CO2eq = GPUs × hours × kW per GPU × PUE × grid intensity = ${co2.gpuCount} × ${co2.hours} h × ${co2.powerKw} kW × ${co2.pue} × ${co2.intensity} kg/kWh = **${co2.kg} kg CO2eq**.`
    : "";

  // Citation, licence, contact.
  const year = ctx.date?.slice(0, 4);
  const citation = card.citation?.bibtex
    ? `**BibTeX:**\n\n\`\`\`bibtex\n${card.citation.bibtex.trim()}\n\`\`\`${card.citation.apa ? `\n\n**APA:** ${card.citation.apa}` : ""}`
    : card.citation?.apa
      ? `**APA:** ${card.citation.apa}`
      : `\`\`\`bibtex\n@misc{${name.replace(/[^A-Za-z0-9]/g, "_")}_${ctx.version.replace(/[^0-9A-Za-z]/g, "_")},\n  title  = {${name} ${ctx.version}},\n  author = {${card.developers.join(" and ") || config.hub.repo.split("/")[0]}},\n${year ? `  year   = {${year}},\n` : ""}  url    = {${hubModelUrl}},\n  note   = {Release ${ctx.tag}}\n}\n\`\`\``;
  const licenceSection = renderLicenceSection(lang, ctx);
  const tech = renderTechnicalSpecs(lang, ctx);
  const contact =
    card.contact ?? (config.github ? `${ctx.githubUrl}/${config.github.repo}/issues` : `${hubModelUrl}/discussions`);

  const defectClasses = bullets(card.defect_classes);
  const capture = (text("capture_setup", card.capture_setup) as string | undefined) ?? "";
  const formats = table(
    [t.field, t.value],
    [
      ...(card.source_formats.length > 0 ? [[t.sourceFormats, card.source_formats.join("; ")]] : []),
      ...(card.target_formats.length > 0 ? [[t.targetFormats, card.target_formats.join("; ")]] : []),
      ...(card.robots.length > 0 ? [[t.robots, card.robots.join("; ")]] : []),
    ],
  );

  const quick = ctx.examples[0]!;
  const vars: Record<string, string | undefined> = {
    title: `${name} ${ctx.version}`,
    summary: (text("summary", card.summary) as string | undefined)?.trim() ?? "",
    regression_notice: evaluation.notice,
    details_table: details,
    sources,
    formats_table: formats,
    defect_classes: defectClasses,
    capture_setup: capture,
    users: text("users", card.users) as string | undefined,
    direct_use: list("intended_uses"),
    downstream_use: list("downstream_uses"),
    out_of_scope: list("out_of_scope"),
    limitations: list("limitations"),
    recommendations: list("recommendations"),
    quickstart_intro: t.quickIntro(ctx.tag, quick.path),
    quickstart_lang: quick.lang,
    quickstart_code: quick.content.replace(/\n$/, ""),
    examples_list: bullets(ctx.examples.map((e) => `[${e.title[lang]}](${e.path})`)),
    training_data: trainingData,
    redaction_summary: redaction,
    hyperparameters: hyper,
    testing_data: evaluation.testing,
    results_table: evaluation.resultsTable,
    per_class_table: evaluation.perClass,
    factor_table: evaluation.factorTable,
    chart: evaluation.chart,
    results_summary: evaluation.summary,
    compute_table: computeTable,
    co2_formula: formula,
    citation,
    base_citation: renderBaseCitation(lang, ctx),
    licence_banner: renderLicenceBanner(lang, ctx),
    technical_specs: tech.specs,
    prompt_format: tech.prompt,
    inference_hardware: tech.hardware,
    software: tech.software,
    licence_section: licenceSection,
    contact,
  };
  const markdown = renderTemplate({
    template: readTemplate(`${card.family}.${lang}.md`),
    vars,
    readPartial: (p) => readTemplate(`${p}.${lang}.md`),
  });
  return { markdown, findings };
}
