import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTagDate } from "../../src/cli/read-tag-date.js";

const dir = mkdtempSync(path.join(tmpdir(), "tag-date-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readTagDate: the citation year of a CI release", () => {
  it("is the committer date of the tag's commit, in UTC, whatever the clock says", async () => {
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.org",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.org",
      GIT_AUTHOR_DATE: "2025-12-31T23:30:00-05:00",
      GIT_COMMITTER_DATE: "2025-12-31T23:30:00-05:00",
    };
    const git = (...args: string[]) => spawnSync("git", args, { cwd: dir, env, encoding: "utf8" });
    git("init", "-q");
    writeFileSync(path.join(dir, "a"), "a");
    git("add", "a");
    git("commit", "-qm", "a");
    git("tag", "robot-coder-v1.2.0");
    // 23:30 at UTC-5 is 04:30 the next day in UTC.
    expect(await readTagDate({ tag: "robot-coder-v1.2.0", cwd: dir })).toBe("2026-01-01");
    expect(await readTagDate({ tag: "no-such-tag", cwd: dir })).toBeUndefined();
  });
});
