import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { printable, writeJsonLine, writeLine, type CliContext } from "../context.js";
import { createProgressRenderer, formatBytes, pickProgressMode } from "../render-progress.js";
import { labelManifestFiles } from "../../bundle/count-release-files.js";
import { resolvePublishEndpoints } from "../resolve-publish-env.js";

/** The Hugging Face cache folder, resolved like huggingface_hub and @huggingface/hub do. */
export function hubCacheDir(env: Record<string, string | undefined>): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  const home = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), ".cache"), "huggingface");
  return join(home, "hub");
}

export function registerPull(program: Command, ctx: CliContext): void {
  program
    .command("pull")
    .description(
      "download exactly one released version from the Hub and verify every file against its manifest and SHA256SUMS",
    )
    .argument("<ref>", "org/name@version, e.g. acme/robot-coder@1.2.0")
    .option("--to <dir>", "folder to download into (default ./<name>-<version>)")
    .option(
      "--cache",
      "download into the Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub) instead of a folder",
    )
    .option("--cache-dir <dir>", "download into this Hugging Face cache folder")
    .option("--dataset", "the repo is a dataset")
    .option("--hub-url <url>", "Hub endpoint (default $HF_ENDPOINT or https://huggingface.co)")
    .option("--json", "NDJSON progress events and the result on stdout")
    .action(
      async (
        ref: string,
        opts: { to?: string; cache?: boolean; cacheDir?: string; dataset?: boolean; hubUrl?: string; json?: boolean },
      ) => {
        const { pullRelease, parseReleaseRef } = await import("../../publish/pull-release.js");
        const { createRetryingFetch } = await import("../../publish/create-retrying-fetch.js");
        const { repo, version } = parseReleaseRef(ref);
        // Public releases need no token; HF_TOKEN is used when set (private or gated repos).
        const hub = resolvePublishEndpoints({
          env: ctx.env,
          targets: ["hf"],
          flags: opts.hubUrl ? { hubUrl: opts.hubUrl } : {},
          requireTokens: false,
        }).hub!;
        const mode = pickProgressMode({ json: opts.json ?? false, isTTY: ctx.stderr.isTTY, env: ctx.env });
        const progress = createProgressRenderer({ mode, stdout: ctx.stdout, stderr: ctx.stderr });
        const to = resolve(ctx.cwd, opts.to ?? `${repo.split("/")[1]}-${version.replace(/^v/, "")}`);
        const cacheDir = opts.cacheDir
          ? resolve(ctx.cwd, opts.cacheDir)
          : opts.cache
            ? hubCacheDir(ctx.env)
            : undefined;
        // @huggingface/hub's snapshotDownload prints "Downloading <file> to <blob>.incomplete" with
        // console.debug, i.e. on stdout: that would break --json's NDJSON and repeat the progress.
        const debug = console.debug;
        if (cacheDir) console.debug = () => undefined;
        try {
          const result = await pullRelease(
            {
              hubUrl: hub.url,
              accessToken: hub.token || undefined,
              fetch: createRetryingFetch({ onRetry: (info) => progress.sink({ type: "retry", ...info }) }),
              signal: ctx.signal,
            },
            {
              ref,
              to,
              cacheDir,
              repoType: opts.dataset ? "dataset" : "model",
              onEvent: progress.sink,
            },
          );
          progress.finish();
          if (mode === "json") writeJsonLine(ctx, { type: "result", ...result });
          else
            writeLine(
              ctx.stdout,
              `Pulled ${printable(ctx, result.repo)}@${printable(ctx, result.tag)} (${result.commit.slice(0, 12)}) into ${result.dir}: ${labelManifestFiles(result.checked)}, ${formatBytes(result.manifestBytes)}, all verified (${formatBytes(result.bytes)} in all, manifest.json and SHA256SUMS included)`,
            );
        } finally {
          console.debug = debug;
          progress.finish();
        }
      },
    );
}
