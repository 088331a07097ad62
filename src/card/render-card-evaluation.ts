import { fmt, points } from "../evals/compare-evals.js";
import type { EvalComparisonRow } from "../evals/types.js";
import type { Finding } from "../findings.js";
import type { CardContext, CardLanguage } from "./card-context.js";
import { CARD_LABELS as T } from "./card-labels.js";
import { renderMarkdownTable as table } from "./render-markdown-table.js";

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");

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
 * The card's evaluation section: testing data and factors, the results table (this release, the
 * base, the previous release and the change), per-class and per-factor tables, the chart link,
 * and the regression summary with its first-screen notice. Pure.
 */
export function renderCardEvaluation(params: {
  lang: CardLanguage;
  ctx: CardContext;
  /** The card file, for findings. */
  file: string;
  /** `card.evaluation.testing_data` in the card's language. */
  testingData: string;
  /** `card.evaluation.factors` in the card's language. */
  factors: string[];
}): {
  testing: string;
  resultsTable: string;
  perClass: string;
  factorTable: string;
  chart: string;
  summary: string;
  notice: string;
  findings: Finding[];
} {
  const { lang, ctx, file, testingData, factors } = params;
  const { evals } = ctx;
  const card = ctx.config.card;
  const t = T[lang];
  const findings: Finding[] = [];
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
  const testing = [
    testingData,
    factors.length > 0 ? `${t.factors}:\n\n${bullets(factors)}` : "",
    harnesses.length > 0 ? `${t.metricsUsed}: ${harnesses.map((h) => `\`${h}\``).join(", ")}.` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const chart =
    evals && ctx.chartPath
      ? `![${lang === "ko" ? "평가 결과: 이번 릴리스, 기반 모델, 이전 릴리스" : "Evaluation results: this release, the base model and the previous release"}](${ctx.chartPath})`
      : "";
  const { summary, notice } = renderRegressionText(lang, ctx);
  return { testing, resultsTable, perClass, factorTable, chart, summary, notice, findings };
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
