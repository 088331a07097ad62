import type { Command } from "commander";
import path from "node:path";
import type { CliContext } from "../context.js";
import { printable, writeJson, writeLine } from "../context.js";

/**
 * `model-release convert-pickle <source> <dest>`: converts a plain PyTorch state dict to
 * safetensors without executing the pickle; exits 3 (blocked) when it is anything else.
 */
export function registerConvertPickle(program: Command, ctx: CliContext): void {
  program
    .command("convert-pickle")
    .description(
      "convert one plain PyTorch state dict (*.pt, *.bin; --key for DeepSpeed or Lightning files) to safetensors without running the pickle; `build` does this itself for weight pickles",
    )
    .argument("<source>", "torch.save checkpoint (zip or legacy format)")
    .argument("<dest>", "safetensors file to write")
    .option("--key <name>", "convert the dict under this top-level key (DeepSpeed: module, Lightning: state_dict)")
    .option("--json", "print machine-readable results")
    .action(async (source: string, dest: string, opts: { json?: boolean; key?: string }) => {
      const { convertTorchToSafetensors } = await import("../../checkpoint/pickle/convert-torch-to-safetensors.js");
      const { blockedError } = await import("../../errors.js");
      const { renderSafeFindings } = await import("../render-findings.js");
      const r = await convertTorchToSafetensors({
        source: path.resolve(ctx.cwd, source),
        dest: path.resolve(ctx.cwd, dest),
        file: source,
        stateDictKey: opts.key,
        signal: ctx.signal,
      });
      // Findings quote pickle strings and tensor names: never printed raw.
      const findings = renderSafeFindings(r.plan.findings, ctx);
      const tensors = r.plan.tensors.map((t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        dataOffsets: t.dataOffsets,
        sha256: r.sha256[t.name],
      }));
      if (!r.written) {
        const blocking = r.plan.findings.filter((f) => f.severity === "block");
        if (!opts.json) for (const f of findings) writeLine(ctx.stdout, `  ${f.severity} ${f.rule}: ${f.message}`);
        throw blockedError(
          "PICKLE_NOT_CONVERTIBLE",
          `${source}: not converted: ${blocking.length} blocking finding(s) (${[...new Set(blocking.map((f) => f.rule))].join(", ")})`,
          {
            hint: "Only plain state dicts of contiguous tensors are converted; see the findings.",
            details: { findings },
          },
        );
      }
      if (opts.json) {
        writeJson(ctx, { source, dest, format: r.plan.format, size: r.plan.size, tensors, findings });
        return;
      }
      writeLine(
        ctx.stdout,
        `${printable(ctx, dest)}: ${tensors.length} tensors, ${r.plan.size} bytes (from ${r.plan.format})`,
      );
      for (const f of findings) writeLine(ctx.stdout, `  ${f.severity} ${f.rule}: ${f.message}`);
    });
}
