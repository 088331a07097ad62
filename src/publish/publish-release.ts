import { join } from "node:path";
import { interruptedError } from "./interrupted-error.js";
import type { Finding } from "../findings.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { applyGitHubSteps } from "./apply-github-steps.js";
import { applyHubSteps, type RecordStep } from "./apply-hub-steps.js";
import { assertBundleUnchanged } from "./assert-bundle-unchanged.js";
import { createCodeSecretScan } from "./create-code-secret-scan.js";
import { MAX_CODE_FILE_BYTES, readCodeFiles } from "./apply-code-push.js";
import { createRetryingFetch } from "./create-retrying-fetch.js";
import { fetchGitHubAccess, fetchHubAccess, type GitHubAccess, type HubAccess } from "./fetch-publish-access.js";
import { createGitHubClient, fetchGitHubCloneUrl, fetchGitHubState, type GitHubClient } from "./github-publisher.js";
import { fetchArchitectureChange } from "./fetch-architecture-change.js";
import { fetchHubState, type HubClient } from "./hub-publisher.js";
import { planCodeExport, type CodeExportPlan } from "./plan-code-export.js";
import { planGitHubRelease } from "./plan-github-release.js";
import { planHubPublish } from "./plan-hub-publish.js";
import {
  assertPreflightPassed,
  githubTokenInvalid,
  hubTokenInvalid,
  planPublishPreflight,
  type PreflightCheck,
} from "./plan-publish-preflight.js";
import type { ProgressSink } from "./progress.js";
import {
  acquirePublishLock,
  planConfirmedSteps,
  planJournalKeys,
  readPublishJournal,
  writePublishJournal,
  type PublishStep,
} from "./publish-journal.js";
import { readReleaseBundle } from "./read-release-bundle.js";
import { readOptionalText, readReleaseNotes } from "./read-release-notes.js";
import { throttleProgress } from "./throttle-progress.js";
import type { GitHubReleasePlan, GitHubRemoteState, HubPublishPlan, ReleaseBundle } from "./types.js";
import { planVersionTag, type VersionTagPlan } from "./version-policy.js";

export interface PublishReleaseParams {
  bundleDir: string;
  /**
   * Where the journal and the lock live; default `<bundle>/.model-release`. `release` keeps them
   * outside the bundle, which a rebuild replaces.
   */
  stateDir?: string;
  /** Resolved endpoints and tokens; a target that is absent is not published to. */
  targets: { hub?: { url: string; token: string }; github?: { apiUrl: string; token: string } };
  /** From the release config, when there is one. */
  options?: {
    hubPrivate?: boolean;
    /** Code export; `remote` defaults to the GitHub repository's clone URL. */
    code?: {
      remote?: string;
      sourceDir: string;
      paths: string[];
      branch: string;
      /** Notebook outputs: dropped (default) or kept and scanned like code. */
      notebookOutputs?: "strip" | "keep";
    };
    summary?: string;
    /** The config's `sanitize.patterns`, also applied to exported code. */
    secretPatterns?: SecretPattern[];
    /** Create the GitHub repository when it is missing (the config's `github.create`). */
    githubCreate?: boolean;
  };
  /**
   * Fail the preflight when the Hub repo must be created and `options.hubPrivate` is not given:
   * `publish` without `--config` must not guess a new repo's visibility.
   */
  requireHubVisibility?: boolean;
  /** Publish although the release deletes every weight file of the previous one on the Hub. */
  allowWeightReplacement?: boolean;
  /** Publish although config.json names another architecture than the previous release's. */
  allowArchitectureChange?: boolean;
  allowOlder?: boolean;
  /** Identifies this publish in Hub commits and draft notes when no journal exists yet (CI: the workflow run). */
  runId?: string;
  /** Adopt the untagged commit or the draft of an interrupted publish of this version made elsewhere. */
  takeover?: boolean;
  dryRun?: boolean;
  fetch?: typeof fetch;
  onEvent?: ProgressSink;
  signal?: AbortSignal;
  /** The secret scan run over exported code; default the sanitizer's detectors with `options.secretPatterns`. */
  scanCode?: (path: string, content: string) => Finding[];
  /** Environment for the git subprocess (PATH, HOME, proxies); tokens are added separately. */
  gitEnv?: Record<string, string | undefined>;
  /** GitHub rate-limit pacing (1 s between writes); off for loopback stand-ins. */
  githubPace?: boolean;
  retry?: { retries?: number; baseDelayMs?: number };
  /**
   * The build's hash cache folder: the bundle is verified before anything is sent, and files
   * the build hashed and that are provably unchanged since are not read again. Without it every
   * file is re-hashed.
   */
  cacheDir?: string;
}

export interface PublishResult {
  name: string;
  version: string;
  tag: string;
  contentDigest: string;
  dryRun: boolean;
  versionPolicy: VersionTagPlan;
  hub?: { plan: HubPublishPlan; commit?: string; url: string };
  github?: { plan: GitHubReleasePlan; releaseUrl?: string; codeCommit?: string; assetsUploaded?: string[] };
  /** Steps a previous, interrupted run had finished (and the remote confirmed). */
  resumed: PublishStep[];
  /** Every check made before the first byte; a dry run returns failed ones instead of throwing. */
  preflight: PreflightCheck[];
  /** The staged bundle's signature, checked before any upload (absent for an unsigned bundle or a dry run). */
  signature?: { signer: string; files: number };
}

/** `v{version}` or `{name}-v{version}`, recovered from the manifest's own tag. */
function tagFormatOf(bundle: ReleaseBundle): string {
  const { tag, version, name } = bundle.manifest;
  const i = tag.lastIndexOf(version);
  const format = i < 0 ? "v{version}" : `${tag.slice(0, i)}{version}${tag.slice(i + version.length)}`;
  return format.startsWith(`${name}-`) ? `{name}-${format.slice(name.length + 1)}` : format;
}

/**
 * Publishes a staged bundle: read the remote state and plan everything, run the preflight (tokens,
 * write access, repos, tags on both sides, code export, weights and architecture guards; a dry run
 * stops there and returns it), verify the bundle and its signature, then Hub commit, Hub tag,
 * GitHub tag (with the exported code), draft release, assets, publish. Each finished step goes to
 * the journal, which the remote must confirm before a step is skipped, so a re-run after a crash
 * or an interrupt completes the release without duplicates. `signal` aborts every request.
 */
export async function publishRelease(params: PublishReleaseParams): Promise<PublishResult> {
  const emit: ProgressSink = params.onEvent ?? (() => undefined);
  let current = "plan";
  const signal = params.signal;
  try {
    return await publishSteps(params, (ev) => {
      if (ev.type === "step" && ev.status === "start") current = ev.step;
      emit(ev);
    });
  } catch (err) {
    if (signal?.aborted) throw interruptedError(current);
    throw err;
  }
}

async function publishSteps(params: PublishReleaseParams, emit: ProgressSink): Promise<PublishResult> {
  const signal = params.signal;
  const checkpoint = (step: string) => {
    if (signal?.aborted) throw interruptedError(step);
  };
  const bundle = await readReleaseBundle(params.bundleDir);
  const { manifest } = bundle;
  const fetchImpl = createRetryingFetch({
    fetch: params.fetch,
    retries: params.retry?.retries,
    baseDelayMs: params.retry?.baseDelayMs,
    onRetry: (info) => emit({ type: "retry", ...info }),
    signal,
  });
  emit({ type: "step", step: "plan", status: "start" });

  const hub: HubClient | undefined =
    params.targets.hub &&
    ({
      hubUrl: params.targets.hub.url,
      accessToken: params.targets.hub.token || undefined,
      fetch: fetchImpl,
      signal,
    } as HubClient);
  const ghRepo = manifest.github?.repo;
  const gh: GitHubClient | undefined =
    params.targets.github && ghRepo
      ? createGitHubClient({
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
        : await fetchGitHubState(gh, { repo: ghRepo, tag: manifest.tag })
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
    (gh && ghRepo && codeOption && !ghMissing ? await fetchGitHubCloneUrl(gh, ghRepo) : undefined);
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
      notes: await readReleaseNotes({
        bundle,
        hubUrl,
        policy,
        onWarning: (message) => emit({ type: "warning", message }),
        // An empty summary falls back to the card's, as an absent one does.
        summary: params.options?.summary || undefined,
      }),
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
  emit({ type: "step", step: "plan", status: "done" });
  const hubRepoUrl = `${hubUrl}/${repoType === "dataset" ? "datasets/" : ""}${manifest.hub.repo}/tree/${encodeURIComponent(manifest.tag)}`;
  const result: PublishResult = {
    name: manifest.name,
    version: manifest.version,
    tag: manifest.tag,
    contentDigest: manifest.contentDigest,
    dryRun: params.dryRun ?? false,
    versionPolicy: policy,
    ...(hubPlan ? { hub: { plan: hubPlan, url: hubRepoUrl } } : {}),
    ...(ghPlan ? { github: { plan: ghPlan } } : {}),
    resumed: [],
    preflight,
  };
  if (params.dryRun) return result;
  assertPreflightPassed(preflight);

  // Nothing goes public that does not match its manifest and its signature.
  emit({ type: "step", step: "verify", status: "start" });
  const verifyEmit = throttleProgress(emit);
  const { signature, verified } = await assertBundleUnchanged({
    bundle,
    cacheDir: params.cacheDir,
    signal,
    // Only what the cache cannot vouch for is read; that part gets a bar like an upload.
    onProgress: (e) =>
      e.kind === "plan"
        ? verifyEmit({ type: "totals", files: e.files, bytes: e.bytes })
        : verifyEmit({
            type: "file",
            path: e.path,
            state: "verifying",
            bytes: e.kind === "hashed" ? e.size : e.bytes,
            size: e.size,
          }),
  });
  if (signature) result.signature = signature;
  emit({
    type: "step",
    step: "verify",
    status: "done",
    detail: `${verified.cached} of ${verified.checked} files unchanged since the build, ${verified.hashedBytes} bytes read`,
  });

  const stateDir = params.stateDir ?? join(bundle.dir, ".model-release");
  const keys = planJournalKeys({
    name: manifest.name,
    tag: manifest.tag,
    contentDigest: manifest.contentDigest,
    hub: hubPlan ? { url: hubUrl, repo: hubPlan.repo } : undefined,
    github: ghPlan ? { apiUrl: ghPlan.apiUrl, repo: ghPlan.repo } : undefined,
  });
  const unlock = await acquirePublishLock(stateDir, keys.lock);
  try {
    const journal = await readPublishJournal(
      stateDir,
      keys.journal,
      manifest.contentDigest,
      ...(params.runId ? [params.runId] : []),
    );
    // The journal is a hint: only what the remote holds is skipped.
    const { confirmed, dropped } = planConfirmedSteps(journal, {
      tag: manifest.tag,
      hub: hubState,
      github: ghState,
    });
    if (dropped.length > 0)
      emit({
        type: "warning",
        message: `the journal lists ${dropped.join(", ")} as done but the remote does not hold them: running them again`,
      });
    journal.steps = confirmed;
    // Persist the run id before anything is sent: commits and drafts carry it, so a re-run
    // recognises its own work even when it crashed before recording a step.
    await writePublishJournal(stateDir, journal);
    result.resumed = (Object.keys(journal.steps) as PublishStep[]).filter((s) => journal.steps[s]);
    const done: RecordStep = async (step, facts = {}, skipped = false) => {
      journal.steps[step] = { at: new Date().toISOString(), ...facts };
      await writePublishJournal(stateDir, journal);
      emit({ type: "step", step, status: skipped ? "skipped" : "done" });
    };

    if (hub && hubPlan && result.hub)
      result.hub.commit = await applyHubSteps({
        hub,
        plan: hubPlan,
        bundle,
        journal,
        done,
        emit,
        takeover: params.takeover ?? false,
        checkpoint,
      });
    if (gh && ghPlan && result.github) {
      const code = params.options?.code;
      Object.assign(
        result.github,
        await applyGitHubSteps({
          gh,
          plan: ghPlan,
          bundle,
          journal,
          done,
          emit,
          checkpoint,
          token: params.targets.github!.token,
          ...(ghMissing
            ? {
                createRepo: {
                  login: ghAccess?.login,
                  private: params.options?.hubPrivate ?? false,
                },
              }
            : {}),
          ...(code && codeExport
            ? { code: { branch: code.branch, export: codeExport, remote: codeRemote || undefined } }
            : {}),
          takeover: params.takeover,
          gitEnv: params.gitEnv,
          signal,
        }),
      );
    }
    return result;
  } finally {
    await unlock();
  }
}
