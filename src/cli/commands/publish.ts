import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { addPublishOptions, runPublish, withActionsReporting, type PublishFlags } from "../publish-options.js";

export function registerPublish(program: Command, ctx: CliContext): void {
  addPublishOptions(
    program
      .command("publish")
      .description(
        "publish a built bundle: Hub commit + tag, GitHub tag + draft release + assets, then publish; a re-run resumes",
      )
      .argument("<bundle>", "bundle folder made by `model-release build`")
      .option("--config <yaml>", "release config, for the repo's visibility and the code export"),
  ).action(async (bundle: string, opts: PublishFlags & { config?: string }) => {
    const { renderStepSummary } = await import("../render-github-actions.js");
    await withActionsReporting(
      ctx,
      async () => {
        const config = opts.config
          ? await (await import("../../config/load-release-config.js")).readReleaseConfig(opts.config)
          : undefined;
        return runPublish(ctx, {
          bundleDir: bundle,
          flags: opts,
          config,
          configRequiredForNewRepo: true,
        });
      },
      renderStepSummary,
    );
  });
}
