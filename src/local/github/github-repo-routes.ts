import {
  HttpError,
  notFound,
  optionalBoolean,
  optionalString,
  paginate,
  readJsonBody,
  requiredString,
  sendJson,
  validationFailed,
} from "./github-http.js";
import { type GitTreeEntry, listGitRefs, listGitTree, readGitBlob, resolveGitCommit } from "./git-bare-repo.js";
import { renderPrivateUser } from "./render-github-objects.js";

import {
  API_PREFIX,
  LOGIN_RE,
  REPO_NAME_RE,
  repoPath,
  route,
  seg,
  type Ctx,
  type GitHubContext,
  type Route,
} from "./github-context.js";

/** Routes: the authenticated user, repository creation and lookup, tags, contents, rate limit. */
export function githubRepoRoutes(g: GitHubContext): Route[] {
  const { urls, state, account, findRepo, createRepo, requireUser, readableRepo, fullName, renderRepo, gitDirOf, iso } =
    g;
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
      autoInitBy: optionalBoolean(body, "Repository", "auto_init") ? requireUser(ctx.auth).login : undefined,
    });
    sendJson(ctx.res, 201, await renderRepo(ctx, repo), { location: `${urls.api}/repos/${fullName(repo)}` });
  }

  return [
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
    route("GET", `${repoPath}/tags`, "repos/list-tags", async (ctx) => {
      const repo = readableRepo(ctx);
      const dir = gitDirOf(repo);
      const tags = [];
      // Newest first by tag name descending is close enough to GitHub's order for a handful of tags.
      for (const e of (await listGitRefs(dir, "tags/")).reverse()) {
        const sha = await resolveGitCommit(dir, e.ref);
        if (!sha) continue;
        const name = e.ref.slice("refs/tags/".length);
        tags.push({
          name,
          commit: { sha, url: `${urls.api}/repos/${fullName(repo)}/commits/${sha}` },
          zipball_url: `${urls.api}/repos/${fullName(repo)}/zipball/refs/tags/${name}`,
          tarball_url: `${urls.api}/repos/${fullName(repo)}/tarball/refs/tags/${name}`,
          node_id: Buffer.from(`Tag:${repo.id}:${name}`).toString("base64"),
        });
      }
      const { page, headers } = paginate(tags, ctx.url);
      sendJson(ctx.res, 200, page, headers);
    }),
    route("GET", `${repoPath}/contents(?:/(.*))?`, "repos/get-content", async (ctx) => {
      const repo = readableRepo(ctx);
      const dir = gitDirOf(repo);
      const path = (ctx.params[2] ?? "").replace(/\/+$/, "");
      const ref = ctx.url.searchParams.get("ref") ?? repo.default_branch;
      const commit = await resolveGitCommit(dir, ref);
      if (!commit) throw new HttpError(404, `No commit found for the ref ${ref}`);
      const render = (e: GitTreeEntry) => {
        const name = e.path.split("/").at(-1)!;
        const self = `${urls.api}/repos/${fullName(repo)}/contents/${e.path}?ref=${encodeURIComponent(ref)}`;
        const git = `${urls.api}/repos/${fullName(repo)}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`;
        const html = `${urls.web}/${fullName(repo)}/${e.type === "tree" ? "tree" : "blob"}/${ref}/${e.path}`;
        return {
          type: e.type === "tree" ? "dir" : e.type === "commit" ? "submodule" : "file",
          size: e.size,
          name,
          path: e.path,
          sha: e.sha,
          url: self,
          git_url: git,
          html_url: html,
          download_url: e.type === "blob" ? `${urls.web}/${fullName(repo)}/raw/${ref}/${e.path}` : null,
          _links: { self, git, html },
        };
      };
      const entries = await listGitTree(dir, commit, path);
      if (!entries || entries.length === 0) throw notFound();
      const exact = entries.length === 1 && entries[0]!.path === path ? entries[0]! : undefined;
      if (exact?.type === "blob") {
        const bytes = (await readGitBlob(dir, exact.sha)) ?? Buffer.alloc(0);
        // GitHub wraps base64 at 60 columns with newlines.
        const content = (bytes.toString("base64").match(/.{1,60}/g) ?? []).join("\n");
        sendJson(ctx.res, 200, { ...render(exact), content: `${content}\n`, encoding: "base64" });
        return;
      }
      const children = exact ? await listGitTree(dir, commit, `${path}/`) : entries;
      sendJson(ctx.res, 200, (children ?? []).map(render));
    }),
    route("GET", `^${API_PREFIX}/rate_limit`, "rate-limit/get", async (ctx) => {
      // The stand-in does not limit: every bucket is full, resetting in an hour.
      const reset = Math.floor(Date.parse(iso()) / 1000) + 3600;
      const bucket = (limit: number) => ({ limit, used: 0, remaining: limit, reset });
      const core = bucket(ctx.auth.kind === "user" ? 5000 : 60);
      sendJson(ctx.res, 200, {
        resources: { core, search: bucket(30), graphql: bucket(5000), integration_manifest: bucket(5000) },
        rate: core,
      });
    }),
  ];
}
