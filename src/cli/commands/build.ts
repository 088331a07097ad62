import type { Command } from "commander";
import path from "node:path";
import { printable, writeJson, writeLine, type CliContext } from "../context.js";
import { defaultCacheDir } from "../default-cache-dir.js";
import { formatBytes } from "../format-bytes.js";
import { labelManifestFiles, labelSignedFiles } from "../../bundle/count-release-files.js";

export interface BuildOptions {
  config: string;
  version: string;
  checkpoint?: string;
  out: string;
  cache?: boolean;
  cacheDir?: string;
  jobs?: string;
  json?: boolean;
  dryRun?: boolean;
  allowRegression?: boolean;
  date?: string;
  signingKey?: string;
  keyless?: boolean;
  unsigned?: boolean;
  previous?: string;
}

export function registerBuild(program: Command, ctx: CliContext): void {
  program
    .command("build")
    .description("stage a release bundle: allowlisted files (hard-linked, never copied), manifest.json and SHA256SUMS")
    .requiredOption("--config <yaml>", "release config, e.g. release-configs/demo.yaml")
    .requiredOption("--version <semver>", "version of this release, e.g. 1.2.0")
    .option("--checkpoint <dir>", "checkpoint folder (default: the config's `checkpoint`)")
    .requiredOption("--out <dir>", "bundle folder to create (a previous bundle there is replaced)")
    .option("--no-cache", "re-hash every file instead of trusting the hash cache")
    .option("--cache-dir <dir>", "hash cache folder (default $XDG_CACHE_HOME/model-release)")
    .option("-j, --jobs <n>", "hashing threads (default: one per core)")
    .option("--dry-run", "print the plan (what would be published and dropped) without staging")
    .option(
      "--allow-regression",
      "release even if an evaluation dropped beyond the config's regression threshold (the card says so)",
    )
    .option(
      "--date <YYYY-MM-DD>",
      "release date shown in the card and .eval_results (default: none, so rebuilds are byte-identical)",
    )
    .option(
      "--signing-key <pem>",
      "sign model.sig with this PEM private key (ECDSA P-256/384/521 or Ed25519; default $MODEL_RELEASE_SIGNING_KEY, passphrase in $MODEL_RELEASE_SIGNING_KEY_PASSPHRASE)",
    )
    .option("--keyless", "sign with Sigstore keyless (OIDC; the default inside GitHub Actions with id-token: write)")
    .option("--unsigned", "do not sign, even inside GitHub Actions")
    .option(
      "--previous <dir|org/name@version>",
      "the previous release: the review page's changes section, and its version labels the card's previous column",
    )
    .option("--json", "print the result as JSON")
    .action(async (opts: BuildOptions) => {
      const { planBuild, buildRelease } = await import("../../bundle/build-release.js");
      const { readReleaseConfig } = await import("../../config/load-release-config.js");
      // The config's project patterns are redacted from everything printed, errors included.
      ctx.redaction.patterns = (await readReleaseConfig(path.resolve(ctx.cwd, opts.config))).config.sanitize.patterns;
      const { renderFindingLines, renderSafeFindings } = await import("../render-findings.js");
      const common = {
        configFile: path.resolve(ctx.cwd, opts.config),
        version: opts.version,
        checkpoint: opts.checkpoint ? path.resolve(ctx.cwd, opts.checkpoint) : undefined,
        signal: ctx.signal,
        allowRegression: opts.allowRegression,
        date: opts.date,
      };
      if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) {
        const { usageError } = await import("../../errors.js");
        throw usageError("BAD_DATE", `--date ${JSON.stringify(opts.date)} is not a date`, {
          hint: "use YYYY-MM-DD, e.g. --date 2026-11-20",
        });
      }
      if (opts.dryRun) {
        const plan = await planBuild(common);
        const summary = {
          version: plan.version,
          tag: plan.release.tag,
          checkpoint: plan.checkpointDir,
          layout: plan.inventory.layout,
          publish: plan.inputs.map((i) => ({ path: i.path, role: i.role, origin: i.origin })),
          dropped: plan.sanitize.dropped,
          converted: (plan.sanitize.conversions ?? []).map((c) => ({
            path: c.path,
            from: c.from,
            tensors: c.tensors.length,
            size: c.size,
          })),
          findings: renderSafeFindings(plan.sanitize.findings, ctx),
          docsFindings: renderSafeFindings(plan.docsFindings, ctx),
        };
        const { assertSanitizePlanClean } = await import("../../sanitize/assert-sanitize-plan-clean.js");
        if (opts.json) {
          // Blocked: one JSON document on stdout, the error, with the plan in its details.
          try {
            assertSanitizePlanClean(plan.sanitize);
          } catch (err) {
            const { blockedError, isReleaseError } = await import("../../errors.js");
            if (!isReleaseError(err)) throw err;
            throw blockedError(err.code, err.message, {
              hint: err.hint || undefined,
              details: { ...err.details, plan: summary },
            });
          }
          writeJson(ctx, summary);
        } else {
          writeLine(
            ctx.stdout,
            `would stage ${plan.release.name} ${plan.release.tag} from ${printable(ctx, plan.checkpointDir)} (${plan.inventory.layout}):`,
          );
          const convertedFrom = new Map(summary.converted.map((c) => [c.path, c]));
          for (const p of summary.publish) {
            const c = convertedFrom.get(p.path);
            writeLine(
              ctx.stdout,
              `  + ${printable(ctx, p.path)}  (${p.role}${c ? `, converted from ${printable(ctx, c.from)}: ${c.tensors} tensors, ${formatBytes(c.size)}` : ""})`,
            );
          }
          for (const d of summary.dropped)
            writeLine(ctx.stdout, `  - ${printable(ctx, d.path)}  dropped: ${printable(ctx, d.reason)}`);
          for (const line of renderFindingLines(plan.sanitize.findings, ctx, "line")) writeLine(ctx.stdout, line);
          for (const f of summary.docsFindings)
            writeLine(
              ctx.stdout,
              `  ${f.severity === "block" && !f.acceptedReason ? "BLOCK" : "warn "} ${f.file}${f.line !== undefined ? `:${f.line}` : ""} [${f.rule}] ${f.message}`,
            );
        }
        // A dry run exits like the real build would: 3 when the sanitizer blocks.
        assertSanitizePlanClean(plan.sanitize);
        return;
      }
      const jobs = opts.jobs === undefined ? undefined : Number(opts.jobs);
      if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) {
        const { usageError } = await import("../../errors.js");
        throw usageError("BAD_JOBS", `--jobs ${opts.jobs} is not a positive integer`, {
          hint: "pass the number of hashing threads, e.g. --jobs 8",
        });
      }
      const { resolveSigningMethod } = await import("../signing-options.js");
      const { readPreviousRelease } = await import("../read-previous-release.js");
      const { signing, source } = await resolveSigningMethod(opts, ctx);
      const previous = opts.previous ? await readPreviousRelease(opts.previous, ctx) : undefined;
      // Progress on an interactive terminal only: CI logs and --json stay clean.
      const tty = ctx.stderr.isTTY === true && !opts.json;
      const { createHashProgress } = await import("../render-hash-progress.js");
      const hashProgress = tty ? createHashProgress({ stderr: ctx.stderr }) : undefined;
      const r = await buildRelease({
        ...common,
        signing,
        previous,
        onProgress: hashProgress?.sink,
        outDir: path.resolve(ctx.cwd, opts.out),
        cacheDir:
          opts.cache === false
            ? undefined
            : opts.cacheDir
              ? path.resolve(ctx.cwd, opts.cacheDir)
              : defaultCacheDir(ctx.env),
        concurrency: jobs,
      });
      hashProgress?.finish();
      const { PREVIOUS_VERSION_MISMATCH } = await import("../../evals/read-eval-report.js");
      for (const f of r.plan.docsFindings.filter((f) => f.rule === PREVIOUS_VERSION_MISMATCH))
        writeLine(ctx.stderr, `warning: ${printable(ctx, f.message)}`);
      if (r.cacheWarning)
        writeLine(ctx.stderr, `warning: ${printable(ctx, r.cacheWarning)} (the next build will hash everything again)`);
      if (opts.json) {
        writeJson(ctx, {
          outDir: r.outDir,
          manifest: r.manifest,
          dropped: r.plan.sanitize.dropped,
          converted: (r.plan.sanitize.conversions ?? []).map((c) => ({
            path: c.path,
            from: c.from,
            tensors: c.tensors.length,
            size: c.size,
          })),
          linked: r.sources.filter((s) => s.mode === "link").length,
          referenced: r.sources.filter((s) => s.mode === "reference").length,
          written: r.sources.filter((s) => s.mode === "written").length,
          cacheHits: r.cacheHits,
          hashedBytes: r.hashedBytes,
          reviewPage: r.reviewPage,
          signature: r.signature
            ? {
                method: r.signature.method,
                path: r.signature.signaturePath,
                publicKey: r.signature.publicKeyPath,
                keyHint: r.signature.keyHint,
                files: r.signature.files,
                rootDigest: r.signature.rootDigest,
              }
            : null,
          diff: r.diff,
        });
        return;
      }
      const total = r.manifest.files.reduce((a, f) => a + f.size, 0);
      writeLine(
        ctx.stdout,
        `staged ${r.manifest.name} ${r.manifest.tag}: ${labelManifestFiles(r.manifest.files.length)}, ${formatBytes(total)} in ${r.outDir}`,
      );
      for (const f of r.manifest.files)
        writeLine(ctx.stdout, `  ${f.sha256.slice(0, 12)}  ${printable(ctx, f.path)}  (${f.role})`);
      for (const c of r.plan.sanitize.conversions ?? [])
        writeLine(
          ctx.stdout,
          `  converted ${printable(ctx, c.from)} → ${printable(ctx, c.path)}: ${c.tensors.length} tensors, without running the pickle`,
        );
      for (const d of r.plan.sanitize.dropped)
        writeLine(ctx.stdout, `  dropped ${printable(ctx, d.path)}: ${printable(ctx, d.reason)}`);
      const referenced = r.sources.filter((s) => s.mode === "reference").length;
      if (referenced > 0)
        writeLine(
          ctx.stdout,
          `  ${referenced} files are on another filesystem: symlinked and recorded in .model-release/sources.json`,
        );
      writeLine(
        ctx.stdout,
        `  hashed ${formatBytes(r.hashedBytes)}${r.cacheHits ? `, ${r.cacheHits} files from the hash cache` : ""}; content digest ${r.manifest.contentDigest}`,
      );
      if (r.reviewPage)
        writeLine(
          ctx.stdout,
          `  review page: ${path.relative(ctx.cwd, r.reviewPage) || r.reviewPage}${r.diff ? ` (changes since ${r.diff.from.version})` : ""}`,
        );
      if (r.signature?.method === "key") {
        writeLine(
          ctx.stdout,
          `  signed model.sig with the key ${r.signature.keyHint?.slice(0, 16)}…: ${labelSignedFiles(r.signature.files)}; public key in model.pub`,
        );
      } else if (r.signature) {
        writeLine(
          ctx.stdout,
          `  signed model.sig with Sigstore keyless${source === "github-actions" ? " (GitHub Actions OIDC)" : ""}: ${labelSignedFiles(r.signature.files)}`,
        );
      } else {
        writeLine(
          ctx.stdout,
          "  not signed: no model.sig (pass --signing-key <pem>, set MODEL_RELEASE_SIGNING_KEY, or --keyless)",
        );
      }
    });
}
