import { spawn, spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const BIN = resolve(import.meta.dirname, "../../../dist/cli/bin.js");

/**
 * The environment of a CLI run against the stand-ins: their endpoints and tokens, and nothing
 * of the caller's (no real token or endpoint can leak into a test run).
 */
export function standInEnv(s: {
  hub: { url: string };
  gh: { url: string };
  hfToken: string;
  ghToken: string;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    HF_ENDPOINT: s.hub.url,
    HF_TOKEN: s.hfToken,
    GITHUB_API_URL: s.gh.url,
    GITHUB_TOKEN: s.ghToken,
  };
}

/**
 * The shipped demo config (full card, evals, sample checkpoint) pointed at the stand-ins: `repo`
 * on the Hub and on GitHub, the stand-ins' code folder, sample paths made absolute. Written to
 * `<s.root>/<file>.yaml`; `name` renames the release, `edit` changes the text further.
 */
export async function writeDemoConfig(
  s: { root: string; codeDir: string },
  p: { file: string; repo: string; name?: string; edit?: (text: string) => string },
): Promise<string> {
  const root = resolve(import.meta.dirname, "../../..");
  let text = (await readFile(join(root, "release-configs", "demo.yaml"), "utf8"))
    .replaceAll("demo-org/robot-coder-demo", p.repo)
    .replace(/source: \.\.\/samples\/demo-code/, `source: ${s.codeDir}`)
    .replace(/paths: \[.*\]/, 'paths: ["train/**"]')
    .replaceAll("../samples/", `${root}/samples/`);
  if (p.name) text = text.replace(/^name: .*$/m, `name: ${p.name}`);
  const file = join(s.root, `${p.file}.yaml`);
  await writeFile(file, p.edit ? p.edit(text) : text);
  return file;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the signal to the exit, when one was sent. */
  stopMs?: number;
}

/**
 * Runs the built CLI. `signalWhen` sends `signal` (default SIGINT) to it as soon as a stdout line
 * matches: an interrupt at a chosen moment, as Ctrl-C or a CI runner's SIGTERM would.
 */
export function runCli(
  args: string[],
  opts: { env: Record<string, string>; cwd: string; signalWhen?: (line: string) => boolean; signal?: NodeJS.Signals },
): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { env: opts.env, cwd: opts.cwd });
  let stdout = "";
  let stderr = "";
  let sentAt: number | undefined;
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    stdout += `${line}\n`;
    if (sentAt === undefined && opts.signalWhen?.(line)) {
      sentAt = Date.now();
      child.kill(opts.signal ?? "SIGINT");
    }
  });
  return new Promise((done, fail) =>
    child.on("close", (code, signal) => {
      const warnings = nodeWarnings(stderr);
      if (warnings.length > 0) return fail(new Error(`the CLI printed Node warnings:\n${warnings.join("\n")}`));
      done({ code, signal, stdout, stderr, ...(sentAt !== undefined ? { stopMs: Date.now() - sentAt } : {}) });
    }),
  );
}

/**
 * Node's own process warnings in a CLI's stderr (`(node:PID) MaxListenersExceededWarning: …`,
 * `[DEP0040] DeprecationWarning`, `ExperimentalWarning`): noise in a user's terminal and a
 * public Actions log, and each one a bug of ours or a dependency's. Every run through `runCli`
 * fails on one.
 */
export function nodeWarnings(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /^\(node:\d+\) (\[\w+\] )?\w*Warning\b/.test(l));
}

/**
 * Runs the built CLI to completion (blocking: only for commands that need no server in this
 * process). Fails, as `runCli` does, when the CLI prints a Node warning.
 */
export function runCliSync(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; bin?: string; timeout?: number },
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [opts.bin ?? BIN, ...args], {
    cwd: opts.cwd,
    encoding: "utf8",
    env: opts.env,
    ...(opts.timeout ? { timeout: opts.timeout } : {}),
  });
  const warnings = nodeWarnings(r.stderr);
  if (warnings.length > 0) throw new Error(`the CLI printed Node warnings:\n${warnings.join("\n")}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An NDJSON progress line of `step` with `status`. */
export const stepIs = (step: string, status: "start" | "done") => (line: string) =>
  line.includes(`"type":"step","step":"${step}","status":"${status}"`);

/** A minimal release config for a test bundle's repos, with a code export so GitHub tags get a commit. */
export async function writeReleaseConfig(
  dir: string,
  params: { repo: string; codeDir?: string; githubCreate?: boolean; extra?: string[]; file?: string },
): Promise<string> {
  const file = join(dir, params.file ?? `${params.repo.replace("/", "-")}.yaml`);
  await writeFile(
    file,
    [
      "name: robot-coder",
      "checkpoint: ./unused",
      "base_model: openai/gpt-oss-120b",
      "task: text-generation",
      "hub:",
      `  repo: ${params.repo}`,
      "github:",
      `  repo: ${params.repo}`,
      ...(params.githubCreate ? ["  create: true"] : []),
      ...(params.codeDir ? ["  code:", `    source: ${params.codeDir}`, '    paths: ["train/**"]'] : []),
      ...(params.extra ?? []),
      "",
    ].join("\n"),
  );
  return file;
}
