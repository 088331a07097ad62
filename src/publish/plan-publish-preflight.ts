import { ReleaseError, blockedError, conflictError, usageError } from "../errors.js";
import type { GitHubAccess, HubAccess } from "./fetch-publish-access.js";
import { planAccessChecks, preflightCheck, type PreflightCheck } from "./plan-access-checks.js";
import type { GitHubReleasePlan, HubPublishPlan } from "./types.js";

// The access checks live in plan-access-checks.ts (release runs them before its build); these
// names stay importable from here.
export { githubTokenInvalid, hubTokenInvalid, type PreflightCheck } from "./plan-access-checks.js";

/** Weight files as the Hub stores them: what "all weights of the previous release" means. */
const WEIGHTS = /\.(safetensors|bin|pt|pth|ckpt|gguf|h5|msgpack|onnx)$/i;

export interface PublishPreflightFacts {
  dryRun: boolean;
  hub?: {
    repo: string;
    /** Undefined when no token was given (dry run). */
    access?: HubAccess;
    plan: HubPublishPlan;
    /** The repo's visibility was not given (no release config): creating it would guess. */
    visibilityUnknown?: boolean;
    /** `architectures`/`model_type` of config.json at the head and in the bundle, when both exist and differ. */
    architectureChange?: { from: string; to: string };
  };
  github?: {
    repo: string;
    access?: GitHubAccess;
    plan: GitHubReleasePlan;
    /** The config allows creating a missing repository (`github.create`). */
    create: boolean;
    /** The bundle's content digest, and the one the published release's notes state. */
    contentDigest?: string;
    publishedDigest?: string;
    /** The code export: how many files it exports; undefined when no export is configured. */
    codeFiles?: number;
  };
  allowWeightReplacement?: boolean;
  allowArchitectureChange?: boolean;
}

/**
 * Everything that would make a later step fail, checked before the first byte is sent: tokens and
 * write access on both sides, repositories, the tag on both sides, the code export, and releases
 * that would drop all weights of the previous one or change the architecture. Pure.
 */
export function planPublishPreflight(f: PublishPreflightFacts): PreflightCheck[] {
  const checks: PreflightCheck[] = [];
  const add = (target: PreflightCheck["target"], check: string, error: ReleaseError | undefined, ok: string) =>
    checks.push(preflightCheck(target, check, error, ok));

  if (f.hub) {
    const { repo, access, plan } = f.hub;
    checks.push(...planAccessChecks({ hub: { repo, hubUrl: plan.hubUrl, access } }));
    add(
      "hub",
      "repository",
      plan.createRepo && f.hub.visibilityUnknown
        ? usageError(
            "CONFIG_REQUIRED",
            `${repo} does not exist on the Hub and its visibility is not known without the config`,
            {
              hint: "pass --config with the config the bundle was built from (its `private:` under `hub:` decides whether the new repo is public)",
              location: { field: "--config" },
            },
          )
        : undefined,
      plan.createRepo ? `${repo} will be created (${plan.private ? "private" : "public"})` : `${repo} exists`,
    );
    checks.push({
      target: "hub",
      check: "tag",
      status: "ok",
      detail: plan.tag.action === "exists" ? `${plan.tag.name} exists with this content` : `${plan.tag.name} is free`,
    });
    const removed = (plan.commit?.delete ?? []).filter((d) => WEIGHTS.test(d.path));
    const kept = [...(plan.commit?.unchanged ?? [])].filter((u) => WEIGHTS.test(u.path));
    if (removed.length > 0 && kept.length === 0)
      add(
        "hub",
        "previous weights",
        f.allowWeightReplacement
          ? undefined
          : blockedError(
              "WEIGHTS_ALL_REPLACED",
              `this release deletes all ${removed.length} weight file(s) of the previous release on ${repo} (${removed
                .slice(0, 3)
                .map((d) => d.path)
                .join(", ")}${removed.length > 3 ? ", …" : ""}) and keeps none`,
              {
                hint: "check --checkpoint; if the new weights really replace every old file, run again with --allow-weight-replacement",
              },
            ),
        `replaces all ${removed.length} weight file(s) (--allow-weight-replacement)`,
      );
    if (f.hub.architectureChange) {
      const { from, to } = f.hub.architectureChange;
      add(
        "hub",
        "architecture",
        f.allowArchitectureChange
          ? undefined
          : blockedError(
              "ARCHITECTURE_CHANGED",
              `config.json changes the architecture on ${repo} from ${from} to ${to}`,
              {
                hint: "a new architecture usually belongs in a new repo; if this is intended, run again with --allow-architecture-change",
                location: { file: "config.json" },
              },
            ),
        `${from} → ${to} (--allow-architecture-change)`,
      );
    }
  }

  if (f.github) {
    const { repo, access, plan } = f.github;
    checks.push(...planAccessChecks({ github: { repo, apiUrl: plan.apiUrl, access, create: f.github.create } }));
    if (f.github.codeFiles !== undefined)
      add(
        "github",
        "code export",
        f.github.codeFiles === 0
          ? usageError("CODE_EXPORT_EMPTY", `the code export to ${repo} selects no file`, {
              hint: "check github.code.source and github.code.paths in the release config",
              location: { field: "github.code.paths" },
            })
          : undefined,
        `${f.github.codeFiles} file(s)`,
      );
    else if (plan.release.action !== "published" && access && !(access.repoExists && access.hasCommit))
      // Situation: `publish` without --config of a bundle whose GitHub repo is empty. The tag
      // needs a commit: the code export makes one; without it, fail before the Hub goes public.
      add(
        "github",
        "commit to tag",
        usageError(
          "GITHUB_NOTHING_TO_TAG",
          `GitHub repository ${repo} has no commit to put tag ${plan.tag} on, and no code export is configured`,
          {
            hint: "pass --config with the release config (its github.code exports the code with the tag), or push a commit first",
            location: { field: "--config" },
          },
        ),
        "",
      );
    if (plan.release.action === "published") {
      const differs = plan.assets.filter((a) => a.action !== "skip").map((a) => a.name);
      const stated = f.github.publishedDigest;
      const other = (stated !== undefined && stated !== f.github.contentDigest) || differs.length > 0;
      add(
        "github",
        "tag",
        other
          ? conflictError(
              "TAG_CONFLICT",
              `GitHub release ${plan.tag} on ${repo} is published with other content (${differs.length > 0 ? `${differs.join(", ")} differ` : `content digest ${stated}`})`,
              { hint: "tags never move: publish this content under a new version" },
            )
          : undefined,
        `${plan.tag} is published with this content`,
      );
    } else checks.push({ target: "github", check: "tag", status: "ok", detail: `${plan.tag} is free or a draft` });
  }
  return checks;
}

/**
 * Throws the first failing check's error; the message lists every failure, so one run shows
 * everything to fix.
 */
export function assertPreflightPassed(checks: readonly PreflightCheck[]): void {
  const failed = checks.filter((c) => c.status === "fail" && c.error);
  if (failed.length === 0) return;
  const first = failed[0]!.error!;
  if (failed.length === 1) throw first;
  throw new ReleaseError(
    `preflight failed, nothing was sent:\n${failed.map((c) => `  ${c.target} ${c.check}: ${c.error!.code}: ${c.detail}`).join("\n")}`,
    {
      code: first.code,
      category: first.category,
      hint: first.hint || undefined,
      details: { failed: failed.map((c) => ({ target: c.target, check: c.check, code: c.error!.code })) },
    },
  );
}
