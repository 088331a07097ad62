import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createFaultInjector, type FaultInjector, type FaultRule } from "../faults.js";
import {
  createGitRef,
  deleteGitRef,
  initBareRepo,
  listGitRefs,
  readGitCommitObject,
  readGitObjectType,
  readGitTagObject,
  resolveGitCommit,
  runGit,
  updateGitRef,
  writeGitTagObject,
} from "./git-bare-repo.js";
import {
  HttpError,
  notFound,
  optionalBoolean,
  optionalString,
  paginate,
  readJsonBody,
  requiredString,
  sendHttpError,
  sendJson,
  sendNoContent,
  validationFailed,
} from "./github-http.js";
import {
  generateGitHubToken,
  openGitHubStore,
  type AccountRecord,
  type ReleaseRecord,
  type RepoRecord,
} from "./github-store.js";
import {
  renderFullRepository,
  renderGitCommit,
  renderGitRef,
  renderGitTag,
  renderPrivateUser,
  renderRelease,
  renderReleaseAsset,
  type GitHubUrls,
} from "./render-github-objects.js";
import { serveGitHttp } from "../serve-git-http.js";

/** GitHub refuses release assets of 2 GiB or more. */
export const MAX_RELEASE_ASSET_BYTES = 2 * 1024 * 1024 * 1024;

/** Where the REST API and the upload endpoint live on the server (GitHub Enterprise layout). */
const API_PREFIX = "/api/v3";
const UPLOADS_PREFIX = "/api/uploads";

/** GitHub's login rule: alphanumerics and single hyphens, at most 39 characters. */
const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** GitHub's repository name rule: at most 100 of `[A-Za-z0-9._-]`, not `.` or `..`. */
const REPO_NAME_RE = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;

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

type Auth = { kind: "anonymous" } | { kind: "user"; account: AccountRecord };

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  auth: Auth;
}

interface Route {
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
] as const;

/**
 * Starts a GitHub-REST-compatible server on loopback for rehearsals and tests: repositories, git
 * refs and annotated tags (backed by real bare git repositories, pushable over HTTP), releases
 * and release assets, and the authenticated user — what octokit needs to publish a release.
 * State persists in `dataDir` across restarts.
 */
export async function startGitHubServer(params: StartGitHubServerParams): Promise<GitHubServerHandle> {
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

  // ---- routes ----
  const seg = "([^/]+)";
  const repoPath = `^${API_PREFIX}/repos/${seg}/${seg}`;
  const route = (
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
  const routes: Route[] = [
    route("GET", `^${API_PREFIX}/user`, "users/get-authenticated", async (ctx) => {
      const me = requireUser(ctx.auth);
      const mine = Object.values(state.repos).filter((r) => r.owner.toLowerCase() === me.login.toLowerCase());
      sendJson(
        ctx.res,
        200,
        renderPrivateUser(urls, me, {
          publicRepos: mine.filter((r) => !r.private).length,
          privateRepos: mine.filter((r) => r.private).length,
        }),
      );
    }),
    route("POST", `^${API_PREFIX}/user/repos`, "repos/create-for-authenticated-user", async (ctx) => {
      const me = requireUser(ctx.auth);
      await createRepoFromBody(ctx, me.login, []);
    }),
    route("POST", `^${API_PREFIX}/orgs/${seg}/repos`, "repos/create-in-org", async (ctx) => {
      const me = requireUser(ctx.auth);
      const org = account(ctx.params[0]!);
      // Stand-in leniency: an unknown organization is created with the caller as its member.
      if (org && org.type !== "Organization") throw notFound();
      if (org && !org.members.some((m) => m.toLowerCase() === me.login.toLowerCase()))
        throw new HttpError(403, "You must be a member of this organization to create repositories.");
      if (!LOGIN_RE.test(ctx.params[0]!)) throw notFound();
      await createRepoFromBody(ctx, ctx.params[0]!, [me.login]);
    }),
    route("GET", repoPath, "repos/get", async (ctx) => {
      sendJson(ctx.res, 200, await renderRepo(ctx, readableRepo(ctx)));
    }),
    route("GET", `${repoPath}/git/ref/(.+)`, "git/get-ref", async (ctx) => {
      const repo = readableRepo(ctx);
      const ref = `refs/${ctx.params[2]!}`;
      const found = (await listGitRefs(gitDirOf(repo), ctx.params[2]!)).find((e) => e.ref === ref);
      if (!found) throw notFound();
      sendJson(ctx.res, 200, renderGitRef(urls, fullName(repo), found));
    }),
    route("GET", `${repoPath}/git/matching-refs(?:/(.*))?`, "git/list-matching-refs", async (ctx) => {
      const repo = readableRepo(ctx);
      const refs = await listGitRefs(gitDirOf(repo), ctx.params[2] ?? "");
      const { page, headers } = paginate(refs, ctx.url);
      sendJson(
        ctx.res,
        200,
        page.map((e) => renderGitRef(urls, fullName(repo), e)),
        headers,
      );
    }),
    route("POST", `${repoPath}/git/refs`, "git/create-ref", async (ctx) => {
      const repo = writableRepo(ctx);
      const body = await readJsonBody(ctx.req);
      const ref = requiredString(body, "Reference", "ref");
      const sha = requiredString(body, "Reference", "sha");
      const dir = gitDirOf(repo);
      if (
        !ref.startsWith("refs/") ||
        ref.split("/").length < 3 ||
        (await runGit(dir, ["check-ref-format", ref])).code !== 0
      ) {
        throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
      }
      if (!(await readGitObjectType(dir, sha))) throw new HttpError(422, "Object does not exist");
      if (!(await createGitRef(dir, ref, sha))) throw new HttpError(422, "Reference already exists");
      const created = (await listGitRefs(dir, ref.slice(5))).find((e) => e.ref === ref)!;
      sendJson(ctx.res, 201, renderGitRef(urls, fullName(repo), created), {
        location: `${urls.api}/repos/${fullName(repo)}/git/${ref}`,
      });
    }),
    route("PATCH", `${repoPath}/git/refs/(.+)`, "git/update-ref", async (ctx) => {
      const repo = writableRepo(ctx);
      const body = await readJsonBody(ctx.req);
      const sha = requiredString(body, "Reference", "sha");
      const force = optionalBoolean(body, "Reference", "force") ?? false;
      const dir = gitDirOf(repo);
      const ref = `refs/${ctx.params[2]!}`;
      if (!(await readGitObjectType(dir, sha))) throw new HttpError(422, "Object does not exist");
      const result = await updateGitRef(dir, ref, sha, force);
      if (result === "missing") throw new HttpError(422, "Reference does not exist");
      if (result === "not-fast-forward") throw new HttpError(422, "Update is not a fast forward");
      const updated = (await listGitRefs(dir, ref.slice(5))).find((e) => e.ref === ref)!;
      sendJson(ctx.res, 200, renderGitRef(urls, fullName(repo), updated));
    }),
    route("DELETE", `${repoPath}/git/refs/(.+)`, "git/delete-ref", async (ctx) => {
      const repo = writableRepo(ctx);
      if (!(await deleteGitRef(gitDirOf(repo), `refs/${ctx.params[2]!}`)))
        throw new HttpError(422, "Reference does not exist");
      sendNoContent(ctx.res);
    }),
    route("POST", `${repoPath}/git/tags`, "git/create-tag", async (ctx) => {
      const repo = writableRepo(ctx);
      const me = requireUser(ctx.auth);
      const body = await readJsonBody(ctx.req);
      const tag = requiredString(body, "Tag", "tag");
      const message = optionalString(body, "Tag", "message") ?? "";
      const objectSha = requiredString(body, "Tag", "object");
      const type = requiredString(body, "Tag", "type");
      if (!["commit", "tree", "blob"].includes(type)) throw validationFailed("Tag", "type", "invalid");
      const dir = gitDirOf(repo);
      if ((await readGitObjectType(dir, objectSha)) !== type) throw new HttpError(422, "Object does not exist");
      const taggerIn = body.tagger as { name?: unknown; email?: unknown; date?: unknown } | undefined;
      const tagger = {
        name: typeof taggerIn?.name === "string" ? taggerIn.name : me.login,
        email: typeof taggerIn?.email === "string" ? taggerIn.email : `${me.id}+${me.login}@users.noreply.github.com`,
        date:
          typeof taggerIn?.date === "string" && !Number.isNaN(Date.parse(taggerIn.date))
            ? new Date(taggerIn.date)
            : now(),
      };
      if (/[<>\n]/.test(tagger.name + tagger.email) || /\s/.test(tag) || tag === "")
        throw validationFailed("Tag", "tag", "invalid");
      let sha: string;
      try {
        sha = await writeGitTagObject(dir, { tag, message, objectSha, objectType: type, tagger });
      } catch {
        throw validationFailed("Tag", "tag", "invalid");
      }
      const written = await readGitTagObject(dir, sha);
      sendJson(ctx.res, 201, renderGitTag(urls, fullName(repo), written!), {
        location: `${urls.api}/repos/${fullName(repo)}/git/tags/${sha}`,
      });
    }),
    route("GET", `${repoPath}/git/tags/${seg}`, "git/get-tag", async (ctx) => {
      const repo = readableRepo(ctx);
      const t = await readGitTagObject(gitDirOf(repo), ctx.params[2]!);
      if (!t) throw notFound();
      sendJson(ctx.res, 200, renderGitTag(urls, fullName(repo), t));
    }),
    route("GET", `${repoPath}/git/commits/${seg}`, "git/get-commit", async (ctx) => {
      const repo = readableRepo(ctx);
      const c = await readGitCommitObject(gitDirOf(repo), ctx.params[2]!);
      if (!c) throw notFound();
      sendJson(ctx.res, 200, renderGitCommit(urls, fullName(repo), c));
    }),
    route("GET", `${repoPath}/releases`, "repos/list-releases", async (ctx) => {
      const repo = readableRepo(ctx);
      const visible = releasesOf(repo).filter((r) => visibleRelease(ctx, repo, r));
      const { page, headers } = paginate(visible, ctx.url);
      sendJson(ctx.res, 200, page.map(renderRel), headers);
    }),
    route("POST", `${repoPath}/releases`, "repos/create-release", async (ctx) => {
      const repo = writableRepo(ctx);
      const me = requireUser(ctx.auth);
      const body = await readJsonBody(ctx.req);
      const t = iso();
      const release: ReleaseRecord = {
        id: 0,
        repo: fullName(repo),
        tag_name: requiredString(body, "Release", "tag_name"),
        target_commitish: optionalString(body, "Release", "target_commitish") ?? repo.default_branch,
        name: optionalString(body, "Release", "name") ?? null,
        body: optionalString(body, "Release", "body") ?? null,
        draft: optionalBoolean(body, "Release", "draft") ?? false,
        prerelease: optionalBoolean(body, "Release", "prerelease") ?? false,
        author: me.login,
        created_at: t,
        published_at: null,
        updated_at: t,
      };
      // Only published releases own their tag: GitHub allows several drafts with one tag_name.
      if (!release.draft) {
        assertNoPublishedRelease(repo, release.tag_name);
        await ensureReleaseTag(repo, release);
        release.published_at = t;
      }
      applyMakeLatest(release, body, !release.draft);
      // Checked again after the awaits above: a concurrent create may have published this tag.
      if (!release.draft) assertNoPublishedRelease(repo, release.tag_name);
      release.id = store.nextId();
      state.releases[String(release.id)] = release;
      store.save();
      sendJson(ctx.res, 201, renderRel(release), {
        location: `${urls.api}/repos/${release.repo}/releases/${release.id}`,
      });
    }),
    route("GET", `${repoPath}/releases/latest`, "repos/get-latest-release", async (ctx) => {
      const repo = readableRepo(ctx);
      const latest = releasesOf(repo)
        .filter((r) => !r.draft && !r.prerelease)
        .sort(
          (a, b) =>
            (b.latest_seq ?? 0) - (a.latest_seq ?? 0) || b.created_at.localeCompare(a.created_at) || b.id - a.id,
        )[0];
      if (!latest) throw notFound();
      sendJson(ctx.res, 200, renderRel(latest));
    }),
    route("GET", `${repoPath}/releases/tags/(.+)`, "repos/get-release-by-tag", async (ctx) => {
      const repo = readableRepo(ctx);
      // As on GitHub, drafts are not found by tag (they have no tag yet): list releases to find them.
      const release = releasesOf(repo).find((r) => !r.draft && r.tag_name === ctx.params[2]);
      if (!release) throw notFound();
      sendJson(ctx.res, 200, renderRel(release));
    }),
    route("GET", `${repoPath}/releases/assets/(\\d+)`, "repos/get-release-asset", async (ctx) => {
      const repo = readableRepo(ctx);
      const asset = state.assets[ctx.params[2]!];
      const release = asset ? visibleRelease(ctx, repo, state.releases[String(asset.release_id)]) : undefined;
      if (!asset || !release) throw notFound();
      if ((ctx.req.headers.accept ?? "").includes("application/octet-stream")) return streamAsset(ctx, asset.id);
      sendJson(ctx.res, 200, renderReleaseAsset(urls, release, asset, account(asset.uploader)));
    }),
    route("DELETE", `${repoPath}/releases/assets/(\\d+)`, "repos/delete-release-asset", async (ctx) => {
      const repo = writableRepo(ctx);
      const asset = state.assets[ctx.params[2]!];
      if (!asset || !visibleRelease(ctx, repo, state.releases[String(asset.release_id)])) throw notFound();
      delete state.assets[String(asset.id)];
      store.save();
      await rm(store.assetPath(asset.id), { force: true });
      sendNoContent(ctx.res);
    }),
    route("GET", `${repoPath}/releases/(\\d+)`, "repos/get-release", async (ctx) => {
      const repo = readableRepo(ctx);
      sendJson(ctx.res, 200, renderRel(releaseParam(ctx, repo, 2)));
    }),
    route("PATCH", `${repoPath}/releases/(\\d+)`, "repos/update-release", async (ctx) => {
      const repo = writableRepo(ctx);
      const release = releaseParam(ctx, repo, 2);
      const body = await readJsonBody(ctx.req);
      const next: ReleaseRecord = {
        ...release,
        tag_name: optionalString(body, "Release", "tag_name") ?? release.tag_name,
        target_commitish: optionalString(body, "Release", "target_commitish") ?? release.target_commitish,
        name: "name" in body ? (optionalString(body, "Release", "name") ?? null) : release.name,
        body: "body" in body ? (optionalString(body, "Release", "body") ?? null) : release.body,
        draft: optionalBoolean(body, "Release", "draft") ?? release.draft,
        prerelease: optionalBoolean(body, "Release", "prerelease") ?? release.prerelease,
        updated_at: iso(),
      };
      if (next.tag_name === "") throw validationFailed("Release", "tag_name", "missing_field");
      if (!next.draft) {
        assertNoPublishedRelease(repo, next.tag_name, next.id);
        await ensureReleaseTag(repo, next);
        if (release.draft) next.published_at = iso();
      } else {
        next.published_at = null;
      }
      applyMakeLatest(next, body, release.draft && !next.draft);
      if (!next.draft) assertNoPublishedRelease(repo, next.tag_name, next.id);
      if (!state.releases[String(next.id)]) throw notFound();
      state.releases[String(next.id)] = next;
      store.save();
      sendJson(ctx.res, 200, renderRel(next));
    }),
    route("DELETE", `${repoPath}/releases/(\\d+)`, "repos/delete-release", async (ctx) => {
      const repo = writableRepo(ctx);
      const release = releaseParam(ctx, repo, 2);
      const assets = assetsOf(release);
      delete state.releases[String(release.id)];
      for (const a of assets) delete state.assets[String(a.id)];
      store.save();
      for (const a of assets) await rm(store.assetPath(a.id), { force: true });
      sendNoContent(ctx.res);
    }),
    route("GET", `${repoPath}/releases/(\\d+)/assets`, "repos/list-release-assets", async (ctx) => {
      const repo = readableRepo(ctx);
      const release = releaseParam(ctx, repo, 2);
      const { page, headers } = paginate(assetsOf(release), ctx.url);
      sendJson(
        ctx.res,
        200,
        page.map((a) => renderReleaseAsset(urls, release, a, account(a.uploader))),
        headers,
      );
    }),
    route(
      "POST",
      `^${UPLOADS_PREFIX}/repos/${seg}/${seg}/releases/(\\d+)/assets`,
      "repos/upload-release-asset",
      async (ctx) => uploadAsset(ctx),
    ),
  ];

  async function createRepoFromBody(ctx: Ctx, owner: string, members: string[]) {
    const body = await readJsonBody(ctx.req);
    const name = requiredString(body, "Repository", "name");
    if (!REPO_NAME_RE.test(name)) throw validationFailed("Repository", "name", "invalid");
    if (findRepo(owner, name))
      throw validationFailed("Repository", "name", "custom", "name already exists on this account");
    const repo = await createRepo({
      owner,
      name,
      private: optionalBoolean(body, "Repository", "private") ?? false,
      description: optionalString(body, "Repository", "description"),
      members,
    });
    sendJson(ctx.res, 201, await renderRepo(ctx, repo), { location: `${urls.api}/repos/${fullName(repo)}` });
  }

  /** `releaseId/name` of uploads in flight. */
  const uploading = new Set<string>();

  async function uploadAsset(ctx: Ctx) {
    // Refusals before the body is read close the connection so the client stops sending.
    const refuse = (err: HttpError) =>
      new HttpError(err.status, err.message, { errors: err.errors, headers: { connection: "close" } });
    const me = requireUser(ctx.auth);
    const repo = writableRepo(ctx);
    const release = releaseParam(ctx, repo, 2);
    const rawName = ctx.url.searchParams.get("name");
    if (!rawName) throw refuse(validationFailed("ReleaseAsset", "name", "missing_field"));
    const name = sanitizeAssetName(rawName);
    if (!name) throw refuse(validationFailed("ReleaseAsset", "name", "invalid"));
    const key = `${release.id}/${name}`;
    if (assetsOf(release).some((a) => a.name === name) || uploading.has(key)) {
      throw refuse(validationFailed("ReleaseAsset", "name", "already_exists"));
    }
    // Reserved before the first await, so of two concurrent uploads of one name exactly one wins.
    uploading.add(key);
    try {
      await receiveAsset(ctx, me, release, name);
    } finally {
      uploading.delete(key);
    }
  }

  async function receiveAsset(ctx: Ctx, me: AccountRecord, release: ReleaseRecord, name: string) {
    const { req } = ctx;
    const refuse = (err: HttpError) =>
      new HttpError(err.status, err.message, { errors: err.errors, headers: { connection: "close" } });
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    const tooLarge = () =>
      validationFailed("ReleaseAsset", "size", "custom", `release assets must be smaller than ${maxAssetBytes} bytes`);
    if (declared > maxAssetBytes) throw refuse(tooLarge());

    const tmp = store.tmpPath();
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > maxAssetBytes) return cb(tooLarge());
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(req, meter, createWriteStream(tmp, { mode: 0o600 }));
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof HttpError) throw refuse(err);
      throw err;
    }
    if (!Number.isNaN(declared) && declared !== size) {
      await rm(tmp, { force: true });
      throw validationFailed(
        "ReleaseAsset",
        "size",
        "custom",
        `received ${size} bytes but Content-Length said ${declared}`,
      );
    }
    // The release may have been deleted while the bytes were arriving.
    if (!state.releases[String(release.id)]) {
      await rm(tmp, { force: true });
      throw notFound();
    }
    const id = store.nextId();
    await rename(tmp, store.assetPath(id));
    const t = iso();
    const contentType = req.headers["content-type"] ?? "application/octet-stream";
    state.assets[String(id)] = {
      id,
      release_id: release.id,
      name,
      label: ctx.url.searchParams.get("label") || null,
      content_type: contentType,
      size,
      digest: `sha256:${hash.digest("hex")}`,
      uploader: me.login,
      download_count: 0,
      created_at: t,
      updated_at: t,
    };
    store.save();
    sendJson(ctx.res, 201, renderReleaseAsset(urls, release, state.assets[String(id)]!, me));
  }

  // ---- web routes: browser downloads and git over HTTP ----
  async function handleWeb(req: IncomingMessage, res: ServerResponse, url: URL, auth: Auth): Promise<boolean> {
    const download = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (download && (req.method === "GET" || req.method === "HEAD")) {
      const [owner, name, tag, file] = download.slice(1).map(decodeURIComponent) as [string, string, string, string];
      const repo = findRepo(owner, name);
      if (!repo || !canRead(auth, repo)) throw notFound();
      const ctx: Ctx = { req, res, url, params: [owner, name], auth };
      const releases = releasesOf(repo).filter((r) => r.tag_name === tag && visibleRelease(ctx, repo, r));
      // A published release wins over drafts with the same tag.
      releases.sort((a, b) => Number(a.draft) - Number(b.draft));
      for (const r of releases) {
        const asset = assetsOf(r).find((a) => a.name === file);
        if (asset) {
          await streamAsset(ctx, asset.id);
          return true;
        }
      }
      throw notFound();
    }
    const git = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (git) {
      const [owner, name] = [decodeURIComponent(git[1]!), decodeURIComponent(git[2]!)];
      const repo = findRepo(owner, name);
      const challenge = { headers: { "www-authenticate": 'Basic realm="GitHub"' } };
      const pushing = url.searchParams.get("service") === "git-receive-pack" || git[3] === "/git-receive-pack";
      if (!repo || !canRead(auth, repo)) {
        if (auth.kind === "anonymous") throw new HttpError(401, "Requires authentication", challenge);
        throw notFound();
      }
      if (pushing && !canPush(auth, repo)) {
        if (auth.kind === "anonymous") throw new HttpError(401, "Requires authentication", challenge);
        throw new HttpError(403, "Must have push access to this repository.");
      }
      await serveGitHttp({
        req,
        res,
        projectRoot: join(store.dataDir, "git"),
        pathInfo: `/${repo.owner}/${repo.name}.git${git[3]}`,
        query: url.search.slice(1),
        remoteUser: auth.kind === "user" ? auth.account.login : undefined,
      });
      return true;
    }
    return false;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (await faults.intercept(req, res)) return;
    const url = new URL(req.url ?? "/", urls.web);
    const auth = authenticate(req);
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    for (const r of routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(url.pathname);
      if (!m) continue;
      let params: string[];
      try {
        params = m.slice(1).map((p) => (p === undefined ? (undefined as unknown as string) : decodeURIComponent(p)));
      } catch {
        throw notFound();
      }
      return r.handle({ req, res, url, params, auth });
    }
    if (await handleWeb(req, res, url, auth)) return;
    throw notFound();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) sendHttpError(res, err);
      else
        sendHttpError(
          res,
          new HttpError(500, `Internal Server Error: ${err instanceof Error ? err.message : String(err)}`),
        );
    });
  });
  const host = params.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(params.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  urls.web = origin;
  urls.api = origin + API_PREFIX;
  urls.uploads = origin + UPLOADS_PREFIX;

  return {
    url: urls.api,
    uploadsUrl: urls.uploads,
    webUrl: urls.web,
    port,
    faults,
    createAccount,
    ensureToken,
    createRepo,
    gitDir: (owner, repo) => store.gitDir(account(owner)?.login ?? owner, findRepo(owner, repo)?.name ?? repo),
    cloneUrl: (owner, repo, token) => {
      const u = new URL(`${urls.web}/${owner}/${repo}.git`);
      if (token) {
        u.username = "x-access-token";
        u.password = token;
      }
      return u.toString();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
