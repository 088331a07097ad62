import type { Writable } from "node:stream";

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
}

export function writeLine(stream: Writable, line = ""): void {
  stream.write(`${line}\n`);
}

export function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
