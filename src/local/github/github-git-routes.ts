import {
  createGitRef,
  deleteGitRef,
  listGitRefs,
  readGitCommitObject,
  readGitObjectType,
  readGitTagObject,
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
  sendJson,
  sendNoContent,
  validationFailed,
} from "./github-http.js";
import { renderGitCommit, renderGitRef, renderGitTag } from "./render-github-objects.js";

import { repoPath, route, seg, type GitHubContext, type Route } from "./github-context.js";

/** Routes of the git database API: refs, annotated tags, commits (backed by the bare repo). */
export function githubGitRoutes(g: GitHubContext): Route[] {
  const { now, urls, requireUser, readableRepo, writableRepo, fullName, gitDirOf } = g;
  return [
    route("GET", `${repoPath}/git/ref/(.+)`, "git/get-ref", async (ctx) => {
      const repo = readableRepo(ctx);
      const ref = `refs/${ctx.params[2]!}`;
      const found = (await listGitRefs(gitDirOf(repo), ctx.params[2]!)).find((e) => e.ref === ref);
      if (!found) throw notFound();
      sendJson(ctx.res, 200, renderGitRef(urls, fullName(repo), found));
    }),
    // The older spelling `GET /git/refs/{ref}` still answers on GitHub (curl, gh and scripts use it):
    // the ref itself on an exact match, else the refs it prefixes.
    route("GET", `${repoPath}/git/refs/(.+)`, "git/get-ref", async (ctx) => {
      const repo = readableRepo(ctx);
      const ref = `refs/${ctx.params[2]!}`;
      const refs = await listGitRefs(gitDirOf(repo), ctx.params[2]!);
      const exact = refs.find((e) => e.ref === ref);
      if (exact) return sendJson(ctx.res, 200, renderGitRef(urls, fullName(repo), exact));
      const under = refs.filter((e) => e.ref.startsWith(`${ref}/`));
      if (under.length === 0) throw notFound();
      sendJson(
        ctx.res,
        200,
        under.map((e) => renderGitRef(urls, fullName(repo), e)),
      );
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
  ];
}
