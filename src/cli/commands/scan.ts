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
 * checkpoint folder or one file, and lists pickle imports that would run code (this replaced
 * the separate `scan-pickle` command). Exit 0 when clean, 3 (blocked) when a finding blocks. With --json, a clean scan
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
      const [
        { scanCheckpoint },
        { readReleaseConfig },
        { isBlocking },
        { blockedError },
        { renderFindingLines, renderSafeFindings },
      ] = await Promise.all([
        import("../../sanitize/scan-checkpoint.js"),
        import("../../config/load-release-config.js"),
        import("../../findings.js"),
        import("../../errors.js"),
        import("../render-findings.js"),
      ]);
      const sanitize = opts.config
        ? (await readReleaseConfig(path.resolve(ctx.cwd, opts.config))).config.sanitize
        : undefined;
      // From here on, the config's project patterns are redacted from everything printed.
      if (sanitize) ctx.redaction.patterns = sanitize.patterns;
      const abs = path.resolve(ctx.cwd, dir);
      const { stat } = await import("node:fs/promises");
      const st = await stat(abs).catch(() => undefined);
      let inventory: { files: import("../../checkpoint/types.js").InventoryFile[] } | undefined;
      if (st?.isFile()) {
        const { sniffFile } = await import("../../sanitize/read-checkpoint-files.js");
        inventory = {
          files: [{ path: path.basename(abs), absPath: abs, size: st.size, format: await sniffFile(abs, st.size) }],
        };
      }
      const findings = await scanCheckpoint({
        ...(inventory ? { inventory } : { dir: abs }),
        patterns: sanitize?.patterns,
        internalDomains: sanitize?.internal_domains,
        allowFindings: sanitize?.allow_findings,
        secretlint: opts.secretlint,
        signal: ctx.signal,
      });
      const blocking = findings.filter(isBlocking);
      const summary = {
        findings: findings.length,
        blocking: blocking.length,
        accepted: findings.filter((f) => f.acceptedReason !== undefined).length,
      };
      if (!opts.json) {
        for (const line of renderFindingLines(findings, ctx)) writeLine(ctx.stdout, line);
        writeLine(
          ctx.stdout,
          `${summary.findings} finding(s), ${summary.blocking} blocking, ${summary.accepted} accepted`,
        );
      } else if (blocking.length === 0)
        writeJson(ctx, { blocked: false, summary, findings: renderSafeFindings(findings, ctx) });
      if (blocking.length > 0) {
        throw blockedError("SCAN_BLOCKED", `${blocking.length} blocking finding(s) in ${dir}`, {
          hint: blocking.some((f) => f.rule === "unsafe-pickle-global")
            ? "Never load a file with an unsafe-pickle-global finding: delete it and re-export the weights as safetensors from a trusted source. Remove secrets from the checkpoint, or accept a finding in sanitize.allow_findings with a written reason."
            : "Remove the secrets from the checkpoint, or accept a finding in sanitize.allow_findings with a written reason.",
          details: opts.json ? { blocked: true, summary, findings: renderSafeFindings(findings, ctx) } : { summary },
        });
      }
    });
}
