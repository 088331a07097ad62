import type { ReleaseConfig } from "../config/schema.js";
import { labelCheckpointFiles } from "../bundle/count-release-files.js";
import { compareKeys } from "./compare-keys.js";
import type { SanitizePlan } from "../sanitize/types.js";
import type { Finding } from "../findings.js";
import { fmt, points } from "../evals/compare-evals.js";
import type { EvalComparisonRow } from "../evals/types.js";
import {
  acceptableUseBullet,
  renderBaseCitation,
  renderLicenceBanner,
  renderLicenceSection,
  renderTechnicalSpecs,
} from "./render-card-sections.js";
import { renderTemplate } from "./render-template.js";
import { CARD_LABELS as T } from "./card-labels.js";
import type { CardContext, CardLanguage } from "./card-context.js";
import { renderMarkdownTable as table } from "./render-markdown-table.js";

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

function cell(v: number | undefined, scale: "fraction" | "raw", stderr?: number): string {
  if (v === undefined) return "–";
  const s = fmt(v, scale);
  return stderr === undefined
    ? s
    : `${s} ± ${scale === "fraction" ? (stderr * 100).toFixed(1) : Number(stderr.toPrecision(3))}`;
}

function delta(r: EvalComparisonRow): string {
  if (r.gainOverPrevious === undefined) return "–";
  const g = r.gainOverPrevious;
  const s =
    r.scale === "fraction"
      ? `${g >= 0 ? "+" : "−"}${Math.abs(g * 100).toFixed(1)}`
      : `${g >= 0 ? "+" : "−"}${Number(Math.abs(g).toPrecision(3))}`;
  return r.regression ? `**${s}** ⚠` : s;
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
  const { config, inventory, evals, licence, co2 } = ctx;
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
  const mainRows = evals?.comparison.rows.filter((r) => !r.slice) ?? [];
  // Slices are defect classes (`porosity`) or factor values (`line=machining-2`, from the config's factors).
  const allSlices = evals?.comparison.rows.filter((r) => r.slice) ?? [];
  const sliceRows = allSlices.filter((r) => !r.slice!.includes("="));
  const factorRows = allSlices.filter((r) => r.slice!.includes("="));
  const baseHead = evals?.base ? `${lang === "ko" ? "기반 모델" : "Base"} (${evals.base.label})` : undefined;
  const prevHead = evals?.previous
    ? `${lang === "ko" ? "이전 릴리스" : "Previous"} (${evals.previous.label})`
    : undefined;
  const harnessOf = (r: EvalComparisonRow) =>
    `${r.release.harness.name}${r.release.harness.version ? ` ${r.release.harness.version}` : ""}`;
  const resultsTable = table(
    [
      t.benchmark,
      t.metric,
      t.nShot,
      t.samples,
      `${t.thisRelease} (${ctx.version})`,
      ...(baseHead ? [baseHead] : []),
      ...(prevHead ? [prevHead, t.deltaPrev] : []),
    ],
    mainRows.map((r) => [
      r.benchmark,
      `${r.metric}${r.filter ? ` (${r.filter})` : ""}${r.higherIsBetter ? " ↑" : " ↓"}`,
      r.release.nShot === undefined ? "–" : String(r.release.nShot),
      r.release.samples === undefined ? "–" : String(r.release.samples),
      cell(r.release.value, r.scale, r.release.stderr),
      ...(baseHead ? [cell(r.base, r.scale)] : []),
      ...(prevHead ? [cell(r.previous, r.scale), delta(r)] : []),
    ]),
  );
  const perClass = table(
    [
      t.cls,
      t.benchmark,
      t.metric,
      `${t.thisRelease} (${ctx.version})`,
      ...(baseHead ? [baseHead] : []),
      ...(prevHead ? [prevHead] : []),
    ],
    sliceRows.map((r) => [
      r.slice!,
      r.benchmark,
      `${r.metric}${r.higherIsBetter ? " ↑" : " ↓"}`,
      cell(r.release.value, r.scale, r.release.stderr),
      ...(baseHead ? [cell(r.base, r.scale)] : []),
      ...(prevHead ? [cell(r.previous, r.scale)] : []),
    ]),
  );
  const factorTable = table(
    [
      t.factors,
      t.value,
      t.benchmark,
      t.metric,
      `${t.thisRelease} (${ctx.version})`,
      ...(baseHead ? [baseHead] : []),
      ...(prevHead ? [prevHead] : []),
    ],
    factorRows.map((r) => {
      const [factor, value] = r.slice!.split("=", 2) as [string, string];
      return [
        factor.trim(),
        value.trim(),
        r.benchmark,
        `${r.metric}${r.higherIsBetter ? " ↑" : " ↓"}`,
        cell(r.release.value, r.scale, r.release.stderr),
        ...(baseHead ? [cell(r.base, r.scale)] : []),
        ...(prevHead ? [cell(r.previous, r.scale)] : []),
      ];
    }),
  );
  if (card.family === "vision-language-inspection" && card.defect_classes.length > 0 && evals) {
    const missing = card.defect_classes.filter((c) => !sliceRows.some((r) => r.slice === c));
    if (missing.length > 0 && lang === "en") {
      findings.push({
        rule: "card-missing-class-results",
        severity: "block",
        file,
        message: `no per-class evaluation results for defect classes: ${missing.join(", ")}; add metrics with slice: <class> to the in-house results`,
      });
    }
  }
  const harnesses = [...new Set(evals?.comparison.rows.map(harnessOf) ?? [])].sort();
  const factors = (text("factors", card.evaluation?.factors) as string[] | undefined) ?? [];
  const testing = [
    (text("testing_data", card.evaluation?.testing_data) as string | undefined) ?? "",
    factors.length > 0 ? `${t.factors}:\n\n${bullets(factors)}` : "",
    harnesses.length > 0 ? `${t.metricsUsed}: ${harnesses.map((h) => `\`${h}\``).join(", ")}.` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const chart =
    evals && ctx.chartPath
      ? `![${lang === "ko" ? "평가 결과: 이번 릴리스, 기반 모델, 이전 릴리스" : "Evaluation results: this release, the base model and the previous release"}](${ctx.chartPath})`
      : "";
  const { summary: resultsSummary, notice } = renderRegressionText(lang, ctx);

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
    regression_notice: notice,
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
    testing_data: testing,
    results_table: resultsTable,
    per_class_table: perClass,
    factor_table: factorTable,
    chart,
    results_summary: resultsSummary,
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

function renderRedactionSummary(lang: CardLanguage, config: ReleaseConfig, plan?: SanitizePlan): string {
  // Names of the project's sensitive patterns only: their values are the customer names.
  const patterns = config.sanitize.patterns.map((p) => p.name);
  const en = lang === "en";
  const lines: string[] = [];
  if (patterns.length > 0) {
    lines.push(
      en
        ? `The training data and every published file were scanned for project-specific sensitive patterns (${patterns.map((p) => `\`${p}\``).join(", ")}) as well as secrets, personal data and network addresses; matches were removed or replaced before training and before release.`
        : `학습 데이터와 공개되는 모든 파일에서 프로젝트 고유의 민감 패턴(${patterns.map((p) => `\`${p}\``).join(", ")})과 비밀 정보, 개인 정보, 네트워크 주소를 검사했으며, 발견된 항목은 학습 전과 공개 전에 제거하거나 치환했습니다.`,
    );
  }
  if (plan) {
    const byRule = new Map<string, number>();
    for (const f of plan.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const rules = [...byRule.entries()]
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([r, n]) => `\`${r}\` × ${n}`)
      .join(", ");
    const conv = plan.conversions ?? [];
    const converted =
      conv.length === 0
        ? ""
        : en
          ? `, ${conv.length} converted from PyTorch pickle to safetensors without running the pickle (${conv.map((c) => `\`${c.from}\` → \`${c.path}\``).join(", ")})`
          : `, ${conv.length}개는 pickle을 실행하지 않고 safetensors로 변환(${conv.map((c) => `\`${c.from}\` → \`${c.path}\``).join(", ")})`;
    lines.push(
      en
        ? `Release sanitizer: ${labelCheckpointFiles(plan.publish.length + plan.rewrites.length + conv.length)} published (the release adds its card, examples and reports), ${plan.rewrites.length} rewritten (metadata scrubbed)${converted}, ${plan.dropped.length} left out (optimizer state, training logs, pickles and other files outside the allowlist)${rules ? `; findings by rule: ${rules}` : "; no findings"}.`
        : `릴리스 민감정보 제거(비식별화) 도구: 체크포인트 파일 ${plan.publish.length + plan.rewrites.length + conv.length}개 공개(카드, 예제, 보고서는 별도), ${plan.rewrites.length}개 수정(메타데이터 정리)${converted}, ${plan.dropped.length}개 제외(옵티마이저 상태, 학습 로그, pickle 등 허용 목록 밖의 파일)${rules ? `; 규칙별 발견 건수: ${rules}` : "; 발견 사항 없음"}.`,
    );
  }
  return lines.join("\n\n");
}

function renderRegressionText(lang: CardLanguage, ctx: CardContext): { summary: string; notice: string } {
  const ev = ctx.evals;
  const en = lang === "en";
  if (!ev) return { summary: "", notice: "" };
  const pts = ev.comparison.threshold * 100;
  const prev = ev.previous?.label;
  const regs = ev.comparison.regressions;
  const belowBase = ev.comparison.rows.filter((r) => r.belowBase);
  const parts: string[] = [];
  if (!prev)
    parts.push(
      en
        ? "No previous release was evaluated, so there is no regression check."
        : "평가된 이전 릴리스가 없어 회귀 검사를 하지 않았습니다.",
    );
  else if (regs.length === 0)
    parts.push(
      en
        ? `No metric dropped more than ${points(ev.comparison.threshold)} below ${prev} (the release config's regression threshold).`
        : `어떤 지표도 ${prev} 대비 ${pts}%p(릴리스 설정의 회귀 임계값)보다 더 떨어지지 않았습니다.`,
    );
  else {
    const which = regs
      .map((r) => `${r.key} (${fmt(r.previous!, r.scale)} → ${fmt(r.release.value, r.scale)})`)
      .join(", ");
    parts.push(
      en
        ? `**Regression:** ${which} dropped more than ${points(ev.comparison.threshold)} below ${prev}; this release was published with \`--allow-regression\`.`
        : `**회귀:** ${which} 지표가 ${prev} 대비 ${pts}%p보다 더 떨어졌으며, 이 릴리스는 \`--allow-regression\` 옵션으로 공개되었습니다.`,
    );
  }
  if (belowBase.length > 0) {
    parts.push(
      en
        ? `Below the base model by more than ${points(ev.comparison.threshold)}: ${belowBase.map((r) => r.key).join(", ")}.`
        : `기반 모델보다 ${pts}%p 넘게 낮은 지표: ${belowBase.map((r) => r.key).join(", ")}.`,
    );
  }
  const notice =
    regs.length > 0 && prev
      ? en
        ? `> [!CAUTION]\n> This release scores lower than ${prev} on ${regs.map((r) => r.key).join(", ")} (beyond the ${points(ev.comparison.threshold)} threshold); it was released with \`--allow-regression\`. See [Evaluation](#evaluation).`
        : `> [!CAUTION]\n> 이 릴리스는 ${regs.map((r) => r.key).join(", ")} 지표에서 ${prev}보다 낮습니다(임계값 ${pts}%p 초과). \`--allow-regression\` 옵션으로 공개되었습니다. 평가 항목을 참고하십시오.`
      : "";
  return { summary: parts.join("\n\n"), notice };
}
