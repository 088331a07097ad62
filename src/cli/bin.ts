#!/usr/bin/env node
import { CommanderError } from "commander";
import { z } from "zod";
import { isReleaseError } from "../errors.js";
import { buildProgram } from "./program.js";
import { renderError } from "./render-error.js";
import { ExitCode } from "./exit-codes.js";
import { writeJsonLine, type CliContext } from "./context.js";

// The only place that touches process.argv, process.env and the exit code.

// A CLI process validates a handful of small documents (a config, eval files): zod's JIT, which
// compiles a parser with `new Function` on first use, costs more than it saves (~10 ms of a
// cached rebuild). Set here, in the process the CLI owns, not in the library its users import.
z.config({ jitless: true });
// One abort signal for the whole run: Ctrl-C (SIGINT) or SIGTERM (CI runners, `kill`) aborts every
// request in flight (Hub, GitHub, git push) and stops before the next step; nothing is made public
// after it. The reason is a plain AbortError: client libraries pass that through unretried.
const abort = new AbortController();
let stoppedBy: "SIGINT" | "SIGTERM" | undefined;
const exitCodeOf = (signal: "SIGINT" | "SIGTERM") => (signal === "SIGINT" ? ExitCode.interrupted : 143);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    if (stoppedBy) {
      // A second signal: the user insists. The journal is written atomically, so stopping now is safe.
      process.stderr.write(`interrupted again (${signal}): stopping now; run the same command again to resume\n`);
      process.exit(exitCodeOf(stoppedBy));
    }
    stoppedBy = signal;
    abort.abort();
  });
// `model-release inspect … | head` closes the pipe early: that is the reader's choice, not a crash.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

// Cluster login nodes reach the Hub through a proxy. Node 20's fetch ignores the proxy variables,
// so every fetch of the run (Hub, GitHub, pull) goes through undici's EnvHttpProxyAgent, which
// reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lower-case first). git gets the same variables;
// Sigstore's client reads them itself. Loaded only when a proxy is set.
if (["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"].some((k) => process.env[k])) {
  const { EnvHttpProxyAgent, setGlobalDispatcher } = await import("undici");
  setGlobalDispatcher(new EnvHttpProxyAgent());
}

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
  } else if (stoppedBy) {
    // Whatever the aborted request turned into, the cause is the signal.
    const during =
      isReleaseError(err) && err.code === "INTERRUPTED"
        ? err.message
        : `by ${stoppedBy}; nothing was sent after the signal`;
    const text = `interrupted: ${during}; run the same command again to resume`;
    if (json)
      process.stdout.write(
        `${JSON.stringify({ type: "error", error: { code: "INTERRUPTED", category: "interrupted", message: text, details: { signal: stoppedBy } } })}\n`,
      );
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCodeOf(stoppedBy);
  } else {
    // Redacted there of every rule and of the patterns of the config the command had read.
    const { text, json: body, exitCode } = renderError(err, { debug, patterns: ctx.redaction.patterns });
    // One line, so it also ends an NDJSON progress stream validly.
    if (json) writeJsonLine(ctx, { type: "error", ...body });
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  }
}
