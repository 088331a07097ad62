import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { conflictError, inputError } from "../errors.js";

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
