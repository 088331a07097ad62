import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createHash, randomUUID } from "node:crypto";
import { conflictError, inputError } from "../errors.js";
import type { GitHubRemoteState, HubRemoteState } from "./types.js";

/** The steps of a release, in the order they run. Nothing is public before `github-publish`. */
export const PUBLISH_STEPS = [
  "hub-commit",
  "hub-tag",
  "github-tag",
  "github-draft",
  "github-assets",
  "github-publish",
] as const;
export type PublishStep = (typeof PUBLISH_STEPS)[number];

/**
 * What a publish has finished, so a re-run after a crash resumes where it stopped. Keyed by tag
 * and content digest: a journal for other content is ignored, never trusted. Never holds a token.
 */
export interface PublishJournal {
  schema: "model-release/publish-journal@1";
  tag: string;
  contentDigest: string;
  /** Written into the Hub commit message: tells our own commit from a concurrent publisher's. */
  runId: string;
  steps: Partial<Record<PublishStep, { at: string } & Record<string, string | number | boolean>>>;
}

/**
 * The journal's and the lock's keys: the release (`name@tag`) on these endpoints and repos, so a
 * rehearsal against `serve` never makes the real release to huggingface.co skip a step. The
 * journal's key also holds the content digest (another build of the same version has its own
 * journal); the lock's does not (two builds of one version must not publish at once). Pure.
 */
export function planJournalKeys(params: {
  name: string;
  tag: string;
  contentDigest: string;
  hub?: { url: string; repo: string };
  github?: { apiUrl: string; repo: string };
}): { journal: string; lock: string } {
  const where = [
    params.hub ? `hub=${params.hub.url.replace(/\/+$/, "")}/${params.hub.repo}` : "",
    params.github ? `github=${params.github.apiUrl.replace(/\/+$/, "")}/${params.github.repo}` : "",
  ].join("|");
  const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
  const base = `${params.name}@${params.tag}`;
  return { lock: `${base}-${short(where)}`, journal: `${base}-${short(`${where}|${params.contentDigest}`)}` };
}

/**
 * Which finished steps of the journal the remote confirms. The journal is a hint, never the
 * truth: a step is skipped only when the remote holds its result (a fresh server, a deleted
 * repo or draft, or a journal copied from elsewhere makes the step run again). Pure.
 */
export function planConfirmedSteps(
  journal: PublishJournal,
  remote: { tag: string; hub?: HubRemoteState; github?: GitHubRemoteState },
): { confirmed: PublishJournal["steps"]; dropped: PublishStep[] } {
  const { hub, github, tag } = remote;
  const hubTag = hub?.tags.find((t) => t.name === tag);
  const holds: Record<PublishStep, (facts: Record<string, unknown>) => boolean> = {
    "hub-commit": (f) => hub?.exists === true && (f.commit === hub.head || hub.tags.some((t) => t.commit === f.commit)),
    "hub-tag": () => hubTag !== undefined,
    "github-tag": () => github?.tagExists === true,
    "github-draft": () => github?.release !== undefined,
    "github-assets": () => github?.release !== undefined,
    "github-publish": () => github?.release !== undefined && !github.release.draft,
  };
  const confirmed: PublishJournal["steps"] = {};
  const dropped: PublishStep[] = [];
  for (const step of PUBLISH_STEPS) {
    const entry = journal.steps[step];
    if (!entry) continue;
    if (holds[step](entry)) confirmed[step] = entry;
    else dropped.push(step);
  }
  return { confirmed, dropped };
}

/**
 * The journal's file in `stateDir` (a `.model-release/` folder). `key` names the release, e.g.
 * `robot-coder@v1.2.0`, so several releases can share one state folder.
 */
export function journalPath(stateDir: string, key: string): string {
  return join(stateDir, `publish-${key.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
}

/**
 * The journal on disk when it is for the same tag and content, else a fresh one with `runId`
 * (default random; in CI a stable id such as the workflow run, so a re-run of the job on a fresh
 * runner still recognises the commit and draft of its first attempt).
 */
export async function readPublishJournal(
  stateDir: string,
  tag: string,
  contentDigest: string,
  runId: string = randomUUID(),
): Promise<PublishJournal> {
  const path = journalPath(stateDir, tag);
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (text !== undefined) {
    let parsed: PublishJournal;
    try {
      parsed = JSON.parse(text) as PublishJournal;
    } catch {
      throw inputError("BAD_JOURNAL", `publish journal ${path} is not valid JSON`, {
        hint: "delete it to start the publish over; every step checks the remote state, so nothing is duplicated",
        location: { file: path },
      });
    }
    if (
      parsed.schema === "model-release/publish-journal@1" &&
      parsed.tag === tag &&
      parsed.contentDigest === contentDigest
    )
      return parsed;
  }
  return { schema: "model-release/publish-journal@1", tag, contentDigest, runId, steps: {} };
}

/** Writes the journal atomically (temp file, then rename): a crash leaves the old or the new one, never half. */
export async function writePublishJournal(stateDir: string, journal: PublishJournal): Promise<void> {
  const path = journalPath(stateDir, journal.tag);
  await mkdir(stateDir, { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`);
  await rename(tmp, path);
}

/**
 * Takes the per-release publish lock in the state folder (O_EXCL). A lock left by a process that no
 * longer runs (a crash) is taken over; a live one means a concurrent publish of this version.
 */
export async function acquirePublishLock(
  stateDir: string,
  tag: string,
  isAlive: (pid: number) => boolean = pidAlive,
): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const path = journalPath(stateDir, tag).replace(/\.json$/, ".lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, "wx");
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw conflictError("PUBLISH_IN_PROGRESS", `another publish of ${tag} is running (pid ${pid})`, {
          hint: `wait for it to finish; if it is gone, delete ${path}`,
          location: { file: path },
        });
      }
      await rm(path, { force: true });
    }
  }
  throw conflictError("PUBLISH_IN_PROGRESS", `could not take the publish lock for ${tag}`, {
    hint: "another publish is starting; run again",
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
