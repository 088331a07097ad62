import type { Command } from "commander";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { usageError, verifyError } from "../../errors.js";
import { writeJson, writeLine, type CliContext } from "../context.js";
import { defaultCacheDir } from "../default-cache-dir.js";
import { formatBytes } from "../format-bytes.js";
import { labelManifestFiles, labelSignedFiles } from "../../bundle/count-release-files.js";

/** The shipped demo config: from the package root (dist/cli/commands → ../../..). */
function packagedDemoConfig(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "release-configs", "demo.yaml");
}

/** Marks a folder as the demo's own, so a re-run may clear it and nothing else. */
const DEMO_MARKER = ".model-release-demo";

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command("demo")
    .description(
      "the whole job on the shipped sample, offline: start local Hub and GitHub stand-ins, build the demo release, publish it, pull it back and verify it",
    )
    .option("--out <dir>", "the demo's folder (cleared on each run): bundle, stand-ins' data, pulled copy", "demo-out")
    .option("--version <semver>", "version of the demo release", "1.0.0")
    .option("--keep-serving", "keep the stand-ins running after the demo (Ctrl-C to stop)")
    .option("--json", "print one JSON object with what the demo made, instead of the readable lines")
    .action(async (opts: { out: string; version: string; keepServing?: boolean; json?: boolean }) => {
      // With --json, stdout carries only the closing JSON object.
      const out = (s = "") => (opts.json ? undefined : writeLine(ctx.stdout, s));
      const local = path.resolve(ctx.cwd, "release-configs", "demo.yaml");
      const configFile = existsSync(local) ? local : packagedDemoConfig();
      const root = path.resolve(ctx.cwd, opts.out);
      if (existsSync(root) && !existsSync(path.join(root, DEMO_MARKER))) {
        throw usageError(
          "DEMO_OUT_NOT_EMPTY",
          `${opts.out} exists and was not made by the demo; the demo clears its folder on each run`,
          {
            hint: "pass another --out, or remove the folder",
            location: { file: opts.out },
          },
        );
      }
      await rm(root, { recursive: true, force: true });
      await mkdir(root, { recursive: true });
      await writeFile(path.join(root, DEMO_MARKER), "This folder is recreated by `model-release demo`.\n");
      const dirs = {
        bundle: path.join(root, "bundle"),
        data: path.join(root, "stand-ins"),
        state: path.join(root, "state"),
        pulled: path.join(root, "pulled"),
      };
      const signal = ctx.signal ? { signal: ctx.signal } : {};

      const { readReleaseConfig } = await import("../../config/load-release-config.js");
      const config = await readReleaseConfig(configFile);
      const c = config.config;
      const { startLocalStandIns } = await import("../../local/start-local-stand-ins.js");
      const orgs = [...new Set([c.hub.repo.split("/")[0]!, ...(c.github ? [c.github.repo.split("/")[0]!] : [])])];
      const standIns = await startLocalStandIns({
        dataDir: dirs.data,
        orgs,
        githubRepos: c.github ? [c.github.repo] : [],
      });
      try {
        out(`1. started the local stand-ins: Hub ${standIns.env.HF_ENDPOINT}, GitHub ${standIns.env.GITHUB_API_URL}`);

        const { buildRelease } = await import("../../bundle/build-release.js");
        // The demo signs with a key it generates in its folder (outside the bundle: never published);
        // model.pub, the public half, is published beside model.sig.
        const { applySigningKeyFile } = await import("../../trust/apply-signing-key-file.js");
        const key = await applySigningKeyFile({ file: path.join(root, "signing-key.pem") });
        const built = await buildRelease({
          configFile,
          version: opts.version,
          outDir: dirs.bundle,
          cacheDir: defaultCacheDir(ctx.env),
          signing: { kind: "key", privateKeyPem: key.privateKeyPem },
          ...signal,
        });
        const inv = built.plan.inventory;
        const total = built.manifest.files.reduce((a, f) => a + f.size, 0);
        out(
          `2. built ${c.name} ${built.manifest.version} from ${path.relative(ctx.cwd, built.plan.checkpointDir) || "."} (${inv.layout}, ${inv.parameters.toLocaleString("en-US")} parameters, ${inv.shards.length} shards)`,
        );
        out(
          `   published ${labelManifestFiles(built.manifest.files.length)} (${formatBytes(total)}); dropped ${built.plan.sanitize.dropped.length} from the checkpoint:`,
        );
        for (const d of built.plan.sanitize.dropped) out(`     - ${d.path}: ${d.reason}`);
        out(
          `   signed model.sig with the demo key ${path.join(opts.out, "signing-key.pem")}: ${labelSignedFiles(built.signature?.files ?? 0)}; public key model.pub; review page report.html`,
        );

        // Publishing talks to the stand-ins exactly as it would to huggingface.co and github.com:
        // through the same variables, tokens and clients.
        // The publish log (plan, steps, API calls) goes to a file so the demo's own lines stay readable.
        const log = createWriteStream(path.join(root, "publish.log"));
        const publishCtx: CliContext = {
          ...ctx,
          env: { ...ctx.env, ...standIns.env, GITHUB_ACTIONS: undefined },
          stdout: log,
          stderr: log,
        };
        const { runPublish } = await import("../publish-options.js");
        const published = await runPublish(publishCtx, {
          bundleDir: dirs.bundle,
          flags: { to: c.github ? "hf,github" : "hf" },
          config,
          stateDir: dirs.state,
        }).finally(() => new Promise<void>((resolve) => log.end(resolve)));
        out(`3. published ${published.tag} (steps in ${path.join(opts.out, "publish.log")}):`);
        out(`     Hub: ${published.hub?.url ?? "-"} (commit ${published.hub?.commit?.slice(0, 12) ?? "?"})`);
        if (published.github?.releaseUrl) out(`     GitHub: ${published.github.releaseUrl}`);

        const { pullRelease } = await import("../../publish/pull-release.js");
        const { createRetryingFetch } = await import("../../publish/create-retrying-fetch.js");
        const pulled = await pullRelease(
          { hubUrl: standIns.env.HF_ENDPOINT, fetch: createRetryingFetch({}), ...signal },
          { ref: `${c.hub.repo}@${built.manifest.version}`, to: dirs.pulled },
        );
        out(
          `4. pulled ${pulled.repo}@${pulled.tag} like an external researcher and verified ${labelManifestFiles(pulled.checked)} (${formatBytes(pulled.manifestBytes)}) against manifest.json and SHA256SUMS: ok`,
        );
        // A researcher checks the signature with the key the maintainers publish, not the copy in the download.
        const { verifyRelease } = await import("../../trust/verify-release.js");
        const checked = await verifyRelease({
          dir: dirs.pulled,
          trust: { kind: "key", publicKeyPem: await readFile(path.join(dirs.bundle, "model.pub")) },
          ...signal,
        });
        const sig = checked.signature.status === "verified" ? checked.signature.result : undefined;
        if (!checked.ok || !sig)
          throw verifyError(
            "DEMO_SIGNATURE_FAILED",
            `the pulled demo release in ${dirs.pulled} does not verify against its signature`,
            { location: { file: dirs.pulled } },
          );
        out(
          `5. verified model.sig of the pulled copy with the maintainers' public key: ${labelSignedFiles(sig.signedFiles)} match`,
        );
        out();
        out("Where to look:");
        out(`  ${path.join(opts.out, "bundle")}/README.md          the model card (README.ko.md in Korean)`);
        out(`  ${path.join(opts.out, "bundle")}/report.html        the release review page (open it in a browser)`);
        out(
          `  ${path.join(opts.out, "bundle")}/report.md          every kept, dropped and rewritten file, every finding`,
        );
        out(`  ${path.join(opts.out, "bundle")}/manifest.json      every file with its sha256, size, role and origin`);
        out(`  ${path.join(opts.out, "pulled")}                    the release as a researcher gets it`);
        out(
          // `model-release` is on PATH only after `npm link`, and `npx model-release` is unreliable (see
          // the README): this form works wherever the demo ran.
          `  node dist/cli/bin.js verify ${path.join(opts.out, "pulled")} --key ${path.join(opts.out, "bundle", "model.pub")}   verify it again yourself, signature included (or: cd ${path.join(opts.out, "pulled")} && sha256sum -c SHA256SUMS)`,
        );
        if (opts.json) {
          writeJson(ctx, {
            type: "demo",
            release: { name: c.name, version: built.manifest.version, tag: published.tag },
            bundle: dirs.bundle,
            hub: published.hub?.url,
            github: published.github?.releaseUrl,
            pulled: { dir: dirs.pulled, files: pulled.checked, bytes: pulled.bytes },
            signature: { signedFiles: sig.signedFiles, verified: true },
            env: opts.keepServing ? standIns.env : undefined,
          });
        }
        if (opts.keepServing) {
          out();
          out("The stand-ins keep running; point any Hub or GitHub client at them:");
          for (const [k, v] of Object.entries(standIns.env)) out(`  export ${k}=${v}`);
          await new Promise<void>((resolve) =>
            ctx.signal ? ctx.signal.addEventListener("abort", () => resolve(), { once: true }) : undefined,
          );
        }
      } finally {
        await standIns.close();
      }
    });
}
