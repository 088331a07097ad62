#!/usr/bin/env node
import { CommanderError } from "commander";
import { z } from "zod";
import { buildProgram } from "./program.js";
import { renderError } from "./render-error.js";
import { ExitCode } from "./exit-codes.js";
import { writeJsonLine, type CliContext } from "./context.js";

// The only place that touches process.argv, process.env and the exit code.

// A CLI process validates a handful of small documents (a config, eval files): zod's JIT, which
// compiles a parser with `new Function` on first use, costs more than it saves (~10 ms of a
// cached rebuild). Set here, in the process the CLI owns, not in the library its users import.
z.config({ jitless: true });
const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted")));
// `serve` and long stages stop cleanly on SIGTERM too (CI runners and `kill` send it); a second one kills.
process.once("SIGTERM", () => abort.abort(new Error("terminated")));
// `model-release inspect … | head` closes the pipe early: that is the reader's choice, not a crash.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const ctx: CliContext = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: abort.signal,
  redaction: { patterns: [] },
};
const argv = process.argv.slice(2);
const json = argv.includes("--json");
const debug = argv.includes("--debug");

try {
  await buildProgram(ctx).parseAsync(argv, { from: "user" });
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are "errors" with exit code 0; parse errors were already printed.
    process.exitCode = err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else {
    // Redacted there of every rule and of the patterns of the config the command had read.
    const { text, json: body, exitCode } = renderError(err, { debug, patterns: ctx.redaction.patterns });
    // One line, so it also ends an NDJSON progress stream validly.
    if (json) writeJsonLine(ctx, { type: "error", ...body });
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  }
}
