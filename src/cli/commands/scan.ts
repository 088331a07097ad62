import type { Command } from "commander";
import path from "node:path";
import { writeJson, writeLine, type CliContext } from "../context.js";

interface ScanOptions {
  config?: string;
  json?: boolean;
  secretlint: boolean;
}

/**
 * `model-release scan <path>`: finds secrets and personal or internal data anywhere in a
 * checkpoint folder or one file, and pickle imports that would run code, with the build's own
 * decision engine (`planScan` runs `planSanitize`): exit 3 exactly when `build` would block,
 * findings in files a build drops are warnings. Exit 0 otherwise. With --json, a clean scan
 * prints `{ blocked: false, summary, findings }`; a blocked one prints the error object whose
 * `details` hold the same fields.
 */
export function registerScan(program: Command, ctx: CliContext): void {
  program
    .command("scan")
    .description(
      "find secrets, personal and internal data, and pickle imports that run code, in a checkpoint (exit 3 when something blocks)",
    )
    .argument("<path>", "checkpoint folder, or one file (e.g. a pickle or .pt checkpoint)")
    .option("--config <yaml>", "release config: its sanitize.patterns and sanitize.allow_findings apply")
    .option("--json", "print findings as JSON")
    .option("--no-secretlint", "skip secretlint's preset (own rules only; faster)")
    .action(async (dir: string, opts: ScanOptions) => {
      const [{ planScan }, { readReleaseConfig }, { blockedError }, { renderFindingLines, renderSafeFindings }] =
        await Promise.all([
          import("../../sanitize/plan-scan.js"),
          import("../../config/load-release-config.js"),
          import("../../errors.js"),
          import("../render-findings.js"),
        ]);
      const config = opts.config ? (await readReleaseConfig(path.resolve(ctx.cwd, opts.config))).config : undefined;
      // From here on, the config's project patterns are redacted from everything printed.
      if (config) ctx.redaction.patterns = config.sanitize.patterns;
      const { findings, blocking, plan } = await planScan({
        dir: path.resolve(ctx.cwd, dir),
        config: config?.sanitize,
        baseModel: config?.base_model,
        secretlint: opts.secretlint,
        signal: ctx.signal,
      });
      const summary = {
        findings: findings.length,
        blocking: blocking.length,
        accepted: findings.filter((f) => f.acceptedReason !== undefined).length,
      };
      if (!opts.json) {
        for (const line of renderFindingLines(findings, ctx)) writeLine(ctx.stdout, line);
        writeLine(
          ctx.stdout,
          `${summary.findings} finding(s), ${summary.blocking} blocking, ${summary.accepted} accepted` +
            (plan.dropped.length > 0 ? `; ${plan.dropped.length} file(s) a build drops` : ""),
        );
      } else if (blocking.length === 0)
        writeJson(ctx, { blocked: false, summary, findings: renderSafeFindings(findings, ctx) });
      if (blocking.length > 0) {
        throw blockedError("SCAN_BLOCKED", `${blocking.length} blocking finding(s) in ${dir}`, {
          hint: blocking.some((f) => f.rule === "unsafe-pickle-global")
            ? "Never load a file with an unsafe-pickle-global finding: delete it and re-export the weights as safetensors from a trusted source. Remove secrets from the checkpoint, or accept a finding in sanitize.allow_findings with a written reason."
            : "Remove the secrets from the checkpoint, drop or allow files in sanitize.drop / sanitize.allow, or accept a finding in sanitize.allow_findings, each with a written reason.",
          details: opts.json ? { blocked: true, summary, findings: renderSafeFindings(findings, ctx) } : { summary },
        });
      }
    });
}
