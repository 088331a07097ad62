import { blockedError } from "../errors.js";
import { isBlocking } from "../findings.js";
import { locationOf } from "./render-build-report.js";
import type { SanitizePlan } from "./types.js";

/**
 * Throws `SANITIZE_BLOCKED` (exit 3) when the plan has a blocking finding, so `build` refuses to
 * stage. The message lists up to ten findings by rule, file and location (excerpts are redacted
 * at the source, but are left to the report).
 */
export function assertSanitizePlanClean(plan: SanitizePlan): void {
  const blocking = plan.findings.filter(isBlocking);
  if (blocking.length === 0) return;
  const lines = blocking
    .slice(0, 10)
    .map((f) => `  ${f.rule} in ${f.file}${locationOf(f) ? ` (${locationOf(f)})` : ""}: ${f.message}`);
  if (blocking.length > 10) lines.push(`  … and ${blocking.length - 10} more`);
  throw blockedError(
    "SANITIZE_BLOCKED",
    `The release is blocked by ${blocking.length} finding(s):\n${lines.join("\n")}`,
    {
      hint: "Fix the checkpoint, or list the file in sanitize.drop / sanitize.allow, or accept a finding in sanitize.allow_findings, each with a written reason.",
      details: {
        blocking: blocking.map((f) => ({
          rule: f.rule,
          file: f.file,
          line: f.line,
          pointer: f.pointer,
          offset: f.offset,
        })),
      },
    },
  );
}
