import { type Finding, renderSafeFinding } from "../findings.js";
import { locationOf } from "../sanitize/render-build-report.js";
import type { CliContext } from "./context.js";

/**
 * The human lines for findings (`scan`, `build --dry-run`, `convert-pickle`): every finding goes
 * through `renderSafeFinding` first, so a file, member or key name, a pointer or an excerpt can
 * neither show what a rule matched nor drive the terminal. `detail` is the two-line form of `scan`
 * (location, then message and excerpt); otherwise one line per finding.
 */
export function renderFindingLines(
  findings: readonly Finding[],
  ctx: Pick<CliContext, "redaction">,
  style: "detail" | "line" = "detail",
): string[] {
  const lines: string[] = [];
  for (const raw of findings) {
    const f = renderSafeFinding(raw, { patterns: ctx.redaction.patterns });
    const loc = locationOf(f);
    if (style === "line") {
      lines.push(
        `  ! ${f.severity} ${f.rule} in ${f.file}${loc ? ` (${loc})` : ""}: ${f.message}${f.excerpt ? `: ${f.excerpt}` : ""}`,
      );
      continue;
    }
    const sev = f.acceptedReason !== undefined ? "accepted" : f.severity;
    lines.push(`${sev.padEnd(8)} ${f.rule.padEnd(22)} ${f.file}${loc ? ` (${loc})` : ""}`);
    lines.push(
      `         ${f.message}${f.excerpt ? `: ${f.excerpt}` : ""}${f.acceptedReason ? ` [accepted: ${f.acceptedReason}]` : ""}`,
    );
  }
  return lines;
}

/** Findings for `--json` and error details: the same `renderSafeFinding` as the human lines. */
export function renderSafeFindings(findings: readonly Finding[], ctx: Pick<CliContext, "redaction">): Finding[] {
  return findings.map((f) => renderSafeFinding(f, { patterns: ctx.redaction.patterns }));
}
