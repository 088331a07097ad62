import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command("schema")
    .description("print the JSON Schema of release configs (for editor completion)")
    .action(async () => {
      const { renderReleaseConfigJsonSchema } = await import("../../config/render-json-schema.js");
      ctx.stdout.write(renderReleaseConfigJsonSchema());
    });
}
