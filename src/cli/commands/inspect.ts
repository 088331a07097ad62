import type { Command } from "commander";
import { printable, writeJson, writeLine, type CliContext } from "../context.js";
import { formatBytes, formatCount } from "../format-bytes.js";

export function registerInspect(program: Command, ctx: CliContext): void {
  program
    .command("inspect")
    .description(
      "describe a checkpoint folder: layout, files and formats, tensors and parameters per dtype (reads headers only)",
    )
    .argument("<dir>", "checkpoint folder")
    .option("--json", "print the inventory as JSON")
    .option("--config <yaml>", "release config: its sanitize.patterns are redacted from the output too")
    .action(async (dir: string, opts: { json?: boolean; config?: string }) => {
      if (opts.config) {
        const { readReleaseConfig } = await import("../../config/load-release-config.js");
        const { resolve } = await import("node:path");
        ctx.redaction.patterns = (await readReleaseConfig(resolve(ctx.cwd, opts.config))).config.sanitize.patterns;
      }
      const { inspectCheckpoint } = await import("../../checkpoint/inspect-checkpoint.js");
      const inv = await inspectCheckpoint({ dir, signal: ctx.signal });
      if (opts.json) {
        // Tensor lists are large; --json keeps per-file tensor counts, and the full headers stay in the library API.
        writeJson(ctx, {
          root: inv.root,
          layout: inv.layout,
          architecture: inv.architecture ?? null,
          modelType: inv.modelType ?? null,
          tensors: inv.tensors,
          parameters: inv.parameters,
          dtypes: inv.dtypes,
          shards: inv.shards,
          index: inv.index ?? null,
          totalBytes: inv.totalBytes,
          files: inv.files.map((f) => ({
            path: f.path,
            size: f.size,
            format: f.format,
            ...(f.safetensors
              ? {
                  tensors: f.safetensors.tensors.length,
                  headerLength: f.safetensors.headerLength,
                  metadata: f.safetensors.metadata,
                }
              : {}),
          })),
        });
        return;
      }
      const out = (s = "") => writeLine(ctx.stdout, s);
      // Names and config values come from the checkpoint: redacted and escaped like every finding.
      const safe = (s: string) => printable(ctx, s);
      out(safe(inv.root));
      out(`  layout        ${inv.layout}`);
      if (inv.architecture || inv.modelType)
        out(`  architecture  ${safe(inv.architecture ?? "?")}${inv.modelType ? ` (${safe(inv.modelType)})` : ""}`);
      out(`  parameters    ${formatCount(inv.parameters)} (${inv.parameters}) in ${inv.tensors} tensors`);
      for (const [dtype, d] of Object.entries(inv.dtypes))
        out(
          `    ${safe(dtype).padEnd(10)} ${formatCount(d.parameters).padStart(8)} params  ${String(d.tensors).padStart(6)} tensors  ${formatBytes(d.bytes)}`,
        );
      out(
        `  shards        ${inv.shards.length}${inv.index ? ` (index ${safe(inv.index.path)}, ${inv.index.tensors} tensors, cross-checked)` : ""}`,
      );
      out(`  size          ${formatBytes(inv.totalBytes)} in ${inv.files.length} files`);
      out();
      const names = inv.files.map((f) => safe(f.path));
      const w = Math.max(...names.map((n) => n.length), 4);
      for (const [i, f] of inv.files.entries())
        out(`  ${names[i]!.padEnd(w)}  ${f.format.padEnd(11)} ${formatBytes(f.size).padStart(9)}`);
    });
}
