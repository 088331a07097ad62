import { createLineIndex, detectSecrets, type SecretPattern } from "../detect/detect-secrets.js";
import { blockedError } from "../errors.js";
import type { Finding } from "../findings.js";

/**
 * Refuses release notes that any sanitizer rule flags. The notes are the card's summary (already
 * scanned with the bundle), the evaluation table, SHA256SUMS, the diff against the previous
 * release and, when given, the config's `card.summary` at publish time: text that reaches a public GitHub
 * release without passing through the build. Says where and which rule, never what.
 *
 * @throws ReleaseError `RELEASE_NOTES_BLOCKED` (blocked).
 */
export function assertReleaseNotesClean(notes: string, patterns: SecretPattern[] | undefined): void {
  const found = detectSecrets(notes, { patterns });
  if (found.length === 0) return;
  const lineColumnAt = createLineIndex(notes);
  const lines = found.map((d) => `  release notes:${lineColumnAt(d.start).line} [${d.rule}] ${d.message}`);
  throw blockedError(
    "RELEASE_NOTES_BLOCKED",
    `the GitHub release notes cannot be published (${found.length} finding${found.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    {
      hint: "the notes hold the config's `card.summary` and the diff against the previous release: remove what the rule found from `card.summary`, or from the previous release's files it came from",
      details: {
        findings: found.map(
          (d): Finding => ({
            rule: d.rule,
            severity: "block",
            file: "release notes",
            line: lineColumnAt(d.start).line,
            message: d.message,
          }),
        ),
      },
    },
  );
}
