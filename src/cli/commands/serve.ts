import { InvalidArgumentError, type Command } from "commander";
import { resolve } from "node:path";
import type { CliContext } from "../context.js";
import { writeLine } from "../context.js";

interface ServeOptions {
  data: string;
  port?: number;
  host: string;
  user: string;
  org?: string[];
  githubRepo?: string[];
  faults?: string;
  json?: boolean;
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
    .option("--user <name>", "the account the printed tokens belong to", "local")
    .option("--org <name...>", "organizations the user belongs to on both stand-ins")
    .option(
      "--github-repo <owner/name...>",
      "GitHub repositories to create (if missing) for the user to publish to",
      parseRepoId,
    )
    .option("--faults <file>", "JSON or YAML fault rules {hub: [...], github: [...]} for tests")
    .option("--json", "print one JSON line when ready, instead of the env block")
    .action(async (opts: ServeOptions) => {
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
        orgs: opts.org,
        githubRepos: opts.githubRepo,
        faults,
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
        for (const [k, v] of Object.entries(env)) writeLine(ctx.stdout, `${k}=${v}`);
        writeLine(
          ctx.stderr,
          `# local stand-ins for ${standIns.user} (data in ${dataDir}); git remotes: ${standIns.github.webUrl}/<owner>/<repo>.git`,
        );
        writeLine(ctx.stderr, "# eval these lines in your shell; stop with Ctrl-C");
      }
      await new Promise<void>((done) => {
        if (!ctx.signal || ctx.signal.aborted) return done();
        ctx.signal.addEventListener("abort", () => done(), { once: true });
      });
      await standIns.close();
      if (opts.json) ctx.stdout.write(`${JSON.stringify({ event: "stopped" })}\n`);
    });
}
