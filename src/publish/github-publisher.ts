import { readFile } from "node:fs/promises";
import { Octokit } from "octokit";
import { conflictError, remoteError } from "../errors.js";
import { translateRemoteError } from "./translate-remote-error.js";
import type { ExistingAsset, GitHubReleasePlan, GitHubRemoteState, ReleaseBundle } from "./types.js";

/** An octokit with retry and throttling, pointed at one API URL, using the injected fetch. */
export type GitHubClient = InstanceType<typeof Octokit>;

/**
 * Builds the GitHub client. Retries (plugin-retry) and GitHub's rate-limit pacing
 * (plugin-throttling: 1 s between writes, waits on primary and secondary limits) are on;
 * `pace: false` turns the pacing off for a loopback stand-in, which has no such limits.
 * 429/5xx with Retry-After and dropped connections are retried by the fetch passed in.
 */
export function createGitHubClient(params: {
  apiUrl: string;
  token: string;
  fetch: typeof fetch;
  pace?: boolean;
  retryBaseMs?: number;
}): GitHubClient {
  const maxRetries = 4;
  return new Octokit({
    ...(params.token ? { auth: params.token } : {}),
    baseUrl: params.apiUrl,
    userAgent: "model-release",
    request: { fetch: params.fetch },
    retry: { retries: 2, retryAfterBaseValue: params.retryBaseMs ?? 1000 },
    throttle: {
      enabled: params.pace ?? true,
      onRateLimit: (_after: number, _opts: unknown, _o: unknown, retryCount: number) => retryCount < maxRetries,
      onSecondaryRateLimit: (_after: number, _opts: unknown, _o: unknown, retryCount: number) =>
        retryCount < maxRetries,
    },
    // octokit logs warnings with the request URL to the console; the CLI renders its own events.
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

const split = (repo: string) => {
  const [owner, name] = repo.split("/") as [string, string];
  return { owner, repo: name };
};

async function call<T>(action: string, target: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateRemoteError(err, { service: "github", action, target });
  }
}

const status = (err: unknown) => (err as { status?: number }).status;

interface ReleaseData {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  html_url: string;
  upload_url: string;
  body?: string | null;
  assets?: { id: number; name: string; size: number; digest?: string | null }[];
}

async function listReleases(gh: GitHubClient, repo: string): Promise<ReleaseData[]> {
  // getReleaseByTag does not see drafts: list instead.
  return (await call("list releases of", repo, () =>
    gh.paginate(gh.rest.repos.listReleases, { ...split(repo), per_page: 100 }),
  )) as ReleaseData[];
}

async function listReleasesForTag(gh: GitHubClient, repo: string, tag: string): Promise<ReleaseData[]> {
  return (await listReleases(gh, repo)).filter((r) => r.tag_name === tag).sort((a, b) => a.id - b.id);
}

/** The repository's HTTPS clone URL as the server states it (github.com, GHE, or a stand-in). */
export async function fetchGitHubCloneUrl(gh: GitHubClient, repo: string): Promise<string> {
  const res = await call("read", repo, () => gh.rest.repos.get(split(repo)));
  return res.data.clone_url;
}

/** The content digest stated in release notes (`Content digest: \`…\``, see renderReleaseNotes). */
const contentDigestOf = (body: string | null | undefined) => /Content digest: `([0-9a-f]{64})`/.exec(body ?? "")?.[1];

/** The tag and the release for it, if any. */
export async function fetchGitHubState(
  gh: GitHubClient,
  params: { repo: string; tag: string },
): Promise<GitHubRemoteState> {
  let tagCommit: string | undefined;
  try {
    const ref = await gh.rest.git.getRef({ ...split(params.repo), ref: `tags/${params.tag}` });
    tagCommit = ref.data.object.sha;
  } catch (err) {
    if (status(err) !== 404)
      throw translateRemoteError(err, { service: "github", action: "read tag of", target: params.repo });
  }
  const all = await listReleases(gh, params.repo);
  const releases = all.filter((r) => r.tag_name === params.tag).sort((a, b) => a.id - b.id);
  const rel = releases.find((r) => !r.draft) ?? releases[0];
  return {
    tagExists: tagCommit !== undefined,
    releaseTags: [...new Set(all.map((r) => r.tag_name))],
    ...(tagCommit ? { tagCommit } : {}),
    ...(rel
      ? {
          release: {
            id: rel.id,
            draft: rel.draft,
            prerelease: rel.prerelease,
            htmlUrl: rel.html_url,
            ...(contentDigestOf(rel.body) ? { contentDigest: contentDigestOf(rel.body)! } : {}),
            assets: (rel.assets ?? []).map(
              (a): ExistingAsset => ({ id: a.id, name: a.name, size: a.size, digest: a.digest ?? null }),
            ),
          },
        }
      : {}),
  };
}

/**
 * Makes sure the version tag exists. With `sha` (the pushed code commit) the tag must point
 * there; without it the tag goes on the default branch head. Tags never move.
 */
export async function applyGitHubTag(
  gh: GitHubClient,
  params: { repo: string; tag: string; sha?: string },
): Promise<string> {
  const r = split(params.repo);
  try {
    const ref = await gh.rest.git.getRef({ ...r, ref: `tags/${params.tag}` });
    if (params.sha && ref.data.object.sha !== params.sha) {
      throw conflictError(
        "TAG_CONFLICT",
        `GitHub tag ${params.tag} on ${params.repo} points at ${ref.data.object.sha.slice(0, 12)}, not the exported code ${params.sha.slice(0, 12)}`,
        {
          hint: "tags never move: publish under a new version",
        },
      );
    }
    return ref.data.object.sha;
  } catch (err) {
    if (status(err) !== 404)
      throw translateRemoteError(err, { service: "github", action: "read tag of", target: params.repo });
  }
  let sha = params.sha;
  if (!sha) {
    const repoInfo = await call("read", params.repo, () => gh.rest.repos.get(r));
    const branch = repoInfo.data.default_branch;
    try {
      const head = await gh.rest.git.getRef({ ...r, ref: `heads/${branch}` });
      sha = head.data.object.sha;
    } catch (err) {
      if (status(err) !== 404)
        throw translateRemoteError(err, { service: "github", action: `read branch ${branch} of`, target: params.repo });
      throw remoteError(
        "GITHUB_NOTHING_TO_TAG",
        `GitHub repository ${params.repo} has no commit on ${branch} to put tag ${params.tag} on`,
        {
          hint: "configure github.code in the release config (and pass --config) so the code is pushed with the tag, or push a commit first",
        },
      );
    }
  }
  try {
    await gh.rest.git.createRef({ ...r, ref: `refs/tags/${params.tag}`, sha });
  } catch (err) {
    // 422 "Reference already exists": a concurrent or earlier run made it; accept only the same commit.
    if (status(err) !== 422)
      throw translateRemoteError(err, {
        service: "github",
        action: `create tag ${params.tag} on`,
        target: params.repo,
      });
    const ref = await call("read tag of", params.repo, () => gh.rest.git.getRef({ ...r, ref: `tags/${params.tag}` }));
    if (ref.data.object.sha !== sha)
      throw conflictError(
        "TAG_CONFLICT",
        `GitHub tag ${params.tag} on ${params.repo} was created concurrently at another commit`,
        { hint: "tags never move: publish under a new version" },
      );
  }
  return sha;
}

/** Hidden in the release notes: tells this run's draft from a concurrent publisher's. */
export const runMarker = (runId: string) => `<!-- model-release-run: ${runId} -->`;

/**
 * Creates the draft release or reuses this run's draft (updating its notes). A draft for the tag
 * made by another run means a concurrent publish: CONCURRENT_PUBLISH unless `takeover` (the other
 * run died). After creating, releases for the tag are listed again: when two publishes raced, the
 * lowest id wins and the loser deletes its draft and fails, so exactly one release remains.
 */
export async function applyGitHubDraft(
  gh: GitHubClient,
  plan: GitHubReleasePlan,
  params: { runId: string; takeover?: boolean },
): Promise<{ id: number; uploadUrl: string; htmlUrl: string }> {
  const r = split(plan.repo);
  const marker = runMarker(params.runId);
  const fields = { name: plan.name, body: `${plan.notes}\n${marker}\n`, prerelease: plan.prerelease };
  const existing = await listReleasesForTag(gh, plan.repo, plan.tag);
  const draft = existing.find((d) => d.draft);
  if (existing.some((d) => !d.draft)) {
    throw conflictError("CONCURRENT_PUBLISH", `the GitHub release ${plan.tag} was published while this publish ran`, {
      hint: "run again: a release with the same content counts as done",
    });
  }
  if (draft) {
    if (!(draft.body ?? "").includes(marker) && !params.takeover) {
      throw conflictError(
        "CONCURRENT_PUBLISH",
        `another publish of ${plan.tag} is preparing its GitHub release (draft ${draft.id})`,
        {
          hint: "let that publish finish; if it died, run again with --takeover to complete its draft",
        },
      );
    }
    const res = await call("update draft release of", plan.repo, () =>
      gh.rest.repos.updateRelease({ ...r, release_id: draft.id, ...fields }),
    );
    return { id: res.data.id, uploadUrl: res.data.upload_url, htmlUrl: res.data.html_url };
  }
  const created = await call("create draft release on", plan.repo, () =>
    gh.rest.repos.createRelease({ ...r, tag_name: plan.tag, draft: true, ...fields }),
  );
  const all = await listReleasesForTag(gh, plan.repo, plan.tag);
  const winner = all[0];
  if (winner && winner.id !== created.data.id) {
    await call("delete duplicate draft on", plan.repo, () =>
      gh.rest.repos.deleteRelease({ ...r, release_id: created.data.id }),
    );
    throw conflictError(
      "CONCURRENT_PUBLISH",
      `another publish of ${plan.tag} created its GitHub release first (release ${winner.id})`,
      {
        hint: "let that publish finish; run again afterwards to check it (identical content counts as done)",
      },
    );
  }
  return { id: created.data.id, uploadUrl: created.data.upload_url, htmlUrl: created.data.html_url };
}

/** Uploads the planned assets to the draft, replacing differing ones; identical ones are skipped. */
export async function applyGitHubAssets(
  gh: GitHubClient,
  params: {
    plan: GitHubReleasePlan;
    bundle: ReleaseBundle;
    releaseId: number;
    uploadUrl: string;
    onUploaded?: (name: string, size: number) => void;
  },
): Promise<{ uploaded: string[]; skipped: string[] }> {
  const r = split(params.plan.repo);
  const current = await call("list assets of", params.plan.repo, () =>
    gh.paginate(gh.rest.repos.listReleaseAssets, { ...r, release_id: params.releaseId, per_page: 100 }),
  );
  const byPath = new Map(params.bundle.files.map((f) => [f.path, f]));
  const uploaded: string[] = [];
  const skipped: string[] = [];
  for (const asset of params.plan.assets) {
    const there = (current as { id: number; name: string; size: number; digest?: string | null }[]).find(
      (a) => a.name === asset.name,
    );
    if (there && there.size === asset.size && (there.digest == null || there.digest === `sha256:${asset.sha256}`)) {
      skipped.push(asset.name);
      continue;
    }
    if (there)
      await call(`delete asset ${asset.name} of`, params.plan.repo, () =>
        gh.rest.repos.deleteReleaseAsset({ ...r, asset_id: there.id }),
      );
    const data = await readFile(byPath.get(asset.path)!.absPath);
    await call(`upload asset ${asset.name} to`, params.plan.repo, () =>
      gh.request(`POST ${params.uploadUrl}`, {
        name: asset.name,
        data: data as unknown as string,
        headers: { "content-type": asset.contentType, "content-length": data.length },
      }),
    );
    params.onUploaded?.(asset.name, asset.size);
    uploaded.push(asset.name);
  }
  return { uploaded, skipped };
}

/** Publishes the draft: the one step that makes the GitHub release public. */
export async function applyGitHubPublish(
  gh: GitHubClient,
  params: { plan: GitHubReleasePlan; releaseId: number },
): Promise<string> {
  const res = await call("publish release on", params.plan.repo, () =>
    gh.rest.repos.updateRelease({
      ...split(params.plan.repo),
      release_id: params.releaseId,
      draft: false,
      prerelease: params.plan.prerelease,
      make_latest: params.plan.latest ? "true" : "false",
    }),
  );
  if (res.data.draft)
    throw remoteError("GITHUB_STILL_DRAFT", `GitHub kept release ${params.releaseId} as a draft`, {
      hint: "run again",
    });
  return res.data.html_url;
}

/**
 * Creates the release's repository (the config's `github.create`): in the organization that owns
 * it, or for the token's user. An existing one (422 "name already exists") is fine. Returns its
 * clone URL.
 */
export async function applyGitHubCreateRepo(
  gh: GitHubClient,
  params: { repo: string; login?: string; private: boolean; description?: string },
): Promise<string> {
  const { owner, repo: name } = split(params.repo);
  const fields = { name, private: params.private, ...(params.description ? { description: params.description } : {}) };
  try {
    const res =
      params.login !== undefined && params.login.toLowerCase() === owner.toLowerCase()
        ? await gh.rest.repos.createForAuthenticatedUser(fields)
        : await gh.rest.repos.createInOrg({ org: owner, ...fields });
    return res.data.clone_url;
  } catch (err) {
    if (status(err) !== 422)
      throw translateRemoteError(err, { service: "github", action: "create repository", target: params.repo });
    return fetchGitHubCloneUrl(gh, params.repo);
  }
}
