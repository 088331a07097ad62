import { formatLocation, isReleaseError } from "../errors.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { renderSafeText, renderSafeValue } from "../sanitize/render-safe-text.js";
import { ExitCode, exitCodeFor } from "./exit-codes.js";

/**
 * Turns any thrown value into the text shown to the user and an exit code. Unknown errors are
 * bugs: their message is shown, the stack only with --debug. Raw third-party errors never reach
 * here with their request objects: adapters translate them first.
 *
 * Messages quote file, member and key names from the checkpoint (an e-mail as an index key, a
 * token as a file name), so the text and the JSON body go through `renderSafeText` /
 * `renderSafeValue` here, the one place every error is printed from, with the config's
 * `patterns` when the command had read them.
 */
export function renderError(
  err: unknown,
  params: { debug?: boolean; patterns?: SecretPattern[] } = {},
): { text: string; json: Record<string, unknown>; exitCode: ExitCode } {
  const { debug = false, patterns = [] } = params;
  const safe = (s: string) => renderSafeText(s, { patterns, multiline: true });
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
    const text = safe(lines.join("\n"));
    return {
      text: withRedactionNote(text, lines.join("\n"), where !== ""),
      json: { error: renderSafeValue(err.toJSON(), { patterns }) },
      exitCode: exitCodeFor(err.category),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const lines = [
    `error[INTERNAL]: ${message}`,
    "  hint: this is a bug in model-release; please report it with the command you ran (run again with --debug for the stack)",
  ];
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return {
    text: withRedactionNote(safe(lines.join("\n")), lines.join("\n"), false),
    json: { error: { code: "INTERNAL", category: "internal", message: renderSafeValue(message, { patterns }) } },
    exitCode: ExitCode.internal,
  };
}

/**
 * A redacted error says so once, and why: a user who meets `[REDACTED:user-path]` in place of the
 * path they typed should know it is deliberate, and where to look instead.
 */
function withRedactionNote(text: string, raw: string, located: boolean): string {
  if (!text.includes("[REDACTED:") || raw.includes("[REDACTED:")) return text;
  const look = located ? "; the location above says where it is" : "";
  return `${text}\n  note: [REDACTED:<rule>] stands for text a detector matched (a path with a user name, a host, a token): it is never printed, since terminals and CI logs can be public${look}`;
}
