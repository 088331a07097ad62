import { renderTag } from "../config/render-tag.js";
import { createRetryingFetch } from "./create-retrying-fetch.js";
import { fetchGitHubAccess, fetchHubAccess } from "./fetch-publish-access.js";
import { createGitHubClient, fetchGitHubState } from "./github-publisher.js";
import { fetchHubRefs, type HubClient } from "./hub-publisher.js";
import { planAccessChecks, type PreflightCheck } from "./plan-access-checks.js";
import type { HubRepoType } from "./types.js";
import { planVersionTag } from "./version-policy.js";

export interface FetchReleaseAccessParams {
  name: string;
  version: string;
  tagFormat: string;
  /** Targets with a token; a target left out (not published to, or no token in a dry run) is not checked. */
  hub?: { url: string; token: string; repo: string; repoType: HubRepoType };
  github?: { apiUrl: string; token: string; repo: string; create: boolean };
  allowOlder?: boolean;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** GitHub rate-limit pacing; off for loopback stand-ins. */
  githubPace?: boolean;
  retry?: { retries?: number; baseDelayMs?: number };
}

/**
 * The remote checks that need no bundle, for `release` to run before its build (which can hash
 * for minutes): who each token is and whether it may write (`GET /api/whoami-v2`, `GET /user`,
 * `GET /repos/{repo}`), then the release tags on both sides (one refs listing on the Hub, the
 * tag and the release list on GitHub) against the version policy. Reads only. Failed access
 * checks are returned, not thrown (the caller asserts them, so one run names every failure); the
 * tags are listed only when every token passed. Throws `VERSION_NOT_NEWER` as publish would.
 * Whether an existing tag holds the same content needs the bundle's digest: publish's own
 * preflight decides that after the build, before anything is sent.
 */
export async function fetchReleaseAccess(params: FetchReleaseAccessParams): Promise<PreflightCheck[]> {
  const fetchImpl = createRetryingFetch({
    fetch: params.fetch,
    retries: params.retry?.retries,
    baseDelayMs: params.retry?.baseDelayMs,
    signal: params.signal,
  });
  const hub: HubClient | undefined = params.hub && {
    hubUrl: params.hub.url,
    accessToken: params.hub.token,
    fetch: fetchImpl,
    signal: params.signal,
  };
  const gh =
    params.github &&
    createGitHubClient({
      apiUrl: params.github.apiUrl,
      token: params.github.token,
      fetch: fetchImpl,
      pace: params.githubPace ?? true,
      retryBaseMs: params.githubPace === false ? 50 : undefined,
    });
  const [hubAccess, ghAccess] = await Promise.all([
    hub ? fetchHubAccess(hub) : undefined,
    gh && params.github ? fetchGitHubAccess(gh, params.github.repo) : undefined,
  ]);
  const checks = planAccessChecks({
    hub: params.hub && { repo: params.hub.repo, hubUrl: params.hub.url, access: hubAccess },
    github: params.github && {
      repo: params.github.repo,
      apiUrl: params.github.apiUrl,
      access: ghAccess,
      create: params.github.create,
    },
  });
  // A refused token would make the listings below fail with a less useful error.
  if (checks.some((c) => c.status === "fail")) return checks;

  const tag = renderTag(params.tagFormat, { name: params.name, version: params.version });
  const hubTags =
    hub && params.hub
      ? ((await fetchHubRefs(hub, params.hub.repo, params.hub.repoType))?.tags.map((t) => t.name) ?? [])
      : [];
  const ghState =
    gh && params.github && ghAccess?.repoExists
      ? await fetchGitHubState(gh, { repo: params.github.repo, tag })
      : undefined;
  // Throws VERSION_NOT_NEWER for a version below the latest release, as the publish would after the build.
  planVersionTag({
    version: params.version,
    name: params.name,
    tagFormat: params.tagFormat,
    existingTags: [...new Set([...hubTags, ...(ghState?.releaseTags ?? [])])],
    allowOlder: params.allowOlder,
  });
  const existing = (here: boolean) =>
    here ? `${tag} exists: its content is compared with the bundle after the build` : `${tag} is free`;
  if (params.hub) checks.push({ target: "hub", check: "tag", status: "ok", detail: existing(hubTags.includes(tag)) });
  if (params.github)
    checks.push({
      target: "github",
      check: "tag",
      status: "ok",
      detail: existing(ghState?.tagExists === true || (ghState?.releaseTags ?? []).includes(tag)),
    });
  return checks;
}
