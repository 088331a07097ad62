import type { Finding } from "../findings.js";
import { createLineIndex, dedupeDetections, detectSecrets, type SecretPattern } from "../sanitize/detect-secrets.js";
import { detectCodeSecrets, renderCodeExcerpt, renderScanView } from "./detect-code-secrets.js";

/**
 * The code export's gate: the sanitizer's engine (built-in rules plus the config's
 * `sanitize.patterns`) and the code placement rules of `detectCodeSecrets`, over the scan view
 * of each exported file (ANSI escapes and `host:/path` colons neutralised, offsets unchanged).
 * Findings carry an excerpt that holds no part of any value: not the value, not a neighbouring
 * literal (the other half of a split token).
 */
export function createCodeSecretScan(
  patterns: readonly SecretPattern[] = [],
): (path: string, content: string) => Finding[] {
  const opts = { patterns: [...patterns] };
  return (path, content) => {
    const view = renderScanView(content);
    // Engine first: a span both match keeps the engine's more specific rule id.
    const found = dedupeDetections([...detectSecrets(view, opts), ...detectCodeSecrets(view)]);
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
        excerpt: renderCodeExcerpt(view, d, found),
      };
    });
  };
}
