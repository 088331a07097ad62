import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command("schema")
    .description("print the JSON Schema of release configs (for editor completion)")
    // The schema is JSON already; --json is accepted like on every other command.
    .option("--json", "the same JSON Schema (it is machine-readable already)")
    .action(async () => {
      const { renderReleaseConfigJsonSchema } = await import("../../config/render-json-schema.js");
      ctx.stdout.write(renderReleaseConfigJsonSchema());
    });
}
