import type { Writable } from "node:stream";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { renderSafeJson, renderSafeText } from "../sanitize/render-safe-text.js";

/**
 * Everything the CLI takes from the process, passed down explicitly so commands are testable
 * without patching globals. Only `bin.ts` builds the real one.
 */
export interface CliContext {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Forwarded to long stages (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * What everything printed is redacted of besides the built-in rules: a command that reads a
   * release config puts its `sanitize.patterns` here first, so its output and its errors (rendered
   * by bin.ts) never show a customer name either.
   */
  redaction: { patterns: SecretPattern[] };
}

export function writeLine(stream: Writable, line = ""): void {
  stream.write(`${line}\n`);
}

/**
 * A name, location or message from a checkpoint, a bundle or an error made safe to print:
 * redacted of every rule's matches and with control characters escaped (`renderSafeText`).
 * Every value the CLI did not write itself goes through this before it is printed.
 */
export function printable(
  ctx: Pick<CliContext, "redaction">,
  text: string | number,
  multiline: boolean | "document" = false,
): string {
  return renderSafeText(String(text), { patterns: ctx.redaction.patterns, multiline });
}

/** The one JSON document of a command on stdout, redacted like everything printed (`renderSafeJson`). */
export function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${renderSafeJson(value, { patterns: ctx.redaction.patterns }, 2)}\n`);
}

/** One NDJSON line (progress events, the result, the error) on stdout. */
export function writeJsonLine(ctx: Pick<CliContext, "stdout" | "redaction">, value: unknown): void {
  ctx.stdout.write(`${renderSafeJson(value, { patterns: ctx.redaction.patterns })}\n`);
}
