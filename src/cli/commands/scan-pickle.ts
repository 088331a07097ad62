import type { Command } from "commander";
import path from "node:path";
import type { CliContext } from "../context.js";
import { writeJson, writeLine } from "../context.js";

/**
 * `model-release scan-pickle <files...>`: lists the imports of pickles and PyTorch checkpoints
 * without loading them, and exits 3 (blocked) when any is dangerous, unknown or unreadable.
 */
export function registerScanPickle(program: Command, ctx: CliContext): void {
  program
    .command("scan-pickle")
    .description("list what pickles and PyTorch checkpoints import, without loading them; exit 3 on unsafe or unknown imports")
    .argument("<files...>", "pickle, .pt/.bin/.pth/.ckpt files (zip or legacy torch format)")
    .option("--json", "print machine-readable results")
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { scanTorchFile } = await import("../../checkpoint/pickle/scan-torch-file.js");
      const { blockedError } = await import("../../errors.js");
      const results = [];
      for (const f of files) {
        const scan = await scanTorchFile(path.resolve(ctx.cwd, f), { file: f });
        results.push({ file: f, format: scan.format, imports: scan.pickles.flatMap((p) => p.globals.map((g) => ({ ...(p.member ? { member: p.member } : {}), ...g }))), findings: scan.findings });
      }
      const blocking = results.flatMap((r) => r.findings).filter((f) => f.severity === "block");
      if (!opts.json) {
        for (const r of results) {
          const distinct = [...new Map(r.imports.map((g) => [`${g.module}.${g.name}`, g.verdict])).entries()];
          writeLine(ctx.stdout, `${r.file} (${r.format}): ${distinct.map(([n, v]) => (v === "safe" ? n : `${n} [${v}]`)).join(", ") || "no imports"}`);
          for (const f of r.findings) writeLine(ctx.stdout, `  ${f.severity} ${f.rule}: ${f.message}`);
        }
      }
      if (blocking.length) {
        throw blockedError("PICKLE_UNSAFE", `${blocking.length} blocking pickle finding(s) in ${new Set(blocking.map((f) => f.file)).size} file(s)`, {
          hint: "Do not load or publish these files. Convert plain state dicts with `model-release convert-pickle`.",
          details: { results },
        });
      }
      if (opts.json) writeJson(ctx, { results });
    });
}
