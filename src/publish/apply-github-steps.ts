import type { RecordStep } from "./apply-hub-steps.js";
import { applyCodePush } from "./apply-code-push.js";
import {
  applyGitHubAssets,
  applyGitHubCreateRepo,
  applyGitHubDraft,
  applyGitHubPublish,
  applyGitHubTag,
  fetchGitHubState,
  type GitHubClient,
} from "./github-publisher.js";
import type { CodeExportPlan } from "./plan-code-export.js";
import type { ProgressSink } from "./progress.js";
import type { PublishJournal, PublishStep } from "./publish-journal.js";
import type { GitHubReleasePlan, ReleaseBundle } from "./types.js";

/** What the GitHub steps report back into the publish result. */
export interface GitHubStepsResult {
  releaseUrl?: string;
  codeCommit?: string;
  assetsUploaded?: string[];
}

/**
 * The GitHub side of a publish: (repo creation), code push and tag, draft release, assets, then
 * the one public step. `checkpoint` runs before each step and throws once the run was
 * interrupted, so nothing is made public after Ctrl-C; `signal` also stops the git child.
 */
export async function applyGitHubSteps(params: {
  gh: GitHubClient;
  plan: GitHubReleasePlan;
  bundle: ReleaseBundle;
  journal: PublishJournal;
  done: RecordStep;
  emit: ProgressSink;
  checkpoint: (step: PublishStep | "code-push") => void;
  token: string;
  /** Create the repository first (it is missing and the config allows it). */
  createRepo?: { login?: string; private: boolean };
  code?: { branch: string; export: CodeExportPlan; remote?: string };
  takeover?: boolean;
  gitEnv?: Record<string, string | undefined>;
  signal?: AbortSignal;
}): Promise<GitHubStepsResult> {
  const { gh, plan, bundle, journal, done, emit, checkpoint } = params;
  const out: GitHubStepsResult = {};
  if (plan.release.action === "published") {
    for (const step of ["github-tag", "github-draft", "github-assets", "github-publish"] as const)
      if (!journal.steps[step]) await done(step, {}, true);
    const state = await fetchGitHubState(gh, { repo: plan.repo, tag: plan.tag });
    if (state.release) out.releaseUrl = state.release.htmlUrl;
    return out;
  }
  let cloneUrl = params.code?.remote;
  if (params.createRepo) {
    checkpoint("github-tag");
    emit({ type: "step", step: "github-tag", status: "start", detail: `create ${plan.repo}` });
    const url = await applyGitHubCreateRepo(gh, {
      repo: plan.repo,
      private: params.createRepo.private,
      login: params.createRepo.login,
    });
    cloneUrl ??= url;
  }
  if (!journal.steps["github-tag"]) {
    let sha: string | undefined;
    if (params.code && cloneUrl && plan.code) {
      checkpoint("code-push");
      emit({ type: "step", step: "code-push", status: "start", detail: `${params.code.export.files.length} files` });
      const pushed = await applyCodePush({
        remote: cloneUrl,
        branch: params.code.branch,
        tag: plan.tag,
        export: params.code.export,
        message: `Release ${plan.tag}\n\nContent-Digest: ${bundle.manifest.contentDigest}`,
        token: params.token,
        env: params.gitEnv,
        signal: params.signal,
      });
      sha = pushed.commit;
      emit({ type: "step", step: "code-push", status: pushed.pushed ? "done" : "skipped" });
    }
    checkpoint("github-tag");
    emit({ type: "step", step: "github-tag", status: "start", detail: plan.tag });
    const tagged = await applyGitHubTag(gh, { repo: plan.repo, tag: plan.tag, sha });
    out.codeCommit = tagged;
    await done("github-tag", { commit: tagged });
  }
  checkpoint("github-draft");
  emit({ type: "step", step: "github-draft", status: "start" });
  const draft = await applyGitHubDraft(gh, plan, {
    runId: journal.runId,
    takeover: params.takeover,
  });
  if (!journal.steps["github-draft"]) await done("github-draft", { releaseId: draft.id });
  else emit({ type: "step", step: "github-draft", status: "done" });
  checkpoint("github-assets");
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
  // The one public step on GitHub: never after the signal.
  checkpoint("github-publish");
  emit({ type: "step", step: "github-publish", status: "start" });
  out.releaseUrl = await applyGitHubPublish(gh, { plan, releaseId: draft.id });
  await done("github-publish", { releaseId: draft.id });
  return out;
}
