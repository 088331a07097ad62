import type { Command } from "commander";
import { printable, writeJson, type CliContext } from "../context.js";

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command("diff")
    .description(
      "compare two releases: files added, removed and changed, parameters per dtype, evaluation deltas, model card",
    )
    .argument("<old>", "the earlier release: a bundle folder or org/name@version")
    .argument("<new>", "the later release: a bundle folder or org/name@version")
    .option("--json", "print the diff as JSON")
    .action(async (oldRef: string, newRef: string, opts: { json?: boolean }) => {
      const { readPreviousRelease } = await import("../read-previous-release.js");
      const { planReleaseDiff } = await import("../../trust/plan-release-diff.js");
      const { renderReleaseDiffMarkdown } = await import("../../trust/render-release-diff.js");
      const [a, b] = [await readPreviousRelease(oldRef, ctx), await readPreviousRelease(newRef, ctx)];
      const d = planReleaseDiff(a, b);
      if (opts.json) writeJson(ctx, d);
      // Both bundles may be downloads: their names reach the terminal only made safe.
      else ctx.stdout.write(printable(ctx, renderReleaseDiffMarkdown(d), "document"));
    });
}
