import { join } from "node:path";
import { MAX_CODE_FILE_BYTES, readCodeFiles } from "./apply-code-push.js";
import { createCodeSecretScan } from "./create-code-secret-scan.js";
import { fetchArchitectureChange } from "./fetch-architecture-change.js";
import { fetchGitHubAccess, fetchHubAccess, type GitHubAccess, type HubAccess } from "./fetch-publish-access.js";
import type { GitHubClient } from "./github-publisher.js";
import { fetchHubState, type HubClient } from "./hub-publisher.js";
import { planCodeExport, type CodeExportPlan } from "./plan-code-export.js";
import { planGitHubRelease } from "./plan-github-release.js";
import { planHubPublish } from "./plan-hub-publish.js";
import {
  githubTokenInvalid,
  hubTokenInvalid,
  planPublishPreflight,
  type PreflightCheck,
} from "./plan-publish-preflight.js";
import type { ProgressSink } from "./progress.js";
import type { PublishReleaseParams } from "./publish-release-types.js";
import { readOptionalText, readReleaseNotes } from "./read-release-notes.js";
import { assertReleaseNotesClean } from "./assert-release-notes-clean.js";
import type { GitHubReleasePlan, GitHubRemoteState, HubPublishPlan, HubRemoteState, ReleaseBundle } from "./types.js";
import { planVersionTag, type VersionTagPlan } from "./version-policy.js";

/** What `publishRelease` knows before it sends anything: clients, remote state, plans, preflight. */
export interface PublishPlan {
  hub?: HubClient;
  gh?: GitHubClient;
  ghAccess?: GitHubAccess;
  /** The GitHub repository does not exist yet (the config may create it). */
  ghMissing: boolean;
  hubState?: HubRemoteState;
  ghState?: GitHubRemoteState;
  policy: VersionTagPlan;
  hubUrl: string;
  hubPlan?: HubPublishPlan;
  ghPlan?: GitHubReleasePlan;
  codeExport?: CodeExportPlan;
  codeRemote?: string;
  preflight: PreflightCheck[];
}

/** `v{version}` or `{name}-v{version}`, recovered from the manifest's own tag. */
function tagFormatOf(bundle: ReleaseBundle): string {
  const { tag, version, name } = bundle.manifest;
  const i = tag.lastIndexOf(version);
  const format = i < 0 ? "v{version}" : `${tag.slice(0, i)}{version}${tag.slice(i + version.length)}`;
  return format.startsWith(`${name}-`) ? `{name}-${format.slice(name.length + 1)}` : format;
}

/**
 * The plan stage of a publish: who the tokens are, what both remotes hold, the version policy,
 * the Hub and GitHub plans, the code export and the preflight over all of it. Reads only; a
 * refused token throws here, a failed check is in `preflight`.
 */
export async function fetchPublishPlan(
  params: PublishReleaseParams,
  ctx: { bundle: ReleaseBundle; fetch: typeof fetch; emit: ProgressSink },
): Promise<PublishPlan> {
  const { bundle, emit } = ctx;
  const { manifest } = bundle;
  const signal = params.signal;
  const fetchImpl = ctx.fetch;
  const hub: HubClient | undefined =
    params.targets.hub &&
    ({
      hubUrl: params.targets.hub.url,
      accessToken: params.targets.hub.token || undefined,
      fetch: fetchImpl,
      signal,
    } as HubClient);
  const ghRepo = manifest.github?.repo;
  // Loaded only for a GitHub target: octokit is a fifth of a Hub-only publish's start-up.
  const github = params.targets.github && ghRepo ? await import("./github-publisher.js") : undefined;
  const gh: GitHubClient | undefined =
    params.targets.github && ghRepo && github
      ? github.createGitHubClient({
          apiUrl: params.targets.github.apiUrl,
          token: params.targets.github.token,
          fetch: fetchImpl,
          pace: params.githubPace ?? true,
          retryBaseMs: params.githubPace === false ? 50 : undefined,
        })
      : undefined;
  if (params.targets.github && !ghRepo)
    emit({
      type: "warning",
      message: "the bundle's manifest names no GitHub repository (github.repo in the config): skipping GitHub",
    });
  // Who the tokens are, first: a refused token is named as such, not as a failed listing.
  const hubAccess: HubAccess | undefined = hub?.accessToken ? await fetchHubAccess(hub) : undefined;
  const ghAccess: GitHubAccess | undefined =
    gh && ghRepo && params.targets.github?.token ? await fetchGitHubAccess(gh, ghRepo) : undefined;
  if (hubAccess?.tokenValid === false) throw hubTokenInvalid(hubAccess, params.targets.hub!.url);
  if (ghAccess?.tokenValid === false) throw githubTokenInvalid(params.targets.github!.apiUrl);

  const repoType = manifest.hub.repoType;
  const hubState = hub ? await fetchHubState(hub, { repo: manifest.hub.repo, repoType, tag: manifest.tag }) : undefined;
  const ghMissing = ghAccess?.repoExists === false;
  const ghState: GitHubRemoteState | undefined =
    gh && ghRepo
      ? ghMissing
        ? { tagExists: false, releaseTags: [] }
        : await github?.fetchGitHubState(gh, { repo: ghRepo, tag: manifest.tag })
      : undefined;

  const policy = planVersionTag({
    version: manifest.version,
    name: manifest.name,
    tagFormat: tagFormatOf(bundle),
    // Hub tags are the record of releases; GitHub releases count too (a GitHub-only publish).
    existingTags: [...new Set([...(hubState?.tags.map((t) => t.name) ?? []), ...(ghState?.releaseTags ?? [])])],
    allowOlder: params.allowOlder,
  });
  const hubUrl = params.targets.hub?.url ?? "https://huggingface.co";
  const hubPlan =
    hub && hubState
      ? planHubPublish({
          bundle,
          remote: hubState,
          hubUrl,
          repoType,
          private: params.options?.hubPrivate ?? false,
          tag: manifest.tag,
        })
      : undefined;
  const architectureChange =
    hub && hubPlan?.commit?.change.some((f) => f.path === "config.json") && hubState?.head
      ? await fetchArchitectureChange(hub, { bundle, head: hubState.head })
      : undefined;

  let codeExport: CodeExportPlan | undefined;
  let ghPlan: GitHubReleasePlan | undefined;
  const codeOption = params.options?.code;
  const codeRemote =
    codeOption?.remote ??
    ghAccess?.cloneUrl ??
    (gh && ghRepo && codeOption && !ghMissing ? await github?.fetchGitHubCloneUrl(gh, ghRepo) : undefined);
  if (gh && ghRepo && ghState) {
    // Fail closed: code is always scanned, with the sanitizer's detectors unless a scan is given.
    if (codeOption) {
      // The code export carries the release's LICENSE too, when the code folder has none.
      const licence = await readOptionalText(join(bundle.dir, "LICENSE"));
      codeExport = planCodeExport({
        files: await readCodeFiles(codeOption.sourceDir),
        allow: codeOption.paths,
        scan: params.scanCode ?? createCodeSecretScan(params.options?.secretPatterns ?? []),
        notebookOutputs: codeOption.notebookOutputs ?? "strip",
        maxFileBytes: MAX_CODE_FILE_BYTES,
        required: licence === undefined ? [] : [{ path: "LICENSE", content: licence }],
      });
    }
    for (const f of codeExport?.findings ?? [])
      emit({ type: "warning", message: `code export: ${f.file}${f.line ? `:${f.line}` : ""}: ${f.message}` });
    ghPlan = planGitHubRelease({
      bundle,
      remote: ghState,
      apiUrl: params.targets.github!.apiUrl,
      repo: ghRepo,
      tag: manifest.tag,
      prerelease: policy.prerelease,
      latest: policy.latest,
      notes: assertedClean(
        await readReleaseNotes({
          bundle,
          hubUrl,
          policy,
          onWarning: (message) => emit({ type: "warning", message }),
          // An empty summary falls back to the card's, as an absent one does.
          summary: params.options?.summary || undefined,
        }),
        params.options?.secretPatterns,
      ),
      ...(codeOption && codeExport
        ? {
            code: {
              remote: codeRemote ?? `(clone URL of the new ${ghRepo})`,
              files: codeExport.files.length,
              branch: codeOption.branch,
            },
          }
        : {}),
    });
  }
  const preflight = planPublishPreflight({
    dryRun: params.dryRun ?? false,
    ...(hubPlan
      ? {
          hub: {
            repo: manifest.hub.repo,
            access: hubAccess,
            plan: hubPlan,
            architectureChange,
            visibilityUnknown: (params.requireHubVisibility ?? false) && params.options?.hubPrivate === undefined,
          },
        }
      : {}),
    ...(ghPlan && ghRepo
      ? {
          github: {
            repo: ghRepo,
            access: ghAccess,
            plan: ghPlan,
            create: params.options?.githubCreate ?? false,
            contentDigest: manifest.contentDigest,
            publishedDigest: ghState?.release?.contentDigest,
            codeFiles: codeExport?.files.length,
          },
        }
      : {}),
    allowWeightReplacement: params.allowWeightReplacement,
    allowArchitectureChange: params.allowArchitectureChange,
  });
  return {
    hub,
    gh,
    ghAccess,
    ghMissing,
    hubState,
    ghState,
    policy,
    hubUrl,
    hubPlan,
    ghPlan,
    codeExport,
    codeRemote,
    preflight,
  };
}

function assertedClean(notes: string, patterns: Parameters<typeof assertReleaseNotesClean>[1]): string {
  assertReleaseNotesClean(notes, patterns);
  return notes;
}
