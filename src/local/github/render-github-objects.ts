import type { AccountRecord, AssetRecord, ReleaseRecord, RepoRecord } from "./github-store.js";
import type { GitCommitObject, GitRefEntry, GitTagObject } from "./git-bare-repo.js";

/**
 * Pure renderers from stored records to the JSON GitHub's REST API returns. Field sets follow the
 * schemas in `@octokit/openapi` (`simple-user`, `private-user`, `full-repository`, `release`,
 * `release-asset`, `git-ref`, `git-tag`); the integration tests validate every response against
 * them.
 */

export interface GitHubUrls {
  /** REST API base, `http://127.0.0.1:PORT/api/v3` (GitHub Enterprise layout). */
  api: string;
  /** Upload base, `http://127.0.0.1:PORT/api/uploads`. */
  uploads: string;
  /** Web base for html_url, downloads and git over HTTP, `http://127.0.0.1:PORT`. */
  web: string;
}

/** GitHub's error bodies link here. */
export const DOCUMENTATION_URL = "https://docs.github.com/rest";

const nodeId = (prefix: string, id: number) => Buffer.from(`${prefix}:${id}`).toString("base64");

export function renderSimpleUser(urls: GitHubUrls, a: AccountRecord) {
  const u = `${urls.api}/users/${a.login}`;
  return {
    login: a.login,
    id: a.id,
    node_id: nodeId(a.type === "User" ? "04:User" : "012:Organization", a.id),
    avatar_url: `${urls.web}/avatars/${a.login}`,
    gravatar_id: "",
    url: u,
    html_url: `${urls.web}/${a.login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: a.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** `GET /user`: the authenticated user's private view. */
export function renderPrivateUser(
  urls: GitHubUrls,
  a: AccountRecord,
  counts: { publicRepos: number; privateRepos: number },
) {
  return {
    ...renderSimpleUser(urls, a),
    user_view_type: "private",
    name: a.login,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: counts.publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: a.created_at,
    updated_at: a.created_at,
    private_gists: 0,
    total_private_repos: counts.privateRepos,
    owned_private_repos: counts.privateRepos,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: false,
  };
}

export function renderFullRepository(
  urls: GitHubUrls,
  r: RepoRecord,
  owner: AccountRecord,
  extra: { pushedAt: string; canPush: boolean; isAdmin: boolean },
) {
  const full = `${r.owner}/${r.name}`;
  const u = `${urls.api}/repos/${full}`;
  return {
    id: r.id,
    node_id: nodeId("010:Repository", r.id),
    name: r.name,
    full_name: full,
    private: r.private,
    owner: renderSimpleUser(urls, owner),
    html_url: `${urls.web}/${full}`,
    description: r.description,
    fork: false,
    url: u,
    archive_url: `${u}/{archive_format}{/ref}`,
    assignees_url: `${u}/assignees{/user}`,
    blobs_url: `${u}/git/blobs{/sha}`,
    branches_url: `${u}/branches{/branch}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    comments_url: `${u}/comments{/number}`,
    commits_url: `${u}/commits{/sha}`,
    compare_url: `${u}/compare/{base}...{head}`,
    contents_url: `${u}/contents/{+path}`,
    contributors_url: `${u}/contributors`,
    deployments_url: `${u}/deployments`,
    downloads_url: `${u}/downloads`,
    events_url: `${u}/events`,
    forks_url: `${u}/forks`,
    git_commits_url: `${u}/git/commits{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    // Git over HTTP is served by the stand-in itself (git http-backend); see start-github-server.
    git_url: `${urls.web}/${full}.git`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    issue_events_url: `${u}/issues/events{/number}`,
    issues_url: `${u}/issues{/number}`,
    keys_url: `${u}/keys{/key_id}`,
    labels_url: `${u}/labels{/name}`,
    languages_url: `${u}/languages`,
    merges_url: `${u}/merges`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    pulls_url: `${u}/pulls{/number}`,
    releases_url: `${u}/releases{/id}`,
    ssh_url: `${urls.web}/${full}.git`,
    stargazers_url: `${u}/stargazers`,
    statuses_url: `${u}/statuses/{sha}`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    tags_url: `${u}/tags`,
    teams_url: `${u}/teams`,
    trees_url: `${u}/git/trees{/sha}`,
    clone_url: `${urls.web}/${full}.git`,
    mirror_url: null,
    hooks_url: `${u}/hooks`,
    svn_url: `${urls.web}/${full}`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: r.default_branch,
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? "private" : "public",
    pushed_at: extra.pushedAt,
    created_at: r.created_at,
    updated_at: r.updated_at,
    permissions: {
      admin: extra.isAdmin,
      maintain: extra.isAdmin,
      push: extra.canPush,
      triage: extra.canPush,
      pull: true,
    },
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    network_count: 0,
    subscribers_count: 0,
    organization: owner.type === "Organization" ? renderSimpleUser(urls, owner) : undefined,
  };
}

export function renderReleaseAsset(
  urls: GitHubUrls,
  release: ReleaseRecord,
  a: AssetRecord,
  uploader: AccountRecord | undefined,
) {
  return {
    url: `${urls.api}/repos/${release.repo}/releases/assets/${a.id}`,
    id: a.id,
    node_id: nodeId("RA", a.id),
    name: a.name,
    label: a.label,
    uploader: uploader ? renderSimpleUser(urls, uploader) : null,
    content_type: a.content_type,
    state: "uploaded" as const,
    size: a.size,
    digest: a.digest,
    download_count: a.download_count,
    created_at: a.created_at,
    updated_at: a.updated_at,
    browser_download_url: `${urls.web}/${release.repo}/releases/download/${encodeURIComponent(release.tag_name)}/${encodeURIComponent(a.name)}`,
  };
}

export function renderRelease(
  urls: GitHubUrls,
  r: ReleaseRecord,
  author: AccountRecord,
  assets: { asset: AssetRecord; uploader: AccountRecord | undefined }[],
) {
  const u = `${urls.api}/repos/${r.repo}/releases/${r.id}`;
  return {
    url: u,
    assets_url: `${u}/assets`,
    // octokit's uploadReleaseAsset accepts this URI template as `url`, like on github.com.
    upload_url: `${urls.uploads}/repos/${r.repo}/releases/${r.id}/assets{?name,label}`,
    html_url: `${urls.web}/${r.repo}/releases/tag/${encodeURIComponent(r.tag_name)}`,
    id: r.id,
    author: renderSimpleUser(urls, author),
    node_id: nodeId("RE", r.id),
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    draft: r.draft,
    immutable: false,
    prerelease: r.prerelease,
    created_at: r.created_at,
    updated_at: r.updated_at,
    published_at: r.published_at,
    assets: assets.map(({ asset, uploader }) => renderReleaseAsset(urls, r, asset, uploader)),
    // Drafts have no tag yet, so GitHub gives them no archive links.
    tarball_url: r.draft ? null : `${urls.api}/repos/${r.repo}/tarball/${encodeURIComponent(r.tag_name)}`,
    zipball_url: r.draft ? null : `${urls.api}/repos/${r.repo}/zipball/${encodeURIComponent(r.tag_name)}`,
    body: r.body,
  };
}

export function renderGitRef(urls: GitHubUrls, repo: string, e: GitRefEntry) {
  const objectUrl =
    e.type === "tag"
      ? `${urls.api}/repos/${repo}/git/tags/${e.sha}`
      : `${urls.api}/repos/${repo}/git/${e.type}s/${e.sha}`;
  return {
    ref: e.ref,
    node_id: nodeId("REF", hashCode(`${repo}:${e.ref}`)),
    url: `${urls.api}/repos/${repo}/git/${e.ref}`,
    object: { type: e.type, sha: e.sha, url: objectUrl },
  };
}

export function renderGitTag(urls: GitHubUrls, repo: string, t: GitTagObject) {
  return {
    node_id: nodeId("TAG", hashCode(t.sha)),
    sha: t.sha,
    url: `${urls.api}/repos/${repo}/git/tags/${t.sha}`,
    tag: t.tag,
    message: t.message,
    tagger: t.tagger,
    object: {
      sha: t.object.sha,
      type: t.object.type,
      url: `${urls.api}/repos/${repo}/git/${t.object.type}s/${t.object.sha}`,
    },
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

export function renderGitCommit(urls: GitHubUrls, repo: string, c: GitCommitObject) {
  const api = `${urls.api}/repos/${repo}/git`;
  return {
    sha: c.sha,
    node_id: nodeId("C", hashCode(c.sha)),
    url: `${api}/commits/${c.sha}`,
    html_url: `${urls.web}/${repo}/commit/${c.sha}`,
    author: c.author,
    committer: c.committer,
    tree: { sha: c.tree, url: `${api}/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/commits/${p}`,
      html_url: `${urls.web}/${repo}/commit/${p}`,
    })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) >>> 0;
  return h;
}
