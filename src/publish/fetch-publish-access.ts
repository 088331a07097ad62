import { translateRemoteError } from "./translate-remote-error.js";
import type { GitHubClient } from "./github-publisher.js";
import type { HubClient } from "./hub-publisher.js";

/** What the Hub says about the token: who it is, where it may write. Undefined fields were not asked. */
export interface HubAccess {
  /** False when the Hub refused the token (401). */
  tokenValid: boolean;
  user?: string;
  /** Organizations with the token owner's role in each (`read`, `contributor`, `write`, `admin`). */
  orgs: { name: string; role?: string }[];
  /** The token's own role: `read`, `write` or `fineGrained`. */
  tokenRole?: string;
}

/** What GitHub says about the token and the release's repository. */
export interface GitHubAccess {
  tokenValid: boolean;
  login?: string;
  repoExists: boolean;
  /** `permissions.push` of the repository for this token. */
  canPush?: boolean;
  defaultBranch?: string;
  /** The default branch has a commit (a tag can be put on it without exporting code). */
  hasCommit?: boolean;
  cloneUrl?: string;
}

/**
 * Asks the Hub who the token belongs to (`GET /api/whoami-v2`). Reads only: part of the
 * preflight, before anything is created or uploaded.
 */
export async function fetchHubAccess(hub: HubClient): Promise<HubAccess> {
  const where = { service: "hub" as const, action: "check the token with", target: `${hub.hubUrl}/api/whoami-v2` };
  let res: Response;
  try {
    res = await hub.fetch(`${hub.hubUrl}/api/whoami-v2`, {
      headers: hub.accessToken ? { Authorization: `Bearer ${hub.accessToken}` } : {},
      ...(hub.signal ? { signal: hub.signal } : {}),
    });
  } catch (err) {
    throw translateRemoteError(err, where);
  }
  if (res.status === 401) {
    await res.body?.cancel();
    return { tokenValid: false, orgs: [] };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw translateRemoteError(Object.assign(new Error(`HTTP ${res.status}`), { statusCode: res.status }), where);
  }
  const body = (await res.json()) as {
    name?: string;
    orgs?: { name?: string; roleInOrg?: string }[];
    auth?: { accessToken?: { role?: string } };
  };
  return {
    tokenValid: true,
    ...(body.name ? { user: body.name } : {}),
    orgs: (body.orgs ?? [])
      .filter((o) => typeof o.name === "string")
      .map((o) => ({ name: o.name!, role: o.roleInOrg })),
    ...(body.auth?.accessToken?.role ? { tokenRole: body.auth.accessToken.role } : {}),
  };
}

const statusOf = (err: unknown) => (err as { status?: number }).status;

/**
 * Asks GitHub who the token belongs to (`GET /user`), whether the repository exists and may be
 * pushed to (`GET /repos/{repo}`), and whether its default branch has a commit. Reads only.
 */
export async function fetchGitHubAccess(gh: GitHubClient, repo: string): Promise<GitHubAccess> {
  const [owner, name] = repo.split("/") as [string, string];
  let login: string | undefined;
  try {
    login = (await gh.rest.users.getAuthenticated()).data.login;
  } catch (err) {
    if (statusOf(err) === 401) return { tokenValid: false, repoExists: false };
    // A GitHub App installation token (Actions' GITHUB_TOKEN) cannot read /user: 403, still valid.
    if (statusOf(err) !== 403)
      throw translateRemoteError(err, { service: "github", action: "check the token with", target: "/user" });
  }
  let data: { permissions?: { push?: boolean }; default_branch?: string; clone_url?: string };
  try {
    data = (await gh.rest.repos.get({ owner, repo: name })).data;
  } catch (err) {
    if (statusOf(err) === 404) return { tokenValid: true, ...(login ? { login } : {}), repoExists: false };
    throw translateRemoteError(err, { service: "github", action: "read", target: repo });
  }
  const branch = data.default_branch ?? "main";
  let hasCommit = true;
  try {
    await gh.rest.git.getRef({ owner, repo: name, ref: `heads/${branch}` });
  } catch (err) {
    // 404 on the stand-in and GHE, 409 "Git Repository is empty" on github.com.
    if (statusOf(err) !== 404 && statusOf(err) !== 409)
      throw translateRemoteError(err, { service: "github", action: `read branch ${branch} of`, target: repo });
    hasCommit = false;
  }
  return {
    tokenValid: true,
    ...(login ? { login } : {}),
    repoExists: true,
    // Installation tokens get no `permissions` block: GitHub checks the push itself.
    ...(data.permissions ? { canPush: data.permissions.push === true } : {}),
    defaultBranch: branch,
    hasCommit,
    ...(data.clone_url ? { cloneUrl: data.clone_url } : {}),
  };
}
