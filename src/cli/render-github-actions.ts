import { isReleaseError } from "../errors.js";
import type { Finding } from "../findings.js";
import type { PublishResult } from "../publish/publish-release.js";

/** Workflow-command escaping (actions/toolkit `escapeData` / `escapeProperty`). */
const escapeData = (s: string) => s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const escapeProperty = (s: string) => escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");

/** `::error file=…,line=…,title=…::message` lines for a failed release: one per finding, else one for the error. */
export function renderErrorAnnotations(err: unknown): string[] {
  if (!isReleaseError(err))
    return [`::error title=INTERNAL::${escapeData(err instanceof Error ? err.message : String(err))}`];
  const findings = (err.details?.findings as Finding[] | undefined) ?? [];
  const one = (props: Record<string, string | number | undefined>, message: string) =>
    `::error ${Object.entries(props)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
      .join(",")}::${escapeData(message)}`;
  if (findings.length > 0)
    return findings.map((f) =>
      one(
        { file: f.file, line: f.line, col: f.column, title: f.rule },
        f.excerpt ? `${f.message} (${f.excerpt})` : f.message,
      ),
    );
  return [
    one(
      { file: err.location?.file, line: err.location?.line, col: err.location?.column, title: err.code },
      err.hint ? `${err.message}\nhint: ${err.hint}` : err.message,
    ),
  ];
}

/** The Markdown written to `$GITHUB_STEP_SUMMARY` after a release. */
export function renderStepSummary(r: PublishResult): string {
  const out = [
    `## ${r.dryRun ? "Release plan" : "Released"} ${r.name} ${r.version} (\`${r.tag}\`)${r.versionPolicy.prerelease ? " — prerelease" : ""}`,
    "",
  ];
  out.push("| | |", "|---|---|");
  if (r.hub) {
    out.push(
      `| Hub | [${r.hub.plan.repo} @ ${r.tag}](${r.hub.url})${r.hub.commit ? ` (commit \`${r.hub.commit.slice(0, 12)}\`)` : ""} |`,
    );
    const c = r.hub.plan.commit;
    out.push(
      `| Hub changes | ${c ? `+${c.add.length} ~${c.change.length} −${c.delete.length} files, ${c.unchanged.length} unchanged` : "already published"} |`,
    );
  }
  if (r.github)
    out.push(
      `| GitHub | ${r.github.releaseUrl ? `[release ${r.tag}](${r.github.releaseUrl})` : `${r.github.plan.repo} (${r.github.plan.release.action})`} |`,
    );
  out.push(`| Content digest | \`${r.contentDigest}\` |`);
  if (r.resumed.length > 0) out.push(`| Resumed after | ${r.resumed.join(", ")} |`);
  out.push("");
  return out.join("\n");
}

/** The Markdown written to `$GITHUB_STEP_SUMMARY` when the release failed. */
export function renderFailureSummary(err: unknown): string {
  if (!isReleaseError(err))
    return `## Release failed\n\nUnexpected error: ${err instanceof Error ? err.message : String(err)}\n`;
  const lines = [`## Release failed: \`${err.code}\``, "", err.message, ""];
  if (err.hint) lines.push(`**How to fix:** ${err.hint}`, "");
  const findings = (err.details?.findings as Finding[] | undefined) ?? [];
  if (findings.length > 0) {
    lines.push("| rule | file | line | message |", "|---|---|---|---|");
    for (const f of findings)
      lines.push(`| ${f.rule} | ${f.file} | ${f.line ?? ""} | ${f.message.replaceAll("|", "\\|")} |`);
    lines.push("");
  }
  return lines.join("\n");
}
