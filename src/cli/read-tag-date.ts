import { execFile } from "node:child_process";

/**
 * The committer date (`YYYY-MM-DD`, UTC) of the commit a git tag points at, for the card's
 * citation year and `.eval_results` dates in CI: the same tag always gives the same date, so
 * rebuilds stay byte-identical. `undefined` when git or the tag is not available.
 */
export function readTagDate(params: { tag: string; cwd: string }): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      "git",
      ["log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%d", `refs/tags/${params.tag}`, "--"],
      { cwd: params.cwd, env: { ...process.env, TZ: "UTC" }, timeout: 10_000 },
      (err, stdout) => {
        const d = stdout.trim();
        resolve(!err && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : undefined);
      },
    );
  });
}
