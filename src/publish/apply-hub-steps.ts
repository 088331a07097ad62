import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  applyHubCommit,
  applyHubCreateRepo,
  applyHubTag,
  assertHubCardValid,
  fetchHubState,
  type HubClient,
} from "./hub-publisher.js";
import { planHubPublish } from "./plan-hub-publish.js";
import type { ProgressSink } from "./progress.js";
import type { PublishJournal, PublishStep } from "./publish-journal.js";
import type { HubPublishPlan, ReleaseBundle } from "./types.js";

/** Records a finished step in the journal (and emits it). */
export type RecordStep = (
  step: PublishStep,
  facts?: Record<string, string | number | boolean>,
  skipped?: boolean,
) => Promise<void>;

/**
 * The Hub side of a publish: card metadata check, repo creation, the one commit, the tag. Steps
 * the journal records (and the remote confirmed) are skipped. `checkpoint` runs before each step
 * that sends something and throws once the run was interrupted. Returns the tagged commit.
 */
export async function applyHubSteps(params: {
  hub: HubClient;
  plan: HubPublishPlan;
  bundle: ReleaseBundle;
  journal: PublishJournal;
  done: RecordStep;
  emit: ProgressSink;
  takeover: boolean;
  checkpoint: (step: PublishStep) => void;
}): Promise<string> {
  const { hub, plan, bundle, journal, done, emit, takeover, checkpoint } = params;
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
    checkpoint("hub-commit");
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
    checkpoint("hub-tag");
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
