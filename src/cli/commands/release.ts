import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { usageError } from "../../errors.js";
import { printable, writeLine, type CliContext } from "../context.js";
import { addPublishOptions, runPublish, withActionsReporting, type PublishFlags } from "../publish-options.js";
import { resolvePublishEndpoints, type PublishEndpoints } from "../resolve-publish-env.js";
import type { LoadedReleaseConfig } from "../../config/load-release-config.js";

interface ReleaseOptions extends PublishFlags {
  config?: string;
  version?: string;
  fromTag?: string;
  configs: string;
  checkpoint?: string;
  out?: string;
  cache?: boolean;
  signingKey?: string;
  keyless?: boolean;
  unsigned?: boolean;
  previous?: string;
  date?: string;
}

export function registerRelease(program: Command, ctx: CliContext): void {
  addPublishOptions(
    program
      .command("release")
      .description("build the bundle, then publish it (Hub commit + tag, GitHub release); a re-run resumes")
      .option("--config <yaml>", "release config, e.g. release-configs/robot-coder.yaml")
      .option("--version <semver>", "version of this release, e.g. 1.2.0")
      .option(
        "--from-tag <tag>",
        "take config and version from a pushed tag, e.g. robot-coder-v1.2.0 (in Actions: $GITHUB_REF_NAME)",
      )
      .option("--configs <dir>", "folder of release configs searched by --from-tag", "release-configs")
      .option("--checkpoint <dir>", "checkpoint folder (default: the config's `checkpoint`)")
      .option("--out <dir>", "bundle folder (default .model-release/bundles/<name>-<version>)")
      .option("--no-cache", "re-hash every file instead of trusting the hash cache")
      .option(
        "--signing-key <pem>",
        "sign model.sig with this PEM private key (default $MODEL_RELEASE_SIGNING_KEY; passphrase in $MODEL_RELEASE_SIGNING_KEY_PASSPHRASE)",
      )
      .option("--keyless", "sign with Sigstore keyless (the default inside GitHub Actions with id-token: write)")
      .option("--unsigned", "do not sign, even inside GitHub Actions")
      .option(
        "--previous <dir|org/name@version>",
        "the previous release: the review page's changes section, and its version labels the card's previous column",
      )
      .option(
        "--date <YYYY-MM-DD>",
        "release date for the card's citation and .eval_results (default with --from-tag: the date of the tag's commit)",
      ),
  ).action(async (opts: ReleaseOptions) => {
    const { renderStepSummary } = await import("../render-github-actions.js");
    await withActionsReporting(ctx, () => runRelease(ctx, opts), renderStepSummary);
  });
}

async function runRelease(ctx: CliContext, opts: ReleaseOptions) {
  const { readReleaseConfig } = await import("../../config/load-release-config.js");
  let configFile: string;
  let version: string;
  if (opts.fromTag) {
    if (opts.config || opts.version)
      throw usageError(
        "FLAG_CONFLICT",
        "--from-tag takes the config and version from the tag: leave out --config and --version",
        { hint: "pass either --from-tag or --config and --version" },
      );
    const { planReleaseFromTag } = await import("../../publish/plan-release-from-tag.js");
    const dir = path.resolve(ctx.cwd, opts.configs);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.ya?ml$/.test(n)).sort();
    const configs = await Promise.all(
      names.map(async (n) => {
        const loaded = await readReleaseConfig(path.join(dir, n));
        return { file: loaded.file, name: loaded.config.name, tagFormat: loaded.config.tag_format };
      }),
    );
    ({ file: configFile, version } = planReleaseFromTag(opts.fromTag, configs));
  } else {
    if (!opts.config || !opts.version)
      throw usageError("FLAG_MISSING", "release needs --config and --version (or --from-tag)", {
        hint: "e.g. model-release release --config release-configs/robot-coder.yaml --version 1.2.0",
      });
    configFile = path.resolve(ctx.cwd, opts.config);
    version = opts.version;
  }
  const { parseReleaseVersion } = await import("../../publish/version-policy.js");
  version = parseReleaseVersion(version);
  const config = await readReleaseConfig(configFile);
  // From here on, the config's project patterns are redacted from everything printed.
  ctx.redaction.patterns = config.config.sanitize.patterns;
  // Credentials are checked before the (long) build, so a missing token fails in seconds.
  const { parseTargets } = await import("../publish-options.js");
  const endpoints = resolvePublishEndpoints({
    env: ctx.env,
    targets: parseTargets(opts.to),
    flags: {
      hubUrl: opts.hubUrl || undefined,
      hfToken: opts.hfToken || undefined,
      githubApiUrl: opts.githubApiUrl || undefined,
      githubToken: opts.githubToken || undefined,
    },
  });
  // And so is what the remotes say about them: a refused token, no write access, a missing
  // GitHub repository or a version below the latest release fails before minutes of hashing.
  // The full preflight still runs after the build, before anything is sent.
  await assertReleaseAccessBeforeBuild(ctx, { opts, config, version, endpoints });

  const outDir = path.resolve(
    ctx.cwd,
    opts.out ?? path.join(".model-release", "bundles", `${config.config.name}-${version}`),
  );
  const { buildRelease } = await import("../../bundle/build-release.js");
  const { defaultCacheDir } = await import("../default-cache-dir.js");
  const { resolveSigningMethod } = await import("../signing-options.js");
  // A dry run must not write a Sigstore transparency-log entry: keyless signing only for real releases.
  const { signing } = await resolveSigningMethod(opts.dryRun && !opts.signingKey ? { unsigned: true } : opts, ctx);
  if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date))
    throw usageError("BAD_DATE", `--date ${JSON.stringify(opts.date)} is not a date`, {
      hint: "use YYYY-MM-DD, e.g. --date 2026-11-20",
    });
  // In Actions no one passes --date: the tag's commit date is reproducible, the clock is not.
  let date = opts.date;
  if (date === undefined && opts.fromTag) {
    const { readTagDate } = await import("../read-tag-date.js");
    date = await readTagDate({ tag: opts.fromTag, cwd: ctx.cwd });
    if (date === undefined && !opts.json)
      writeLine(
        ctx.stderr,
        `! the date of tag ${opts.fromTag} could not be read from git: the card has no release year`,
      );
  }
  const { readPreviousRelease } = await import("../read-previous-release.js");
  const previous = opts.previous ? await readPreviousRelease(opts.previous, ctx) : undefined;
  if (!opts.json)
    writeLine(
      ctx.stderr,
      `→ build ${config.config.name} ${version} into ${outDir}${signing ? ` (signed: ${signing.kind})` : " (unsigned)"}`,
    );
  const built = await buildRelease({
    signing,
    previous,
    configFile,
    version,
    date,
    checkpoint: opts.checkpoint ? path.resolve(ctx.cwd, opts.checkpoint) : undefined,
    outDir,
    cacheDir: opts.cache === false ? undefined : defaultCacheDir(ctx.env),
    signal: ctx.signal,
  });
  const { PREVIOUS_VERSION_MISMATCH } = await import("../../evals/read-eval-report.js");
  for (const f of built.plan.docsFindings.filter((f) => f.rule === PREVIOUS_VERSION_MISMATCH))
    writeLine(ctx.stderr, `warning: ${printable(ctx, f.message)}`);
  if (!opts.json) writeLine(ctx.stderr, "✓ build");
  // The journal lives beside the bundles, not in the bundle: a rebuild replaces the bundle folder.
  return runPublish(ctx, {
    bundleDir: outDir,
    flags: opts,
    config,
    stateDir: path.resolve(ctx.cwd, ".model-release", "state"),
  });
}

/** Runs the release's access checks that need no bundle (tokens, write access, repos, tags) and throws the failures. */
async function assertReleaseAccessBeforeBuild(
  ctx: CliContext,
  params: { opts: ReleaseOptions; config: LoadedReleaseConfig; version: string; endpoints: PublishEndpoints },
): Promise<void> {
  const { opts, config, version, endpoints } = params;
  const { hub, github } = endpoints;
  const ghRepo = config.config.github?.repo;
  // A dry run prints the whole plan with every failed check after the build (and may have no
  // token); stopping it here would hide the plan it was asked for.
  if (opts.dryRun || (!hub?.token && !(github?.token && ghRepo))) return;
  const { fetchReleaseAccess } = await import("../../publish/fetch-release-access.js");
  const { assertPreflightPassed } = await import("../../publish/plan-publish-preflight.js");
  const { interruptedError } = await import("../../publish/interrupted-error.js");
  const { isLoopbackUrl } = await import("../../publish/is-loopback-url.js");
  if (!opts.json) writeLine(ctx.stderr, "→ access (tokens, write access, repositories, tags)");
  let checks: Awaited<ReturnType<typeof fetchReleaseAccess>>;
  try {
    checks = await fetchReleaseAccess({
      name: config.config.name,
      version,
      tagFormat: config.config.tag_format,
      hub: hub?.token ? { url: hub.url, token: hub.token, repo: config.config.hub.repo, repoType: "model" } : undefined,
      github:
        github?.token && ghRepo
          ? { apiUrl: github.apiUrl, token: github.token, repo: ghRepo, create: config.config.github?.create ?? false }
          : undefined,
      allowOlder: opts.allowOlder,
      signal: ctx.signal,
      githubPace: !(github && isLoopbackUrl(github.apiUrl)),
    });
  } catch (err) {
    if (ctx.signal?.aborted) throw interruptedError("the access check");
    throw err;
  }
  assertPreflightPassed(checks);
  if (!opts.json)
    writeLine(ctx.stderr, `✓ access: ${checks.map((c) => `${c.target} ${c.check} ${c.status}`).join(", ")}`);
}
