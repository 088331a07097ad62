import type { Finding } from "../findings.js";
import { createLineIndex, detectSecrets, renderExcerpt, type SecretPattern } from "../sanitize/detect-secrets.js";

/**
 * The sanitizer's secret and sensitive-data detectors as the code export's gate: every exported
 * file (after internal blocks are stripped) is scanned with the built-in rules plus the config's
 * `sanitize.patterns`. Findings carry a redacted excerpt, never the value.
 */
export function createCodeSecretScan(
  patterns: readonly SecretPattern[] = [],
): (path: string, content: string) => Finding[] {
  return (path, content) => {
    const opts = { patterns: [...patterns] };
    const found = detectSecrets(content, opts);
    const at = createLineIndex(content);
    return found.map((d) => {
      const { line, column } = at(d.start);
      return {
        rule: d.rule,
        severity: d.severity,
        file: path,
        line,
        column,
        message: d.message,
        excerpt: renderExcerpt(content, d, found, opts),
      };
    });
  };
}
