import { Command, type Option } from "commander";
import { createRequire } from "node:module";
import type { CliContext } from "./context.js";
import { registerSchema } from "./commands/schema.js";
import { registerPublish } from "./commands/publish.js";
import { registerPull } from "./commands/pull.js";
import { registerRelease } from "./commands/release.js";
import { registerScan } from "./commands/scan.js";
import { registerInspect } from "./commands/inspect.js";
import { registerBuild } from "./commands/build.js";
import { registerVerify } from "./commands/verify.js";
import { registerDiff } from "./commands/diff.js";
import { registerDemo } from "./commands/demo.js";
import { registerServe } from "./commands/serve.js";
import { registerConvertPickle } from "./commands/convert-pickle.js";
import { registerDataset } from "./commands/dataset.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/**
 * Builds the commander program. No side effects at import time; `bin.ts` is the only caller of
 * `parseAsync(process.argv)`. Each command lives in `commands/<name>.ts`, parses its options,
 * lazy-imports its stage and renders the result.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command("model-release")
    .description(
      "Turn a trained checkpoint into a public, versioned, verifiable release on the Hugging Face Hub and GitHub.",
    )
    .version(version)
    .option("--debug", "print stacks of unexpected errors")
    // `build --version <semver>` must reach the subcommand, not print the tool's version:
    // program options are read before the subcommand only, and --debug is offered on each command.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .showHelpAfterError("(run with --help for usage)");

  // Order is the order of `--help`: the job from checkpoint to published release, then tools.
  for (const register of [
    registerInspect,
    registerScan,
    registerBuild,
    registerVerify,
    registerPublish,
    registerRelease,
    registerPull,
    registerDiff,
    registerDataset,
    registerServe,
    registerDemo,
    registerConvertPickle,
    registerSchema,
  ]) {
    register(program, ctx);
  }
  for (const cmd of program.commands) {
    if (!cmd.options.some((o) => o.long === "--debug")) cmd.option("--debug", "print stacks of unexpected errors");
  }
  checkRequiredOptionsAfterUnknownOnes(program);
  return program;
}

/**
 * Commander checks required options before unknown ones, so `build --confg x` would say
 * "required option '--config' not specified" without naming the typo. Required options are
 * checked in a preAction hook instead, which runs after the unknown-option check (and its
 * "Did you mean --config?" suggestion).
 */
function checkRequiredOptionsAfterUnknownOnes(program: Command): void {
  const required = new Map<Command, Option[]>();
  const walk = (cmd: Command): void => {
    const mandatory = cmd.options.filter((o) => o.mandatory);
    for (const option of mandatory) option.makeOptionMandatory(false);
    if (mandatory.length > 0) required.set(cmd, mandatory);
    for (const sub of cmd.commands) walk(sub);
  };
  walk(program);
  program.hook("preAction", (_program, actionCommand) => {
    for (const option of required.get(actionCommand) ?? []) {
      if (actionCommand.getOptionValue(option.attributeName()) === undefined) {
        actionCommand.error(`error: required option '${option.flags}' not specified`, {
          code: "commander.missingMandatoryOptionValue",
        });
      }
    }
  });
}
