import type { CardContext, CardLanguage } from "./card-context.js";
import { GPU_CLASSES } from "./plan-inference-hardware.js";
import { renderVllmServe } from "./render-vllm-serve.js";
import { renderMarkdownTable as table } from "./render-markdown-table.js";

/** Files the bundle ships for the licence, linked relatively from the card. */
const hasFile = (ctx: CardContext, p: string) => ctx.licence.files.some((f) => f.path === p);

/** The base's use policy as the bundle ships it: Llama's USE_POLICY.md or gpt-oss's USAGE_POLICY. */
const POLICY_FILES = ["USE_POLICY.md", "USAGE_POLICY"];
const shippedPolicy = (ctx: CardContext) => POLICY_FILES.find((p) => hasFile(ctx, p));

/**
 * The first-screen licence box: "Built with Llama/Qwen" where the base's licence asks for a
 * prominent display, the exact attribution sentence, and the conditions a user must know
 * (acceptable use, revenue or user caps, regions). The Llama AUP's heavy-machinery clause is
 * spelled out for the robot-program model, where it bites. Empty when the base sets no condition.
 */
export function renderLicenceBanner(lang: CardLanguage, ctx: CardContext): string {
  const base = ctx.licence.base;
  if (!base || (!base.attribution && base.conditions.length === 0)) return "";
  const en = lang === "en";
  const lines: string[] = [];
  if (base.attribution) lines.push(`**${base.attribution}.** ${base.notice}`);
  const policy = shippedPolicy(ctx) ?? base.usagePolicy;
  if (base.forbidsHeavyMachinery && ctx.config.card.family === "code-conversion-llm") {
    lines.push(
      en
        ? `**Acceptable use: no operation of heavy machinery.** The [${base.displayName} Acceptable Use Policy](${policy}) forbids using this model for the operation of critical infrastructure, transportation technologies or heavy machinery. An industrial robot cell can count as heavy machinery or a critical industrial system: use the model only to draft programs offline for human review, never inside a system that operates a robot or a production cell, and have the intended use cleared by legal review.`
        : `**허용 용도: 중장비 운용 금지.** [${base.displayName} 허용 사용 정책](${policy})은 핵심 기반 시설, 운송 기술, 중장비(heavy machinery)의 운용에 이 모델을 사용하는 것을 금지합니다. 산업용 로봇 셀은 중장비나 핵심 산업 시스템에 해당할 수 있습니다. 이 모델은 사람이 검토할 프로그램 초안을 오프라인으로 작성하는 데에만 사용하고, 로봇이나 생산 셀을 운용하는 시스템 안에서는 절대 사용하지 마십시오. 용도는 법무 검토를 거쳐 확정하십시오.`,
    );
  }
  const conditions = base.conditions.filter((c) => !(base.forbidsHeavyMachinery && /heavy machinery/.test(c)));
  if (base.forbidsHeavyMachinery && ctx.config.card.family !== "code-conversion-llm")
    conditions.unshift(base.conditions[0]!);
  for (const c of conditions) lines.push(en ? c : `(영문 조건) ${c}`);
  const title = en ? "Licence conditions of the base model" : "기반 모델의 라이선스 조건";
  return [`> [!IMPORTANT]`, `> **${title}**`, ...lines.flatMap((l) => [">", `> ${l}`])].join("\n");
}

/** An out-of-scope bullet for Llama-governed bases, in the card's language. */
export function acceptableUseBullet(lang: CardLanguage, ctx: CardContext): string | undefined {
  const base = ctx.licence.base;
  if (!base?.forbidsHeavyMachinery) return undefined;
  return lang === "en"
    ? `Operation of critical infrastructure, transportation technologies or heavy machinery, including industrial robots (forbidden by the ${base.displayName} Acceptable Use Policy).`
    : `핵심 기반 시설, 운송 기술, 산업용 로봇을 포함한 중장비의 운용(${base.displayName} 허용 사용 정책이 금지).`;
}

/** The licence section at the end of the card. */
export function renderLicenceSection(lang: CardLanguage, ctx: CardContext): string {
  const { licence } = ctx;
  const en = lang === "en";
  const label = licence.license === "other" ? (licence.license_name ?? "other") : licence.license;
  // A checkpoint's own LICENSE is published when no verbatim text is known.
  const shipped = hasFile(ctx, "LICENSE") || ctx.inventory.files.some((f) => f.path === "LICENSE");
  const text = shipped ? "LICENSE" : licence.license_link;
  if (licence.textMissing)
    return [
      en
        ? `This model is released under \`${label}\`. The bundle's [LICENSE](LICENSE) names it; its full text is at ${licence.license_link ?? "the base model's repository"}.`
        : `이 모델은 \`${label}\` 라이선스로 공개됩니다. 번들의 [LICENSE](LICENSE)에 라이선스 이름이 있고, 전문은 ${licence.license_link ?? "기반 모델 저장소"}에 있습니다.`,
      ...renderLicenceTail(lang, ctx),
    ].join("\n\n");
  return [
    en
      ? `This model is released under \`${label}\`${text ? ` (full text: [LICENSE](${text === "LICENSE" ? "LICENSE" : text}))` : ""}${licence.license_link && text === "LICENSE" ? `; the licence's own page: ${licence.license_link}` : ""}.`
      : `이 모델은 \`${label}\` 라이선스로 공개됩니다${text ? ` (전문: [LICENSE](${text === "LICENSE" ? "LICENSE" : text}))` : ""}${licence.license_link && text === "LICENSE" ? `. 라이선스 원문 페이지: ${licence.license_link}` : ""}.`,
    ...renderLicenceTail(lang, ctx),
  ].join("\n\n");
}

/** The licence section after its first sentence: terms, conditions, policy, notices, naming. */
function renderLicenceTail(lang: CardLanguage, ctx: CardContext): string[] {
  const { licence, config } = ctx;
  const en = lang === "en";
  const lines: string[] = [];
  // The base's terms are quoted in English in both cards: they paraphrase a legal text, and a
  // translation would be a second, unchecked paraphrase.
  for (const r of licence.reasons) lines.push(en ? r : `기반 모델 조건 (영문): ${r}`);
  const base = licence.base;
  if (base?.conditions.length)
    lines.push((en ? "Conditions:\n\n" : "조건 (영문):\n\n") + base.conditions.map((c) => `- ${c}`).join("\n"));
  const policy = shippedPolicy(ctx);
  // Llama calls its policy an acceptable use policy, gpt-oss a usage policy.
  const acceptable = policy === "USE_POLICY.md";
  if (policy)
    lines.push(
      en
        ? `The base model's ${acceptable ? "acceptable use" : "usage"} policy ships as [${policy}](${policy}) (online: ${base?.usagePolicy}).`
        : `기반 모델의 ${acceptable ? "허용 " : ""}사용 정책은 [${policy}](${policy})에 있습니다(온라인: ${base?.usagePolicy}).`,
    );
  else if (base?.usagePolicy)
    lines.push(
      en
        ? `Use is subject to the base model's usage policy: ${base.usagePolicy}.`
        : `사용 시 기반 모델의 사용 정책을 따라야 합니다: ${base.usagePolicy}.`,
    );
  for (const f of licence.files.filter((x) => x.path !== "LICENSE" && x.path !== policy))
    lines.push(en ? `Also shipped: [${f.path}](${f.path}).` : `함께 제공: [${f.path}](${f.path}).`);
  if (licence.notice)
    lines.push(
      en
        ? "The [NOTICE](NOTICE) file carries the base model's required notices."
        : "기반 모델이 요구하는 고지 사항은 [NOTICE](NOTICE) 파일에 있습니다.",
    );
  if (base?.namePrefix)
    lines.push(
      en
        ? `Naming: the licence requires a distributed fine-tune's name to begin with "${base.namePrefix}".`
        : `이름 규칙: 라이선스에 따라 배포되는 미세 조정 모델의 이름은 "${base.namePrefix}"로 시작해야 합니다.`,
    );
  if (config.card.family === "code-conversion-llm") {
    lines.push(
      en
        ? "Programs generated with this model are drafts owned and checked by the user; they carry no warranty."
        : "이 모델로 생성한 프로그램은 사용자가 소유하고 검증할 초안이며, 어떤 보증도 제공하지 않습니다.",
    );
  }
  return lines;
}

const gb = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));

/** Technical specifications: architecture and context, prompt format, inference hardware, software. */
export function renderTechnicalSpecs(
  lang: CardLanguage,
  ctx: CardContext,
): { specs: string; prompt: string; hardware: string; software: string } {
  const en = lang === "en";
  const { inventory, config, hardware, profile } = ctx;
  const tr = config.training;
  const hp = tr?.hyperparameters ?? {};
  const rows: [string, string][] = [];
  if (inventory.architecture) rows.push([en ? "Architecture" : "아키텍처", `\`${inventory.architecture}\``]);
  rows.push([
    en ? "Objective" : "학습 목표",
    config.task === "image-feature-extraction"
      ? en
        ? "self-supervised image features (fine-tuned)"
        : "자기 지도 이미지 특징(미세 조정)"
      : en
        ? `next-token prediction, fine-tuned (${String(hp.method ?? config.base_model_relation)})`
        : `다음 토큰 예측, 미세 조정 (${String(hp.method ?? config.base_model_relation)})`,
  ]);
  if (hardware.maxModelLen !== undefined)
    rows.push([en ? "Fine-tuning context" : "미세 조정 문맥 길이", `${hardware.maxModelLen} tokens`]);
  if (ctx.modelConfig?.max_position_embeddings)
    rows.push([
      en ? "Maximum context (config.json)" : "최대 문맥 길이 (config.json)",
      `${ctx.modelConfig.max_position_embeddings} tokens`,
    ]);
  const specs = table([en ? "Field" : "항목", en ? "Value" : "값"], rows);
  const samp = profile.sampling;
  const sampText =
    samp.temperature === 0
      ? en
        ? "greedy decoding"
        : "그리디 디코딩(greedy, temperature 0)"
      : Object.entries(samp)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ");
  const format = en ? profile.promptFormat : profile.promptFormatKo;
  const prompt =
    profile.family === "dinov2"
      ? format
      : `${format}\n\n${en ? `Sampling in every example: ${sampText} (${profile.samplingSource}).` : `모든 예제의 샘플링 설정: ${sampText} (${profile.samplingSource}).`}`;
  const head = [
    en ? "Precision" : "정밀도",
    en ? "Weights" : "가중치",
    ...GPU_CLASSES.map((g) => (en ? `GPUs, ${g.label}` : `GPU 수, ${g.label}`)),
  ];
  const hwTable = table(
    head,
    hardware.rows.map((r) => [
      r.precision,
      // One byte unit in everything the release prints: binary (GiB). GPU names keep their GB.
      `${gb((r.weightsGb * 1e9) / 2 ** 30)} GiB`,
      ...r.gpus.map((n) => (n === undefined ? (en ? "more than 8 (multi-node)" : "8개 초과 (다중 노드)") : String(n))),
    ]),
  );
  const serve = renderVllmServe({
    repo: config.hub.repo,
    revision: ctx.tag,
    profile,
    hardware,
    files: inventory.files.map((f) => f.path),
    architecture: inventory.architecture,
  });
  const hwNote = en
    ? `Weights = parameters (${inventory.parameters.toLocaleString("en-US")}) × bytes per parameter. GPUs needed: the smallest power of two whose memory, at vLLM's default 90 % utilisation, holds the weights plus 20 % for the KV cache and activations (and divides the attention heads). The vLLM command that follows (\`examples/vllm_serve.sh\`):`
    : `가중치 = 파라미터 수(${inventory.parameters.toLocaleString("en-US")}) × 파라미터당 바이트. 필요한 GPU 수: vLLM 기본값인 메모리 90 % 사용 시 가중치와 KV 캐시·활성값용 20 %를 담을 수 있는 가장 작은 2의 거듭제곱(어텐션 헤드 수를 나누는 값). 이에 따른 vLLM 명령(\`examples/vllm_serve.sh\`):`;
  const hardwareText = `${hwTable}\n\n${hwNote}\n\n\`\`\`sh\n${serve.command}\n\`\`\`${serve.b200Note ? `\n\n${serve.b200Note}` : ""}`;
  const training =
    tr?.gpu && tr.gpu_count
      ? en
        ? `Training: ${tr.gpu_count} × ${tr.gpu}${tr.hours ? `, ${tr.hours} h` : ""}${hp.precision ? `, ${String(hp.precision)}` : ""}.`
        : `학습: ${tr.gpu} ${tr.gpu_count}개${tr.hours ? `, ${tr.hours}시간` : ""}${hp.precision ? `, ${String(hp.precision)}` : ""}.`
      : "";
  const software = [
    training,
    ...(tr?.software ? [en ? `Training software: ${tr.software}.` : `학습 소프트웨어: ${tr.software}.`] : []),
    en
      ? `Inference: \`transformers>=${ctx.transformersMin}\` (from the architecture and the version that saved the checkpoint; the examples use \`dtype\`, not the deprecated \`torch_dtype\`), or vLLM with the flags above.`
      : `추론: \`transformers>=${ctx.transformersMin}\` (아키텍처와 체크포인트를 저장한 버전 기준. 예제는 더 이상 권장되지 않는 \`torch_dtype\` 대신 \`dtype\`을 씁니다) 또는 위 옵션의 vLLM.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  return { specs, prompt, hardware: hardwareText, software };
}

/** The base model's citation, which the card asks users to cite too. */
export function renderBaseCitation(lang: CardLanguage, ctx: CardContext): string {
  const base = ctx.licence.base;
  if (!base) return "";
  return `${lang === "en" ? `Please also cite the base model (${ctx.config.base_model}):` : `기반 모델(${ctx.config.base_model})도 함께 인용해 주십시오.`}\n\n\`\`\`bibtex\n${base.citation}\n\`\`\``;
}
