import { join } from "node:path";
import { applyHubSteps, type RecordStep } from "./apply-hub-steps.js";
import { assertBundleUnchanged } from "./assert-bundle-unchanged.js";
import { createRetryingFetch } from "./create-retrying-fetch.js";
import { fetchPublishPlan } from "./fetch-publish-plan.js";
import { interruptedError } from "./interrupted-error.js";
import { assertPreflightPassed } from "./plan-publish-preflight.js";
import type { ProgressSink } from "./progress.js";
import {
  acquirePublishLock,
  planConfirmedSteps,
  planJournalKeys,
  readPublishJournal,
  writePublishJournal,
  type PublishStep,
} from "./publish-journal.js";
import type { PublishReleaseParams, PublishResult } from "./publish-release-types.js";
import { readReleaseBundle } from "./read-release-bundle.js";
import { assertConfigMatchesBundle } from "./assert-config-matches-bundle.js";
import { throttleProgress } from "./throttle-progress.js";

export type { PublishReleaseParams, PublishResult } from "./publish-release-types.js";

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
  if (params.config) assertConfigMatchesBundle(manifest, params.config);
  const fetchImpl = createRetryingFetch({
    fetch: params.fetch,
    retries: params.retry?.retries,
    baseDelayMs: params.retry?.baseDelayMs,
    onRetry: (info) => emit({ type: "retry", ...info }),
    signal,
  });
  emit({ type: "step", step: "plan", status: "start" });

  const {
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
  } = await fetchPublishPlan(params, { bundle, fetch: fetchImpl, emit });
  const repoType = manifest.hub.repoType;
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
        await (await import("./apply-github-steps.js")).applyGitHubSteps({
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
