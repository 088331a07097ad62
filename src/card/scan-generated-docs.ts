import { isUtf8 } from "node:buffer";
import type { BundleInput } from "../bundle/types.js";
import type { SanitizeConfig } from "../config/schema.js";
import { createLineIndex, detectSecrets } from "../detect/detect-secrets.js";
import type { Finding } from "../findings.js";
import { applyAllowFindings } from "../sanitize/scan-checkpoint.js";

/** Licence texts shipped verbatim from model-cards/licences/ (reviewed once; they hold contact e-mails). */
const VERBATIM = /^(?:LICENSE|USE_POLICY(?:\.md)?|USAGE_POLICY|LICENSE-[\w.-]+|licences\/.*)$/;

/**
 * The sanitizer's rules over every document the build writes itself: the model cards, the
 * inference examples, NOTICE, the evaluation files and the chart. Their text comes from the
 * release config and the evaluation outputs, which are as able to hold a token, an internal
 * host, a cluster path or a customer name as any checkpoint file; none of it ships unscanned.
 * A finding says the file, line and rule, never the text; `sanitize.allow_findings` accepts one
 * with a written reason (a public contact e-mail in the card, say).
 */
export function scanGeneratedDocs(
  files: readonly BundleInput[],
  sanitize: Partial<Pick<SanitizeConfig, "patterns" | "internal_domains" | "allow_findings">>,
): Finding[] {
  const opts = { patterns: sanitize.patterns, internalDomains: sanitize.internal_domains };
  const findings: Finding[] = [];
  for (const f of files) {
    if (f.source.kind !== "content" || VERBATIM.test(f.path)) continue;
    const content = f.source.content;
    // Binary content (the example image, its metadata already removed) is pixels, not text.
    if (typeof content !== "string" && !isUtf8(content)) continue;
    const text = typeof content === "string" ? content : Buffer.from(content).toString("utf8");
    const lineColumnAt = createLineIndex(text);
    for (const d of detectSecrets(text, opts)) {
      const { line, column } = lineColumnAt(d.start);
      findings.push({
        rule: d.rule,
        severity: d.severity,
        file: f.path,
        line,
        column,
        message: `${d.message} in a generated ${f.role} file (its text comes from the release config or the evaluation files: change it there)`,
      });
    }
  }
  return applyAllowFindings(findings, sanitize.allow_findings ?? []);
}

/**
 * The names a release makes public before anyone reads a file: the release name and the Hub and
 * GitHub repository ids (they become URLs, tags and commit titles). A configured customer name or
 * an internal host there is published as surely as in a card. Findings point at the config field.
 */
export function scanReleaseIdentifiers(
  ids: { field: string; value: string | undefined }[],
  sanitize: Partial<Pick<SanitizeConfig, "patterns" | "internal_domains" | "allow_findings">>,
  configFile: string,
): Finding[] {
  const opts = { patterns: sanitize.patterns, internalDomains: sanitize.internal_domains };
  const findings: Finding[] = [];
  for (const { field, value } of ids) {
    if (!value) continue;
    for (const d of detectSecrets(value, opts))
      findings.push({
        rule: d.rule,
        severity: d.severity,
        file: configFile,
        pointer: `/${field.replaceAll(".", "/")}`,
        message: `${d.message} in ${field}, which is published as a name (repository id, URL, tag): choose another`,
      });
  }
  return applyAllowFindings(findings, sanitize.allow_findings ?? []);
}
