import { labelCheckpointFiles } from "../bundle/count-release-files.js";
import type { ReleaseConfig } from "../config/schema.js";
import type { SanitizePlan } from "../sanitize/types.js";
import type { CardLanguage } from "./card-context.js";
import { compareKeys } from "./compare-keys.js";

/**
 * The card's redaction summary: which project patterns were scanned for (names only, never
 * values) and what the release sanitizer published, rewrote, converted and left out. Pure.
 */
export function renderRedactionSummary(lang: CardLanguage, config: ReleaseConfig, plan?: SanitizePlan): string {
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
