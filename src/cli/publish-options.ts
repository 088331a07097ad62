import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { usageError } from "../errors.js";
import type { LoadedReleaseConfig } from "../config/load-release-config.js";
import type { PublishResult } from "../publish/publish-release.js";
import { writeJsonLine, writeLine, type CliContext } from "./context.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { renderSafeText } from "../sanitize/render-safe-text.js";
import { createProgressRenderer, formatBytes, pickProgressMode } from "./render-progress.js";
import { resolvePublishEndpoints } from "./resolve-publish-env.js";
import { defaultCacheDir } from "./default-cache-dir.js";
import { isLoopbackUrl } from "../publish/is-loopback-url.js";

export interface PublishFlags {
  to: string;
  dryRun?: boolean;
  json?: boolean;
  allowOlder?: boolean;
  takeover?: boolean;
  hubUrl?: string;
  hfToken?: string;
  githubApiUrl?: string;
  githubToken?: string;
  allowWeightReplacement?: boolean;
  allowArchitectureChange?: boolean;
}

/**
 * The flags `publish` and `release` share. `hubOnly` (dataset releases, which go to the Hub only)
 * leaves out `--to` and the GitHub flags, so `--help` lists only what applies.
 */
export function addPublishOptions(cmd: Command, opts: { hubOnly?: boolean } = {}): Command {
  if (!opts.hubOnly)
    cmd.option("--to <targets>", "where to publish: hf, github or both (comma-separated)", "hf,github");
  cmd
    .option(
      "--dry-run",
      "print the plan (repo, revision, files to add, change and delete, tag, release, API calls); send nothing",
    )
    .option("--json", "NDJSON progress events and the result on stdout")
    .option("--allow-older", "allow a version lower than the latest release (a backport)")
    .option(
      "--takeover",
      "complete the untagged commit or draft left by an interrupted publish of this version on another machine",
    )
    .option("--hub-url <url>", "Hub endpoint (default $HF_ENDPOINT or https://huggingface.co)")
    .option("--hf-token <token>", "Hub token (default $HF_TOKEN; prefer the variable: flags show in ps)");
  if (opts.hubOnly) return cmd;
  return cmd
    .option("--github-api-url <url>", "GitHub API (default $GITHUB_API_URL or https://api.github.com)")
    .option("--github-token <token>", "GitHub token (default $GITHUB_TOKEN; prefer the variable)")
    .option(
      "--allow-weight-replacement",
      "publish although the release deletes every weight file of the previous release on the Hub",
    )
    .option(
      "--allow-architecture-change",
      "publish although config.json names another architecture than the previous release",
    );
}

export function parseTargets(to: string): ("hf" | "github")[] {
  const list = to
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((t) => t !== "hf" && t !== "github");
  if (bad.length > 0 || list.length === 0) {
    throw usageError("BAD_TARGETS", `--to ${JSON.stringify(to)}: unknown target ${bad.join(", ") || "(none)"}`, {
      hint: "use --to hf, --to github or --to hf,github",
      location: { field: "--to" },
    });
  }
  return [...new Set(list)] as ("hf" | "github")[];
}

/**
 * In GitHub Actions (`GITHUB_ACTIONS=true`): a Markdown summary to `$GITHUB_STEP_SUMMARY` and
 * `::error` annotations for a failure (one per finding), around any release step. Both are redacted with the patterns the command has read
 * (`ctx.redaction`), like everything else printed.
 */
export async function withActionsReporting<T>(
  ctx: CliContext,
  run: () => Promise<T>,
  summarize: (value: T) => string,
): Promise<T> {
  const inActions = ctx.env.GITHUB_ACTIONS === "true";
  const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
  const { renderErrorAnnotations, renderFailureSummary } = await import("./render-github-actions.js");
  try {
    const value = await run();
    if (inActions && summaryFile) appendFileSync(summaryFile, `${summarize(value)}\n`);
    return value;
  } catch (err) {
    if (inActions) {
      const { patterns } = ctx.redaction;
      for (const line of renderErrorAnnotations(err, patterns)) writeLine(ctx.stdout, line);
      if (summaryFile) appendFileSync(summaryFile, `${renderFailureSummary(err, patterns)}\n`);
    }
    throw err;
  }
}

/** Resolves targets, runs the publish stage with progress, prints the plan or the result. */
export async function runPublish(
  ctx: CliContext,
  params: {
    bundleDir: string;
    flags: PublishFlags;
    /** The release config, when there is one: visibility, code export, summary, patterns. */
    config?: LoadedReleaseConfig;
    /** Journal and lock folder (default inside the bundle). */
    stateDir?: string;
    /** For bundles published without a release config (datasets): whether a new Hub repo is private. */
    hubPrivate?: boolean;
    /** `publish` of a model bundle: without the release config a new Hub repo's visibility is unknown. */
    configRequiredForNewRepo?: boolean;
  },
): Promise<PublishResult> {
  const { bundleDir, flags, config, stateDir, hubPrivate } = params;
  if (config) ctx.redaction.patterns = config.config.sanitize.patterns;
  const targets = parseTargets(flags.to);
  const endpoints = resolvePublishEndpoints({
    env: ctx.env,
    targets,
    flags: {
      hubUrl: flags.hubUrl || undefined,
      hfToken: flags.hfToken || undefined,
      githubApiUrl: flags.githubApiUrl || undefined,
      githubToken: flags.githubToken || undefined,
    },
    requireTokens: !flags.dryRun,
  });
  const mode = pickProgressMode({ json: flags.json ?? false, isTTY: ctx.stderr.isTTY, env: ctx.env });
  const progress = createProgressRenderer({
    mode,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    patterns: ctx.redaction.patterns,
  });
  const { publishRelease } = await import("../publish/publish-release.js");
  const code = config?.config.github?.code;
  const ghRepo = config?.config.github?.repo;
  let result: PublishResult;
  try {
    result = await publishRelease({
      bundleDir: resolve(ctx.cwd, bundleDir),
      stateDir: stateDir || undefined,
      // The build's hash cache lets the pre-publish verification skip files provably unchanged.
      cacheDir: defaultCacheDir(ctx.env),
      targets: endpoints,
      options: {
        ...(config ? { hubPrivate: config.config.hub.private, secretPatterns: config.config.sanitize.patterns } : {}),
        ...(hubPrivate !== undefined ? { hubPrivate } : {}),
        ...(config?.config.card.summary ? { summary: config.config.card.summary } : {}),
        ...(config?.config.github?.create ? { githubCreate: true } : {}),
        ...(code && ghRepo && config
          ? {
              code: {
                ...(code.remote ? { remote: code.remote } : {}),
                sourceDir: resolveConfigPathOf(config, code.source),
                paths: code.paths,
                branch: code.branch,
                notebookOutputs: code.notebook_outputs,
              },
            }
          : {}),
      },
      ...(config
        ? {
            config: {
              file: config.file,
              name: config.config.name,
              hubRepo: config.config.hub.repo,
              ...(config.config.github?.repo ? { githubRepo: config.config.github.repo } : {}),
            },
          }
        : {}),
      allowOlder: flags.allowOlder,
      takeover: flags.takeover,
      allowWeightReplacement: flags.allowWeightReplacement,
      // Without the release config a new model repo's visibility is unknown: never guess it.
      requireHubVisibility: (params.configRequiredForNewRepo ?? false) && !config && hubPrivate === undefined,
      allowArchitectureChange: flags.allowArchitectureChange,
      // A re-run of a failed Actions job starts on a fresh runner without the journal: the run id
      // (stable across attempts) still lets it recognise its first attempt's commit and draft.
      ...(ctx.env.GITHUB_ACTIONS === "true" && ctx.env.GITHUB_RUN_ID
        ? { runId: `github-actions:${ctx.env.GITHUB_REPOSITORY ?? ""}:${ctx.env.GITHUB_RUN_ID}` }
        : {}),
      dryRun: flags.dryRun ?? false,
      onEvent: progress.sink,
      signal: ctx.signal,
      gitEnv: ctx.env,
      githubPace: !(endpoints.github && isLoopbackUrl(endpoints.github.apiUrl)),
    });
  } finally {
    progress.finish();
  }
  if (mode === "json") writeJsonLine(ctx, { type: "result", ...result });
  else writeLine(ctx.stdout, renderPublishResult(result, ctx.redaction.patterns));
  // A dry run shows every failed check with the plan, then fails as the real run would.
  if (result.dryRun) {
    const { assertPreflightPassed } = await import("../publish/plan-publish-preflight.js");
    assertPreflightPassed(result.preflight);
  }
  return result;
}

function resolveConfigPathOf(config: LoadedReleaseConfig, p: string): string {
  return resolve(config.baseDir, p);
}

/** The human summary: the plan for --dry-run, what happened otherwise. File and asset names are made safe to print. */
export function renderPublishResult(r: PublishResult, patterns: SecretPattern[] = []): string {
  const safe = (s: string) => renderSafeText(s, { patterns });
  const out: string[] = [];
  out.push(
    `${r.dryRun ? "Plan for" : "Published"} ${r.name} ${r.version} as ${r.tag}${r.versionPolicy.prerelease ? " (prerelease)" : ""}${r.resumed.length ? ` (resumed after: ${r.resumed.join(", ")})` : ""}`,
  );
  if (r.hub) {
    const p = r.hub.plan;
    out.push(
      "",
      `Hub ${p.repoType} ${p.repo} (${p.private ? "private" : "public"}) on ${p.branch}${p.parentCommit ? ` @ ${p.parentCommit.slice(0, 12)}` : ""}${p.createRepo ? " (new repo)" : ""}`,
    );
    if (!p.commit) out.push(`  tag ${p.tag.name} already holds this content: nothing to do`);
    else {
      for (const f of p.commit.add) out.push(`  + ${safe(f.path)} (${formatBytes(f.size)})`);
      for (const f of p.commit.change) out.push(`  ~ ${safe(f.path)} (${formatBytes(f.size)})`);
      for (const f of p.commit.delete) out.push(`  - ${safe(f.path)} (${formatBytes(f.size)})`);
      out.push(
        `  = ${p.commit.unchanged.length} unchanged; up to ${formatBytes(p.commit.uploadBytes)} to send`,
        `  tag ${p.tag.name}`,
      );
    }
    if (r.hub.commit) out.push(`  commit ${r.hub.commit}`);
    out.push(`  ${r.hub.url}`);
  }
  if (r.github) {
    const p = r.github.plan;
    out.push(
      "",
      `GitHub ${p.repo}: release ${p.tag} (${p.release.action}${p.prerelease ? ", prerelease" : ""}${p.latest ? ", latest" : ""})`,
    );
    if (p.code) out.push(`  code: ${p.code.files} files to ${p.code.branch} and ${p.tag}`);
    for (const a of p.assets)
      out.push(
        `  ${a.action === "skip" ? "=" : a.action === "replace" ? "~" : "+"} ${safe(a.name)} (${formatBytes(a.size)})`,
      );
    if (r.github.releaseUrl) out.push(`  ${r.github.releaseUrl}`);
  }
  if (r.dryRun || r.preflight.some((c) => c.status === "fail")) {
    out.push("", "Preflight:");
    for (const c of r.preflight)
      out.push(
        `  ${c.status === "ok" ? "ok  " : c.status === "fail" ? "FAIL" : "skip"} ${c.target} ${c.check}: ${c.detail}`,
      );
  }
  if (r.signature)
    out.push(
      "",
      `Signature: model.sig verified against the staged bundle (${r.signature.signer}, ${r.signature.files} files)`,
    );
  if (r.dryRun) {
    out.push("", "API calls:");
    for (const c of [...(r.hub?.plan.apiCalls ?? []), ...(r.github?.plan.apiCalls ?? [])]) out.push(`  ${safe(c)}`);
    out.push("", "Nothing was sent (--dry-run).");
  }
  return out.join("\n");
}
