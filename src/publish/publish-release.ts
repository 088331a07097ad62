import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readHashCache } from "../bundle/hash-cache.js";
import { verifyBundle } from "../bundle/verify-bundle.js";
import { verifyError } from "../errors.js";
import type { Finding } from "../findings.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import { createCodeSecretScan } from "./create-code-secret-scan.js";
import { readCodeFiles, applyCodePush, MAX_CODE_FILE_BYTES } from "./apply-code-push.js";
import { createRetryingFetch } from "./create-retrying-fetch.js";
import {
  applyGitHubAssets,
  applyGitHubDraft,
  applyGitHubPublish,
  applyGitHubTag,
  createGitHubClient,
  fetchGitHubCloneUrl,
  fetchGitHubState,
  type GitHubClient,
} from "./github-publisher.js";
import {
  applyHubCommit,
  applyHubCreateRepo,
  applyHubTag,
  assertHubCardValid,
  fetchHubState,
  type HubClient,
} from "./hub-publisher.js";
import { planCodeExport, type CodeExportPlan } from "./plan-code-export.js";
import { planGitHubRelease } from "./plan-github-release.js";
import { planHubPublish } from "./plan-hub-publish.js";
import type { ProgressSink } from "./progress.js";
import {
  acquirePublishLock,
  readPublishJournal,
  writePublishJournal,
  type PublishJournal,
  type PublishStep,
} from "./publish-journal.js";
import { readReleaseBundle } from "./read-release-bundle.js";
import { throttleProgress } from "./throttle-progress.js";
import { parseCardSummary, parseEvalRows, renderReleaseNotes } from "./render-release-notes.js";
import { planSignatureSigner, renderVerifyCommands } from "../trust/plan-signature-signer.js";
import type { GitHubReleasePlan, HubPublishPlan, ReleaseBundle } from "./types.js";
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
  };
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
  /** Steps a previous, interrupted run had finished. */
  resumed: PublishStep[];
}

/** `v{version}` or `{name}-v{version}`, recovered from the manifest's own tag. */
function tagFormatOf(bundle: ReleaseBundle): string {
  const { tag, version, name } = bundle.manifest;
  const i = tag.lastIndexOf(version);
  const format = i < 0 ? "v{version}" : `${tag.slice(0, i)}{version}${tag.slice(i + version.length)}`;
  return format.startsWith(`${name}-`) ? `{name}-${format.slice(name.length + 1)}` : format;
}

/** The build's diff against the previous release (private state) and the signature's verify commands, for the notes. */
async function readTrustNotes(dir: string, hubRepo: string): Promise<{ changes?: string; verifyCommands?: string[] }> {
  const changes = await readOptionalText(join(dir, ".model-release", "changes.md"));
  const sig = await readOptionalText(join(dir, "model.sig"));
  let verifyCommands: string[] | undefined;
  if (sig) {
    try {
      verifyCommands = renderVerifyCommands({
        dir: `./${hubRepo.split("/")[1] ?? "model"}`,
        signer: planSignatureSigner(sig),
      });
    } catch {
      verifyCommands = undefined;
    }
  }
  return { ...(changes ? { changes } : {}), ...(verifyCommands ? { verifyCommands } : {}) };
}

async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Publishes a staged bundle: plan everything first (dry-run stops there), then Hub commit, Hub
 * tag, GitHub tag (with the exported code), draft release, assets, publish. Each finished step
 * goes to the journal in `.model-release/`; every step also checks the remote, so a re-run after
 * a crash anywhere completes the release without duplicates.
 */
export async function publishRelease(params: PublishReleaseParams): Promise<PublishResult> {
  const emit: ProgressSink = params.onEvent ?? (() => undefined);
  const bundle = await readReleaseBundle(params.bundleDir);
  const { manifest } = bundle;
  const fetchImpl = createRetryingFetch({
    ...(params.fetch ? { fetch: params.fetch } : {}),
    ...(params.retry?.retries !== undefined ? { retries: params.retry.retries } : {}),
    ...(params.retry?.baseDelayMs !== undefined ? { baseDelayMs: params.retry.baseDelayMs } : {}),
    onRetry: (info) => emit({ type: "retry", ...info }),
  });
  emit({ type: "step", step: "plan", status: "start" });

  const hub: HubClient | undefined =
    params.targets.hub &&
    ({
      hubUrl: params.targets.hub.url,
      accessToken: params.targets.hub.token || undefined,
      fetch: fetchImpl,
      ...(params.signal ? { signal: params.signal } : {}),
    } as HubClient);
  const repoType = manifest.hub.repoType;
  const hubState = hub ? await fetchHubState(hub, { repo: manifest.hub.repo, repoType, tag: manifest.tag }) : undefined;

  const ghRepo = manifest.github?.repo;
  const gh: GitHubClient | undefined =
    params.targets.github && ghRepo
      ? createGitHubClient({
          apiUrl: params.targets.github.apiUrl,
          token: params.targets.github.token,
          fetch: fetchImpl,
          pace: params.githubPace ?? true,
          ...(params.githubPace === false ? { retryBaseMs: 50 } : {}),
        })
      : undefined;
  if (params.targets.github && !ghRepo)
    emit({
      type: "warning",
      message: "the bundle's manifest names no GitHub repository (github.repo in the config): skipping GitHub",
    });
  const ghState = gh && ghRepo ? await fetchGitHubState(gh, { repo: ghRepo, tag: manifest.tag }) : undefined;

  const policy = planVersionTag({
    version: manifest.version,
    name: manifest.name,
    tagFormat: tagFormatOf(bundle),
    // Hub tags are the record of releases; GitHub releases count too (a GitHub-only publish).
    existingTags: [...new Set([...(hubState?.tags.map((t) => t.name) ?? []), ...(ghState?.releaseTags ?? [])])],
    ...(params.allowOlder ? { allowOlder: true } : {}),
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

  let codeExport: CodeExportPlan | undefined;
  let ghPlan: GitHubReleasePlan | undefined;
  if (gh && ghRepo && ghState) {
    const codeOption = params.options?.code;
    const code = codeOption && { ...codeOption, remote: codeOption.remote ?? (await fetchGitHubCloneUrl(gh, ghRepo)) };
    // Fail closed: code is always scanned, with the sanitizer's detectors unless a scan is given.
    if (code) {
      // The code export carries the release's LICENSE too, when the code folder has none.
      const licence = await readOptionalText(join(bundle.dir, "LICENSE"));
      codeExport = planCodeExport({
        files: await readCodeFiles(code.sourceDir),
        allow: code.paths,
        scan: params.scanCode ?? createCodeSecretScan(params.options?.secretPatterns ?? []),
        notebookOutputs: code.notebookOutputs ?? "strip",
        maxFileBytes: MAX_CODE_FILE_BYTES,
        required: licence === undefined ? [] : [{ path: "LICENSE", content: licence }],
      });
    }
    for (const f of codeExport?.findings ?? [])
      emit({ type: "warning", message: `code export: ${f.file}${f.line ? `:${f.line}` : ""}: ${f.message}` });
    const card = await readOptionalText(join(bundle.dir, "README.md"));
    const evalsText =
      (await readOptionalText(join(bundle.dir, "eval-results.json"))) ??
      (await readOptionalText(join(bundle.dir, ".eval_results", "eval-results.json")));
    let evalJson: unknown;
    try {
      evalJson = evalsText ? JSON.parse(evalsText) : undefined;
    } catch {
      emit({
        type: "warning",
        message: "eval-results.json is not valid JSON: the release notes have no evaluation table",
      });
    }
    const summary = params.options?.summary ?? (card ? parseCardSummary(card) : undefined);
    const notes = renderReleaseNotes({
      name: manifest.name,
      version: manifest.version,
      tag: manifest.tag,
      hubUrl,
      hubRepo: manifest.hub.repo,
      repoType,
      contentDigest: manifest.contentDigest,
      ...(summary ? { summary } : {}),
      evals: parseEvalRows(evalJson),
      ...(policy.previous ? { previousVersion: policy.previous } : {}),
      sha256sums: (await readOptionalText(join(bundle.dir, "SHA256SUMS"))) ?? "",
      ...(await readTrustNotes(bundle.dir, manifest.hub.repo)),
    });
    ghPlan = planGitHubRelease({
      bundle,
      remote: ghState,
      apiUrl: params.targets.github!.apiUrl,
      repo: ghRepo,
      tag: manifest.tag,
      prerelease: policy.prerelease,
      latest: policy.latest,
      notes,
      ...(code && codeExport
        ? { code: { remote: code.remote, files: codeExport.files.length, branch: code.branch } }
        : {}),
    });
  }
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
  };
  if (params.dryRun) return result;

  // Nothing goes public that does not match its manifest: a checkpoint file rewritten in place
  // after the build (hard links share the bytes) would otherwise be published under old digests.
  emit({ type: "step", step: "verify", status: "start" });
  const cache = params.cacheDir ? await readHashCache({ dir: params.cacheDir }) : undefined;
  const verifyEmit = throttleProgress(emit);
  const verified = await verifyBundle({
    dir: bundle.dir,
    ...(cache ? { cache } : {}),
    ...(params.signal ? { signal: params.signal } : {}),
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
  if (!verified.ok) {
    const names = [
      ...verified.missing.map((p) => `missing ${p}`),
      ...verified.changed.map((c) => `changed ${c.path}`),
      ...verified.extra.map((p) => `extra ${p}`),
    ];
    throw verifyError(
      "BUNDLE_MISMATCH",
      `${bundle.dir} does not match its manifest, so nothing was published: ${names.join(", ") || "content digest differs"}`,
      {
        hint: "the checkpoint or the bundle changed after the build; build again, then publish",
        location: { file: bundle.dir },
        details: { missing: verified.missing, changed: verified.changed.map((c) => c.path), extra: verified.extra },
      },
    );
  }
  emit({
    type: "step",
    step: "verify",
    status: "done",
    detail: `${verified.cached} of ${verified.checked} files unchanged since the build, ${verified.hashedBytes} bytes read`,
  });

  const stateDir = params.stateDir ?? join(bundle.dir, ".model-release");
  const key = `${manifest.name}@${manifest.tag}`;
  const unlock = await acquirePublishLock(stateDir, key);
  try {
    const journal = await readPublishJournal(
      stateDir,
      key,
      manifest.contentDigest,
      ...(params.runId ? [params.runId] : []),
    );
    // Persist the run id before anything is sent: commits and drafts carry it, so a re-run
    // recognises its own work even when it crashed before recording a step.
    await writePublishJournal(stateDir, journal);
    result.resumed = (Object.keys(journal.steps) as PublishStep[]).filter((s) => journal.steps[s]);
    const done = async (step: PublishStep, facts: Record<string, string | number | boolean> = {}, skipped = false) => {
      journal.steps[step] = { at: new Date().toISOString(), ...facts };
      await writePublishJournal(stateDir, journal);
      emit({ type: "step", step, status: skipped ? "skipped" : "done" });
    };

    if (hub && hubPlan && result.hub)
      result.hub.commit = await runHubSteps(hub, hubPlan, bundle, journal, done, emit, params.takeover ?? false);
    if (gh && ghPlan && result.github)
      await runGitHubSteps(gh, ghPlan, bundle, journal, done, emit, params, codeExport, result.github);
    return result;
  } finally {
    await unlock();
  }
}

type Done = (step: PublishStep, facts?: Record<string, string | number | boolean>, skipped?: boolean) => Promise<void>;

async function runHubSteps(
  hub: HubClient,
  plan: HubPublishPlan,
  bundle: ReleaseBundle,
  journal: PublishJournal,
  done: Done,
  emit: ProgressSink,
  takeover: boolean,
): Promise<string> {
  const { manifest } = bundle;
  let commit = journal.steps["hub-commit"]?.commit as string | undefined;
  if (!plan.commit) {
    // The tag already holds this exact content: the Hub side is complete.
    commit = plan.parentCommit!;
    if (!journal.steps["hub-commit"]) await done("hub-commit", { commit }, true);
    if (!journal.steps["hub-tag"]) await done("hub-tag", { tag: manifest.tag }, true);
    return commit;
  }
  if (!commit) {
    emit({ type: "step", step: "hub-commit", status: "start", detail: `${plan.repo}@${plan.branch}` });
    // Before anything is sent (even the repo creation): the Hub must accept the cards' metadata.
    for (const card of [...plan.commit.add, ...plan.commit.change].filter((f) =>
      /^README(\.[a-z-]+)?\.md$/.test(f.path),
    )) {
      const content = await readFile(join(bundle.dir, card.path), "utf8");
      await assertHubCardValid(hub, { repo: plan.repo, repoType: plan.repoType, path: card.path, content });
    }
    let current = plan;
    if (plan.createRepo) {
      await applyHubCreateRepo(hub, plan);
      // A new repo has an initial commit (and maybe files); re-plan against it.
      const state = await fetchHubState(hub, {
        repo: plan.repo,
        repoType: plan.repoType,
        tag: manifest.tag,
        branch: plan.branch,
      });
      current = planHubPublish({
        bundle,
        remote: state,
        hubUrl: plan.hubUrl,
        repoType: plan.repoType,
        private: plan.private,
        tag: manifest.tag,
        branch: plan.branch,
      });
    }
    const sending = current.commit ? [...current.commit.add, ...current.commit.change] : [];
    emit({ type: "totals", files: sending.length, bytes: sending.reduce((n, f) => n + f.size, 0) });
    commit = current.commit
      ? await applyHubCommit(hub, { plan: current, bundle, runId: journal.runId, takeover, onEvent: emit })
      : current.parentCommit!;
    await done("hub-commit", { commit });
  }
  if (!journal.steps["hub-tag"]) {
    emit({ type: "step", step: "hub-tag", status: "start", detail: manifest.tag });
    await applyHubTag(hub, {
      repo: plan.repo,
      repoType: plan.repoType,
      tag: manifest.tag,
      commit,
      contentDigest: manifest.contentDigest,
    });
    await done("hub-tag", { tag: manifest.tag, commit });
  }
  return commit;
}

async function runGitHubSteps(
  gh: GitHubClient,
  plan: GitHubReleasePlan,
  bundle: ReleaseBundle,
  journal: PublishJournal,
  done: Done,
  emit: ProgressSink,
  params: PublishReleaseParams,
  codeExport: CodeExportPlan | undefined,
  out: NonNullable<PublishResult["github"]>,
): Promise<void> {
  if (plan.release.action === "published") {
    for (const step of ["github-tag", "github-draft", "github-assets", "github-publish"] as const)
      if (!journal.steps[step]) await done(step, {}, true);
    const state = await fetchGitHubState(gh, { repo: plan.repo, tag: plan.tag });
    if (state.release) out.releaseUrl = state.release.htmlUrl;
    return;
  }
  if (!journal.steps["github-tag"]) {
    let sha: string | undefined;
    const code = params.options?.code;
    if (code && codeExport && plan.code) {
      emit({ type: "step", step: "code-push", status: "start", detail: `${codeExport.files.length} files` });
      const pushed = await applyCodePush({
        remote: plan.code.remote,
        branch: code.branch,
        tag: plan.tag,
        export: codeExport,
        message: `Release ${plan.tag}\n\nContent-Digest: ${bundle.manifest.contentDigest}`,
        token: params.targets.github!.token,
        ...(params.gitEnv ? { env: params.gitEnv } : {}),
      });
      sha = pushed.commit;
      emit({ type: "step", step: "code-push", status: pushed.pushed ? "done" : "skipped" });
    }
    emit({ type: "step", step: "github-tag", status: "start", detail: plan.tag });
    const tagged = await applyGitHubTag(gh, { repo: plan.repo, tag: plan.tag, ...(sha ? { sha } : {}) });
    out.codeCommit = tagged;
    await done("github-tag", { commit: tagged });
  }
  emit({ type: "step", step: "github-draft", status: "start" });
  const draft = await applyGitHubDraft(gh, plan, {
    runId: journal.runId,
    ...(params.takeover ? { takeover: true } : {}),
  });
  if (!journal.steps["github-draft"]) await done("github-draft", { releaseId: draft.id });
  else emit({ type: "step", step: "github-draft", status: "done" });
  emit({ type: "step", step: "github-assets", status: "start" });
  const assets = await applyGitHubAssets(gh, {
    plan,
    bundle,
    releaseId: draft.id,
    uploadUrl: draft.uploadUrl,
    onUploaded: (name, size) => emit({ type: "file", path: name, state: "done", bytes: size, size }),
  });
  out.assetsUploaded = assets.uploaded;
  await done("github-assets", { uploaded: assets.uploaded.length, skipped: assets.skipped.length });
  emit({ type: "step", step: "github-publish", status: "start" });
  out.releaseUrl = await applyGitHubPublish(gh, { plan, releaseId: draft.id });
  await done("github-publish", { releaseId: draft.id });
}
