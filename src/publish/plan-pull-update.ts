import { usageError } from "../errors.js";

/** What `pull` leaves in its folder (`.model-release/pull.json`): which files it downloaded, from where. */
export interface PullRecord {
  schema: "model-release/pull@1";
  hubUrl: string;
  repo: string;
  repoType: string;
  tag: string;
  commit: string;
  /** Folder-relative POSIX paths of the files this tool downloaded. */
  files: string[];
}

/**
 * Decides how `pull` may use its `--to` folder. Empty (or missing): download. Holding an earlier
 * pull of the same repo: update in place, removing the files the new version no longer has.
 * Anything else is refused before a byte is downloaded, and a file the tool did not download is
 * never overwritten. Pure.
 *
 * @throws ReleaseError `PULL_TARGET_NOT_EMPTY` or `PULL_WOULD_OVERWRITE` (usage).
 */
export function planPullUpdate(params: {
  to: string;
  /** Files in the folder now, outside `.model-release/`. */
  local: string[];
  record?: PullRecord;
  repo: string;
  /** Files of the version to pull. */
  remote: string[];
}): { update: boolean; remove: string[] } {
  const { to, local, record, repo } = params;
  if (local.length === 0) return { update: false, remove: [] };
  const listed = (paths: string[]) =>
    `${paths.slice(0, 3).join(", ")}${paths.length > 3 ? `, … (${paths.length})` : ""}`;
  if (!record || record.repo !== repo)
    throw usageError(
      "PULL_TARGET_NOT_EMPTY",
      `${to} is not empty (${listed(local)}) and holds no earlier pull of ${repo}${record ? ` (it holds ${record.repo})` : ""}`,
      { hint: "pull into an empty or new folder (--to <dir>)", location: { file: to, field: "--to" } },
    );
  const ours = new Set(record.files);
  const remote = new Set(params.remote);
  const notOurs = local.filter((p) => !ours.has(p) && remote.has(p));
  if (notOurs.length > 0)
    throw usageError(
      "PULL_WOULD_OVERWRITE",
      `pulling ${repo} into ${to} would overwrite ${listed(notOurs)}, which an earlier pull did not download`,
      { hint: "move those files away, or pull into an empty folder", location: { file: to, field: "--to" } },
    );
  const present = new Set(local);
  return { update: true, remove: record.files.filter((p) => !remote.has(p) && present.has(p)) };
}
