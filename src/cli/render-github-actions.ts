import { isReleaseError, type ReleaseError } from "../errors.js";
import { type Finding, renderSafeFinding } from "../findings.js";
import type { PublishResult } from "../publish/publish-release.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { renderSafeText } from "../sanitize/render-safe-text.js";

/**
 * Workflow-command escaping, exactly as actions/toolkit's `escapeData` / `escapeProperty`
 * (packages/core/src/command.ts): `%` first, then CR and LF; properties also `:` and `,`.
 */
export const escapeData = (s: string) => s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
export const escapeProperty = (s: string) => escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");

/**
 * The findings an error carries in `details.findings`, as whole `Finding`s. Errors are built in
 * many places and a detail is data, not a contract: an entry that is not an object with a `rule`
 * is skipped, and missing fields fall back to the error's own location and code, so a failed
 * release is always reported, never turned into a crash of the reporter.
 */
function findingsOf(err: ReleaseError): Finding[] {
  const raw = err.details?.findings;
  if (!Array.isArray(raw)) return [];
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  return raw.flatMap((x: unknown): Finding[] => {
    if (typeof x !== "object" || x === null) return [];
    const f = x as Record<string, unknown>;
    const rule = str(f.rule);
    if (!rule) return [];
    const line = num(f.line);
    const column = num(f.column);
    const pointer = str(f.pointer);
    return [
      {
        rule,
        severity: f.severity === "warn" ? "warn" : "block",
        file: str(f.file) ?? err.location?.file ?? "",
        message: str(f.message) ?? `blocked by rule ${rule} (${err.code})`,
        ...(line === undefined ? {} : { line }),
        ...(column === undefined ? {} : { column }),
        ...(pointer === undefined ? {} : { pointer }),
        ...(str(f.excerpt) === undefined ? {} : { excerpt: str(f.excerpt) }),
      },
    ];
  });
}

/**
 * `::error file=…,line=…,title=…::message` lines for a failed release: one per finding, else one
 * for the error. Every name, message and excerpt is made safe first (`renderSafeText` with the
 * config's `patterns`): the log of a public repository's workflow is public.
 */
export function renderErrorAnnotations(err: unknown, patterns: SecretPattern[] = []): string[] {
  const safe = (s: string) => renderSafeText(s, { patterns, multiline: true });
  if (!isReleaseError(err))
    return [`::error title=INTERNAL::${escapeData(safe(err instanceof Error ? err.message : String(err)))}`];
  const findings = findingsOf(err).map((f) => renderSafeFinding(f, { patterns }));
  const one = (props: Record<string, string | number | undefined>, message: string) =>
    `::error ${Object.entries(props)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${escapeProperty(renderSafeText(String(v), { patterns }))}`)
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
      err.hint ? `${safe(err.message)}\nhint: ${safe(err.hint)}` : safe(err.message),
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

/** A Markdown table cell: safe text, with `|` and HTML defused (the summary is rendered as GitHub Markdown). */
function mdCell(s: string, patterns: SecretPattern[]): string {
  return renderSafeText(s, { patterns }).replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The Markdown written to `$GITHUB_STEP_SUMMARY` when the release failed (redacted like the annotations). */
export function renderFailureSummary(err: unknown, patterns: SecretPattern[] = [], what = "Release"): string {
  const text = (s: string) =>
    renderSafeText(s, { patterns, multiline: true }).replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  if (!isReleaseError(err))
    return `## ${what} failed\n\nUnexpected error: ${text(err instanceof Error ? err.message : String(err))}\n`;
  const lines = [`## ${what} failed: \`${mdCell(err.code, patterns)}\``, "", text(err.message), ""];
  if (err.hint) lines.push(`**How to fix:** ${text(err.hint)}`, "");
  const findings = findingsOf(err);
  if (findings.length > 0) {
    lines.push("| rule | file | line | message |", "|---|---|---|---|");
    for (const f of findings)
      lines.push(
        `| ${mdCell(f.rule, patterns)} | ${mdCell(f.file, patterns)} | ${f.line ?? ""} | ${mdCell(f.message, patterns)} |`,
      );
    lines.push("");
  }
  return lines.join("\n");
}
