import { InvalidArgumentError, type Command } from "commander";
import { resolve } from "node:path";
import { usageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { writeLine } from "../context.js";
import { isLoopbackHost } from "../../publish/is-loopback-url.js";

interface ServeOptions {
  data: string;
  port?: number;
  host: string;
  allowRemote?: boolean;
  user: string;
  org?: string[];
  githubRepo?: string[];
  config?: string[];
  faults?: string;
  json?: boolean;
}

/** A value safe inside `export NAME=value` for sh/bash/zsh (single quotes unless plainly safe). */
function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`;
}

/** The orgs and GitHub repos that release configs publish to, so `serve --config` can create them. */
async function readConfigTargets(files: string[], cwd: string, user: string) {
  const { readReleaseConfig } = await import("../../config/load-release-config.js");
  const orgs = new Set<string>();
  const githubRepos = new Set<string>();
  for (const f of files) {
    const { config } = await readReleaseConfig(resolve(cwd, f));
    const hubOwner = config.hub.repo.split("/")[0]!;
    if (hubOwner.toLowerCase() !== user.toLowerCase()) orgs.add(hubOwner);
    if (config.github) {
      const ghOwner = config.github.repo.split("/")[0]!;
      if (ghOwner.toLowerCase() !== user.toLowerCase()) orgs.add(ghOwner);
      githubRepos.add(config.github.repo);
    }
  }
  return { orgs: [...orgs], githubRepos: [...githubRepos] };
}

function parsePort(value: string): number {
  const n = Number(value);
  // The GitHub stand-in takes port + 1, so the Hub's port must leave room for it.
  if (!/^\d+$/.test(value) || n < 1 || n > 65534)
    throw new InvalidArgumentError("must be a port number from 1 to 65534");
  return n;
}

function parseRepoId(value: string, previous: string[] | undefined): string[] {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/.test(value)) {
    throw new InvalidArgumentError("must be 'owner/name' (GitHub login, then letters, digits, '.', '_', '-')");
  }
  return [...(previous ?? []), value];
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description(
      "run the local Hub and GitHub stand-ins on loopback and print the environment that points clients at them",
    )
    .option("--data <dir>", "where the stand-ins keep repositories, releases and tokens", ".model-release/local")
    .option("--port <n>", "the Hub's port; GitHub gets the next one (default: two free ports)", parsePort)
    .option("--host <addr>", "loopback address to listen on", "127.0.0.1")
    .option(
      "--allow-remote",
      "allow a non-loopback --host (anyone who can reach it and holds the printed tokens can write)",
    )
    .option("--user <name>", "the account the printed tokens belong to", "local")
    .option("--org <name...>", "organizations the user belongs to on both stand-ins")
    .option(
      "--github-repo <owner/name...>",
      "GitHub repositories to create (if missing) for the user to publish to",
      parseRepoId,
    )
    .option(
      "--config <file...>",
      "release configs whose Hub orgs, GitHub owners and GitHub repos to create, so they publish as-is",
    )
    .option("--faults <file>", "JSON or YAML fault rules {hub: [...], github: [...]} for tests")
    .option("--json", "print one JSON line when ready, instead of the env block")
    .action(async (opts: ServeOptions) => {
      if (!isLoopbackHost(opts.host) && !opts.allowRemote) {
        throw usageError("SERVE_NOT_LOOPBACK", `--host ${opts.host} is not a loopback address`, {
          hint: "the printed tokens grant write access to everything served; add --allow-remote to listen there anyway",
        });
      }
      if (!isLoopbackHost(opts.host)) {
        writeLine(
          ctx.stderr,
          `# warning: listening on ${opts.host}: anyone who can reach it with the printed tokens can write to both stand-ins`,
        );
      }
      const targets = opts.config
        ? await readConfigTargets(opts.config, ctx.cwd, opts.user)
        : { orgs: [], githubRepos: [] };
      const { startLocalStandIns } = await import("../../local/start-local-stand-ins.js");
      const faults = opts.faults
        ? await (await import("../../local/read-stand-in-faults.js")).readStandInFaults(resolve(ctx.cwd, opts.faults))
        : undefined;
      const dataDir = resolve(ctx.cwd, opts.data);
      const standIns = await startLocalStandIns({
        dataDir,
        host: opts.host,
        port: opts.port,
        user: opts.user,
        orgs: [...new Set([...(opts.org ?? []), ...targets.orgs])],
        githubRepos: [...new Set([...(opts.githubRepo ?? []), ...targets.githubRepos])],
        faults,
      }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "EADDRINUSE") throw err;
        const port = (err as { port?: number }).port ?? opts.port;
        throw usageError("PORT_IN_USE", `port ${port} is already in use`, {
          hint: opts.port
            ? `the Hub takes --port and GitHub the next one (${opts.port} and ${opts.port + 1}); pick two free ports or omit --port`
            : "omit --port to let the system pick free ports",
        });
      });
      const { env } = standIns;
      if (opts.json) {
        // One line, so a script can read the first line of stdout and parse it.
        ctx.stdout.write(
          `${JSON.stringify({
            event: "ready",
            dataDir,
            user: standIns.user,
            hub: { url: standIns.hub.url },
            github: {
              url: standIns.github.url,
              uploadsUrl: standIns.github.uploadsUrl,
              webUrl: standIns.github.webUrl,
            },
            env,
          })}\n`,
        );
      } else {
        // `export`, so `eval "$(model-release serve)"` reaches child processes (publish, hf, git).
        for (const [k, v] of Object.entries(env)) writeLine(ctx.stdout, `export ${k}=${shellQuote(v)}`);
        writeLine(
          ctx.stderr,
          `# local stand-ins for ${standIns.user} (data in ${dataDir}); git remotes: ${standIns.github.webUrl}/<owner>/<repo>.git`,
        );
        writeLine(ctx.stderr, "# eval these lines in your shell; stop with Ctrl-C");
        if (!opts.config && !opts.org && !opts.githubRepo) {
          writeLine(
            ctx.stderr,
            `# only ${standIns.user}'s own namespace exists: to publish a shipped config as-is, restart with --config <release config> (or --org/--github-repo)`,
          );
        }
      }
      await new Promise<void>((done) => {
        if (!ctx.signal || ctx.signal.aborted) return done();
        ctx.signal.addEventListener("abort", () => done(), { once: true });
      });
      await standIns.close();
      if (opts.json) ctx.stdout.write(`${JSON.stringify({ event: "stopped" })}\n`);
    });
}
