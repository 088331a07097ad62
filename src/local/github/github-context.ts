import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { createFaultInjector, type FaultInjector, type FaultRule } from "../faults.js";
import {
  createGitRef,
  initBareRepo,
  listGitRefs,
  resolveGitCommit,
  runGit,
  writeInitialCommit,
} from "./git-bare-repo.js";
import { HttpError, notFound, optionalString, validationFailed } from "./github-http.js";
import {
  generateGitHubToken,
  openGitHubStore,
  type AccountRecord,
  type ReleaseRecord,
  type RepoRecord,
} from "./github-store.js";
import { renderFullRepository, renderRelease, type GitHubUrls } from "./render-github-objects.js";

/** GitHub refuses release assets of 2 GiB or more. */
export const MAX_RELEASE_ASSET_BYTES = 2 * 1024 * 1024 * 1024;

/** Where the REST API and the upload endpoint live on the server (GitHub Enterprise layout). */
export const API_PREFIX = "/api/v3";
export const UPLOADS_PREFIX = "/api/uploads";

/** GitHub's login rule: alphanumerics and single hyphens, at most 39 characters. */
export const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** GitHub's repository name rule: at most 100 of `[A-Za-z0-9._-]`, not `.` or `..`. */
export const REPO_NAME_RE = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;

export interface GitHubServerHandle {
  /** REST API base URL: give it to octokit as `baseUrl` (and to the CLI as `GITHUB_API_URL`). */
  url: string;
  /** Upload base URL: `uploadReleaseAsset({ baseUrl: uploadsUrl, ... })`, or use a release's `upload_url`. */
  uploadsUrl: string;
  /** Web base URL: html_url, browser downloads and git over HTTP (`<webUrl>/<owner>/<repo>.git`). */
  webUrl: string;
  port: number;
  faults: FaultInjector;
  /** Creates a user or organization (no-op when it exists). Organizations list members who may write. */
  createAccount(params: { login: string; type?: "User" | "Organization"; members?: string[] }): AccountRecord;
  /** Returns the persisted token of `login` (a user, created if needed), creating one on first use. */
  ensureToken(login: string): string;
  /** Creates a repository with an empty bare git repo (no-op when it exists); the owner is created as an organization if unknown. */
  createRepo(params: {
    owner: string;
    name: string;
    private?: boolean;
    description?: string;
    members?: string[];
    /** GitHub's `auto_init`: an initial commit with a README.md, authored by this login. */
    autoInitBy?: string;
  }): Promise<RepoRecord>;
  /** Filesystem path of the bare repository (a `git push` target too). */
  gitDir(owner: string, repo: string): string;
  /** HTTP clone URL; with a token, one git can push to (`http://x-access-token:TOKEN@host/owner/repo.git`). */
  cloneUrl(owner: string, repo: string, token?: string): string;
  close(): Promise<void>;
}

export interface StartGitHubServerParams {
  /** Everything lives here: state.json, assets/, git/, tmp/. */
  dataDir: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  faults?: FaultRule[];
  /** Release asset size cap; GitHub's is 2 GiB. */
  maxAssetBytes?: number;
  /** Clock, for reproducible timestamps. */
  now?: () => Date;
}

export type Auth = { kind: "anonymous" } | { kind: "user"; account: AccountRecord };

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  auth: Auth;
}

export interface Route {
  method: string;
  re: RegExp;
  operationId: string;
  handle(ctx: Ctx): Promise<void>;
}

/** The operationIds (from GitHub's OpenAPI description) this stand-in serves. */
export const GITHUB_OPERATIONS = [
  "users/get-authenticated",
  "repos/create-for-authenticated-user",
  "repos/create-in-org",
  "repos/get",
  "git/get-ref",
  "git/list-matching-refs",
  "git/create-ref",
  "git/update-ref",
  "git/delete-ref",
  "git/create-tag",
  "git/get-tag",
  "git/get-commit",
  "repos/list-releases",
  "repos/create-release",
  "repos/get-latest-release",
  "repos/get-release-by-tag",
  "repos/get-release",
  "repos/update-release",
  "repos/delete-release",
  "repos/list-release-assets",
  "repos/upload-release-asset",
  "repos/get-release-asset",
  "repos/delete-release-asset",
  "repos/list-tags",
  "repos/get-content",
  "rate-limit/get",
] as const;

export const seg = "([^/]+)";
export const repoPath = `^${API_PREFIX}/repos/${seg}/${seg}`;
/** A route of the REST API: method, path pattern (anchored, optional trailing slash) and its operationId. */
export const route = (
  method: string,
  re: string,
  operationId: (typeof GITHUB_OPERATIONS)[number],
  handle: (ctx: Ctx) => Promise<void>,
): Route => ({
  method,
  re: new RegExp(`${re}/?$`),
  operationId,
  handle,
});

export type GitHubContext = ReturnType<typeof createGitHubContext>;

/**
 * The GitHub stand-in's state and the helpers every route file shares: accounts, permissions,
 * repositories, releases and their rendering. One per server.
 */
export function createGitHubContext(params: StartGitHubServerParams) {
  const store = openGitHubStore(params.dataDir);
  const faults = createFaultInjector(params.faults ?? []);
  const now = params.now ?? (() => new Date());
  const maxAssetBytes = params.maxAssetBytes ?? MAX_RELEASE_ASSET_BYTES;
  const iso = () =>
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  const urls: GitHubUrls = { api: "", uploads: "", web: "" };
  const state = store.state;

  // ---- accounts and permissions ----
  const createAccount: GitHubServerHandle["createAccount"] = ({ login, type = "User", members = [] }) => {
    if (!LOGIN_RE.test(login)) throw new Error(`invalid GitHub login ${JSON.stringify(login)}`);
    const existing = state.accounts[login.toLowerCase()];
    if (existing) {
      for (const m of members) if (!existing.members.includes(m)) existing.members.push(m);
      store.save();
      return existing;
    }
    const account: AccountRecord = { id: store.nextId(), login, type, members, created_at: iso() };
    state.accounts[login.toLowerCase()] = account;
    store.save();
    return account;
  };
  const account = (login: string) => state.accounts[login.toLowerCase()];
  const repoKey = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();
  const findRepo = (owner: string, name: string) => state.repos[repoKey(owner, name)];
  const canPush = (auth: Auth, repo: RepoRecord) => {
    if (auth.kind !== "user") return false;
    const owner = account(repo.owner);
    const login = auth.account.login.toLowerCase();
    return repo.owner.toLowerCase() === login || (owner?.members ?? []).some((m) => m.toLowerCase() === login);
  };
  const canRead = (auth: Auth, repo: RepoRecord) => !repo.private || canPush(auth, repo);

  const createRepo: GitHubServerHandle["createRepo"] = async ({
    owner,
    name,
    private: isPrivate = false,
    description,
    members,
    autoInitBy,
  }) => {
    if (!REPO_NAME_RE.test(name))
      throw validationFailed("Repository", "name", "invalid", `invalid repository name ${JSON.stringify(name)}`);
    if (!account(owner)) createAccount({ login: owner, type: "Organization", members: members ?? [] });
    else if (members) createAccount({ login: owner, members });
    const ownerLogin = account(owner)!.login;
    const existing = findRepo(ownerLogin, name);
    if (existing) return existing;
    await initBareRepo(store.gitDir(ownerLogin, name));
    const raced = findRepo(ownerLogin, name);
    if (raced) return raced;
    const author = autoInitBy ? account(autoInitBy) : undefined;
    if (author) {
      await writeInitialCommit(store.gitDir(ownerLogin, name), {
        name,
        description: description ?? null,
        author: { name: author.login, email: `${author.id}+${author.login}@users.noreply.github.com` },
        date: now(),
      });
    }
    const t = iso();
    const repo: RepoRecord = {
      id: store.nextId(),
      owner: ownerLogin,
      name,
      private: isPrivate,
      description: description ?? null,
      default_branch: "main",
      created_at: t,
      updated_at: t,
    };
    state.repos[repoKey(ownerLogin, name)] = repo;
    store.save();
    return repo;
  };

  const ensureToken = (login: string) => {
    if (!account(login)) createAccount({ login, type: "User" });
    const found = Object.entries(state.tokens).find(([, l]) => l.toLowerCase() === login.toLowerCase());
    if (found) return found[0];
    const token = generateGitHubToken();
    state.tokens[token] = account(login)!.login;
    store.save();
    return token;
  };

  // ---- request helpers ----
  const authenticate = (req: IncomingMessage): Auth => {
    const header = req.headers.authorization;
    if (!header) return { kind: "anonymous" };
    const [scheme = "", value = ""] = header.split(/\s+/, 2);
    let token: string | undefined;
    if (/^(token|bearer)$/i.test(scheme)) token = value;
    else if (/^basic$/i.test(scheme)) {
      // git sends `x-access-token:TOKEN` (or `user:TOKEN`): the password is the token.
      const decoded = Buffer.from(value, "base64").toString("utf8");
      token = decoded.slice(decoded.indexOf(":") + 1);
    }
    const login = token ? state.tokens[token] : undefined;
    const acct = login ? account(login) : undefined;
    if (!acct) throw new HttpError(401, "Bad credentials");
    return { kind: "user", account: acct };
  };
  const requireUser = (auth: Auth): AccountRecord => {
    if (auth.kind !== "user") throw new HttpError(401, "Requires authentication");
    return auth.account;
  };
  const readableRepo = (ctx: Ctx): RepoRecord => {
    const repo = findRepo(ctx.params[0]!, ctx.params[1]!);
    if (!repo || !canRead(ctx.auth, repo)) throw notFound();
    return repo;
  };
  const writableRepo = (ctx: Ctx): RepoRecord => {
    requireUser(ctx.auth);
    const repo = readableRepo(ctx);
    if (!canPush(ctx.auth, repo)) throw new HttpError(403, "Must have push access to this repository.");
    return repo;
  };
  const fullName = (repo: RepoRecord) => `${repo.owner}/${repo.name}`;
  const gitDirOf = (repo: RepoRecord) => store.gitDir(repo.owner, repo.name);
  const renderRepo = async (ctx: Ctx, repo: RepoRecord) => {
    const pushed = await runGit(gitDirOf(repo), [
      "for-each-ref",
      "--sort=-committerdate",
      "--count=1",
      "--format=%(committerdate:iso-strict)",
    ]);
    const pushedAt = pushed.stdout.trim()
      ? new Date(pushed.stdout.trim()).toISOString().replace(/\.\d{3}Z$/, "Z")
      : repo.created_at;
    const push = canPush(ctx.auth, repo);
    return renderFullRepository(urls, repo, account(repo.owner)!, { pushedAt, canPush: push, isAdmin: push });
  };
  const releasesOf = (repo: RepoRecord) =>
    Object.values(state.releases)
      .filter((r) => r.repo.toLowerCase() === fullName(repo).toLowerCase())
      .sort((a, b) => b.id - a.id);
  const assetsOf = (release: ReleaseRecord) =>
    Object.values(state.assets)
      .filter((a) => a.release_id === release.id)
      .sort((a, b) => a.id - b.id);
  const renderRel = (release: ReleaseRecord) =>
    renderRelease(
      urls,
      release,
      account(release.author)!,
      assetsOf(release).map((asset) => ({ asset, uploader: account(asset.uploader) })),
    );
  /** Drafts are visible only to those who can push, as on GitHub. */
  const visibleRelease = (ctx: Ctx, repo: RepoRecord, release: ReleaseRecord | undefined) =>
    release &&
    release.repo.toLowerCase() === fullName(repo).toLowerCase() &&
    (!release.draft || canPush(ctx.auth, repo))
      ? release
      : undefined;
  const releaseParam = (ctx: Ctx, repo: RepoRecord, i: number) => {
    const release = visibleRelease(ctx, repo, state.releases[ctx.params[i]!]);
    if (!release) throw notFound();
    return release;
  };

  /** Publishing needs the tag: GitHub creates it from target_commitish when it does not exist. */
  const ensureReleaseTag = async (repo: RepoRecord, release: ReleaseRecord) => {
    const dir = gitDirOf(repo);
    const ref = `refs/tags/${release.tag_name}`;
    if ((await listGitRefs(dir, `tags/${release.tag_name}`)).some((e) => e.ref === ref)) return;
    if ((await runGit(dir, ["check-ref-format", ref])).code !== 0)
      throw validationFailed("Release", "tag_name", "invalid");
    const sha = await resolveGitCommit(dir, release.target_commitish);
    if (!sha) {
      const empty = (await listGitRefs(dir, "")).length === 0;
      if (empty) throw new HttpError(422, "Repository is empty.");
      throw validationFailed("Release", "target_commitish", "invalid");
    }
    await createGitRef(dir, ref, sha);
  };
  const assertNoPublishedRelease = (repo: RepoRecord, tag: string, except?: number) => {
    if (releasesOf(repo).some((r) => !r.draft && r.tag_name === tag && r.id !== except)) {
      throw validationFailed("Release", "tag_name", "already_exists");
    }
  };

  /**
   * `make_latest`: "true" (the default) and "legacy" make a published, non-prerelease release the
   * latest; "false" leaves the current latest alone (a backport of an older version).
   */
  const applyMakeLatest = (release: ReleaseRecord, body: Record<string, unknown>, publishing: boolean) => {
    const v = optionalString(body, "Release", "make_latest");
    if (v !== undefined && !["true", "false", "legacy"].includes(v))
      throw validationFailed("Release", "make_latest", "invalid");
    if (release.draft || release.prerelease) return;
    if (v === "false") return;
    if (publishing || v !== undefined) release.latest_seq = store.nextId();
  };

  /** GitHub renames asset files with special characters: runs of them become `.`, edge dots go. */
  const sanitizeAssetName = (name: string) => name.replace(/[^A-Za-z0-9._+-]+/g, ".").replace(/^\.+|\.+$/g, "");

  const streamAsset = async (ctx: Ctx, assetId: number) => {
    const asset = state.assets[String(assetId)]!;
    const path = store.assetPath(assetId);
    const size = (await stat(path)).size;
    asset.download_count++;
    store.save();
    ctx.res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": String(size),
      "content-disposition": `attachment; filename=${asset.name}`,
    });
    if (ctx.req.method === "HEAD") return void ctx.res.end();
    await pipeline(createReadStream(path), ctx.res);
  };

  return {
    store,
    faults,
    now,
    maxAssetBytes,
    iso,
    urls,
    state,
    createAccount,
    account,
    repoKey,
    findRepo,
    canPush,
    canRead,
    createRepo,
    ensureToken,
    authenticate,
    requireUser,
    readableRepo,
    writableRepo,
    fullName,
    gitDirOf,
    renderRepo,
    releasesOf,
    assetsOf,
    renderRel,
    visibleRelease,
    releaseParam,
    ensureReleaseTag,
    assertNoPublishedRelease,
    applyMakeLatest,
    sanitizeAssetName,
    streamAsset,
  };
}
