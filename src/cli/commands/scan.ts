import type { Command } from "commander";
import path from "node:path";
import { writeJson, writeLine, type CliContext } from "../context.js";

interface ScanOptions {
  config?: string;
  json?: boolean;
  secretlint: boolean;
}

/**
 * `model-release scan <dir>`: finds secrets and personal or internal data anywhere in a
 * checkpoint. Exit 0 when clean, 3 (blocked) when a finding blocks. With --json, a clean scan
 * prints `{ blocked: false, summary, findings }`; a blocked one prints the error object whose
 * `details` hold the same fields.
 */
export function registerScan(program: Command, ctx: CliContext): void {
  program
    .command("scan")
    .description("find secrets, personal and internal data in every file of a checkpoint (exit 3 when something blocks)")
    .argument("<dir>", "checkpoint folder")
    .option("--config <yaml>", "release config: its sanitize.patterns and sanitize.allow_findings apply")
    .option("--json", "print findings as JSON")
    .option("--no-secretlint", "skip secretlint's preset (own rules only; faster)")
    .action(async (dir: string, opts: ScanOptions) => {
      const [{ scanCheckpoint }, { readReleaseConfig }, { isBlocking }, { blockedError }, { locationOf }] = await Promise.all([
        import("../../sanitize/scan-checkpoint.js"),
        import("../../config/load-release-config.js"),
        import("../../findings.js"),
        import("../../errors.js"),
        import("../../sanitize/render-build-report.js"),
      ]);
      const sanitize = opts.config ? (await readReleaseConfig(path.resolve(ctx.cwd, opts.config))).config.sanitize : undefined;
      const findings = await scanCheckpoint({
        dir: path.resolve(ctx.cwd, dir),
        patterns: sanitize?.patterns,
        allowFindings: sanitize?.allow_findings,
        secretlint: opts.secretlint,
        signal: ctx.signal,
      });
      const blocking = findings.filter(isBlocking);
      const summary = { findings: findings.length, blocking: blocking.length, accepted: findings.filter((f) => f.acceptedReason !== undefined).length };
      if (!opts.json) {
        for (const f of findings) {
          const sev = f.acceptedReason !== undefined ? "accepted" : f.severity;
          const loc = locationOf(f);
          writeLine(ctx.stdout, `${sev.padEnd(8)} ${f.rule.padEnd(22)} ${f.file}${loc ? ` (${loc})` : ""}`);
          writeLine(ctx.stdout, `         ${f.message}${f.excerpt ? `: ${f.excerpt}` : ""}${f.acceptedReason ? ` [accepted: ${f.acceptedReason}]` : ""}`);
        }
        writeLine(ctx.stdout, `${summary.findings} finding(s), ${summary.blocking} blocking, ${summary.accepted} accepted`);
      } else if (blocking.length === 0) writeJson(ctx, { blocked: false, summary, findings });
      if (blocking.length > 0) {
        throw blockedError("SCAN_BLOCKED", `${blocking.length} blocking finding(s) in ${dir}`, {
          hint: "Remove the secrets from the checkpoint, or accept a finding in sanitize.allow_findings with a written reason.",
          details: opts.json ? { blocked: true, summary, findings } : { summary },
        });
      }
    });
}
