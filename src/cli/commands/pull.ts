import { resolve } from "node:path";
import type { Command } from "commander";
import { writeLine, type CliContext } from "../context.js";
import { createProgressRenderer, formatBytes, pickProgressMode } from "../render-progress.js";
import { resolvePublishEndpoints } from "../resolve-publish-env.js";

export function registerPull(program: Command, ctx: CliContext): void {
  program
    .command("pull")
    .description("download exactly one released version from the Hub and verify every file against its manifest and SHA256SUMS")
    .argument("<ref>", "org/name@version, e.g. acme/robot-coder@1.2.0")
    .option("--to <dir>", "folder to download into (default ./<name>-<version>)")
    .option("--dataset", "the repo is a dataset")
    .option("--hub-url <url>", "Hub endpoint (default $HF_ENDPOINT or https://huggingface.co)")
    .option("--json", "NDJSON progress events and the result on stdout")
    .action(async (ref: string, opts: { to?: string; dataset?: boolean; hubUrl?: string; json?: boolean }) => {
      const { pullRelease, parseReleaseRef } = await import("../../publish/pull-release.js");
      const { createRetryingFetch } = await import("../../publish/create-retrying-fetch.js");
      const { repo, version } = parseReleaseRef(ref);
      // Public releases need no token; HF_TOKEN is used when set (private or gated repos).
      const hub = resolvePublishEndpoints({ env: ctx.env, targets: ["hf"], flags: opts.hubUrl ? { hubUrl: opts.hubUrl } : {}, requireTokens: false }).hub!;
      const mode = pickProgressMode({ json: opts.json ?? false, isTTY: ctx.stderr.isTTY, env: ctx.env });
      const progress = createProgressRenderer({ mode, stdout: ctx.stdout, stderr: ctx.stderr });
      const to = resolve(ctx.cwd, opts.to ?? `${repo.split("/")[1]}-${version.replace(/^v/, "")}`);
      try {
        const result = await pullRelease(
          { hubUrl: hub.url, ...(hub.token ? { accessToken: hub.token } : {}), fetch: createRetryingFetch({ onRetry: (info) => progress.sink({ type: "retry", ...info }) }), ...(ctx.signal ? { signal: ctx.signal } : {}) },
          { ref, to, repoType: opts.dataset ? "dataset" : "model", onEvent: progress.sink },
        );
        progress.finish();
        if (mode === "json") ctx.stdout.write(JSON.stringify({ type: "result", ...result }) + "\n");
        else writeLine(ctx.stdout, `Pulled ${result.repo}@${result.tag} (${result.commit.slice(0, 12)}) into ${result.dir}: ${result.checked} files, ${formatBytes(result.bytes)}, all verified`);
      } finally {
        progress.finish();
      }
    });
}
