import { formatLocation, isReleaseError } from "../errors.js";
import { ExitCode, exitCodeFor } from "./exit-codes.js";

/**
 * Turns any thrown value into the text shown to the user and an exit code. Unknown errors are
 * bugs: their message is shown, the stack only with --debug. Raw third-party errors never reach
 * here with their request objects: adapters translate them first.
 */
export function renderError(
  err: unknown,
  debug = false,
): { text: string; json: Record<string, unknown>; exitCode: ExitCode } {
  if (isReleaseError(err)) {
    const where = formatLocation(err.location);
    const lines = [`error[${err.code}]: ${err.message}`];
    // Messages that list their own locations (a config's issues) are not followed by a repeat.
    const position = formatLocation({ ...err.location, field: undefined });
    if (where && !err.message.includes(where) && !(position && err.message.includes(`${position} `))) {
      lines.push(`  at ${where}`);
    }
    if (err.hint) lines.push(`  hint: ${err.hint}`);
    if (debug && err.stack) lines.push(err.stack);
    return { text: lines.join("\n"), json: { error: err.toJSON() }, exitCode: exitCodeFor(err.category) };
  }
  const message = err instanceof Error ? err.message : String(err);
  const lines = [
    `error[INTERNAL]: ${message}`,
    "  hint: this is a bug in model-release; please report it with the command you ran (run again with --debug for the stack)",
  ];
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return {
    text: lines.join("\n"),
    json: { error: { code: "INTERNAL", category: "internal", message } },
    exitCode: ExitCode.internal,
  };
}
