import { type ReleaseError, remoteError } from "../errors.js";
import type { GitHubAccess, HubAccess } from "./fetch-publish-access.js";

/** One check of the preflight: what was checked, whether it passed, and the error to throw when not. */
export interface PreflightCheck {
  target: "hub" | "github";
  check: string;
  status: "ok" | "fail" | "skipped";
  detail: string;
  error?: ReleaseError;
}

/**
 * The checks that need only the tokens and the repository names, not a bundle: each token is
 * valid, may write to the Hub namespace, and the GitHub repository exists (or may be created) and
 * may be pushed to. Part of the publish preflight, and what `release` checks before its build.
 * Pure; a target without `access` (no token, a dry run) is reported as skipped.
 */
export function planAccessChecks(f: {
  hub?: { repo: string; hubUrl: string; access?: HubAccess };
  github?: { repo: string; apiUrl: string; access?: GitHubAccess; create: boolean };
}): PreflightCheck[] {
  const checks: PreflightCheck[] = [];
  const add = (target: PreflightCheck["target"], check: string, error: ReleaseError | undefined, ok: string) =>
    checks.push(preflightCheck(target, check, error, ok));
  const skip = (target: PreflightCheck["target"], check: string, detail: string) =>
    checks.push({ target, check, status: "skipped", detail });

  if (f.hub) {
    const { repo, access } = f.hub;
    const namespace = repo.split("/")[0]!;
    if (!access) {
      skip("hub", "token", "no token given (dry run)");
    } else if (!access.tokenValid) {
      add("hub", "token", hubTokenInvalid(access, f.hub.hubUrl), "");
    } else {
      add("hub", "token", undefined, `valid, user ${access.user ?? "?"}`);
      const org = access.orgs.find((o) => o.name === namespace);
      const mayWrite =
        access.tokenRole !== "read" && (access.user === namespace || (org !== undefined && org.role !== "read"));
      add(
        "hub",
        "write access",
        mayWrite
          ? undefined
          : remoteError(
              "HUB_NO_WRITE_ACCESS",
              access.tokenRole === "read"
                ? `HF_TOKEN is a read token: it cannot publish to ${repo}`
                : `${access.user ?? "the token's user"} cannot write to the ${namespace} namespace of ${repo}${org ? ` (role ${org.role})` : " (not a member)"}`,
              {
                hint: `use a write token of a member of ${namespace} (fine-grained: repo write in ${namespace})`,
                location: { field: "HF_TOKEN" },
              },
            ),
        `${access.tokenRole === "fineGrained" ? "fine-grained token, " : ""}may write to ${namespace}`,
      );
    }
  }

  if (f.github) {
    const { repo, access } = f.github;
    if (!access) {
      skip("github", "token", "no token given (dry run)");
    } else if (!access.tokenValid) {
      add("github", "token", githubTokenInvalid(f.github.apiUrl), "");
    } else {
      add("github", "token", undefined, `valid${access.login ? `, user ${access.login}` : ""}`);
      if (!access.repoExists)
        add(
          "github",
          "repository",
          f.github.create
            ? undefined
            : remoteError(
                "GITHUB_REPO_MISSING",
                `GitHub repository ${repo} does not exist (or the token cannot see it)`,
                {
                  hint: "create it, or set github.create: true in the release config to have it created",
                  location: { field: "github.repo" },
                },
              ),
          `${repo} will be created (github.create)`,
        );
      else {
        add("github", "repository", undefined, `${repo} exists`);
        add(
          "github",
          "write access",
          access.canPush === false
            ? remoteError("GITHUB_NO_WRITE_ACCESS", `GITHUB_TOKEN cannot push to ${repo}`, {
                hint: "give the token contents:write on the repository (in Actions: `permissions: contents: write`)",
                location: { field: "GITHUB_TOKEN" },
              })
            : undefined,
          access.canPush === undefined ? "checked by GitHub at push (installation token)" : "may push",
        );
      }
    }
  }
  return checks;
}

/** The Hub refused the token (401). */
export function hubTokenInvalid(_access: HubAccess, hubUrl: string): ReleaseError {
  return remoteError("HUB_TOKEN_INVALID", `the Hub at ${hubUrl} refused HF_TOKEN (HTTP 401)`, {
    hint: "set HF_TOKEN to a valid token for this endpoint (a rehearsal token does not work on huggingface.co)",
    location: { field: "HF_TOKEN" },
  });
}

/** GitHub refused the token (401). */
export function githubTokenInvalid(apiUrl: string): ReleaseError {
  return remoteError("GITHUB_TOKEN_INVALID", `GitHub at ${apiUrl} refused GITHUB_TOKEN (HTTP 401)`, {
    hint: "set GITHUB_TOKEN to a valid token with contents:write on the repository",
    location: { field: "GITHUB_TOKEN" },
  });
}

/** A failed check when `error` is set (its message is the detail), else a passed one saying `ok`. */
export function preflightCheck(
  target: PreflightCheck["target"],
  check: string,
  error: ReleaseError | undefined,
  ok: string,
): PreflightCheck {
  return error
    ? { target, check, status: "fail", detail: error.message, error }
    : { target, check, status: "ok", detail: ok };
}
