import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { HttpError, notFound } from "./github-http.js";
import { serveGitHttp } from "../serve-git-http.js";

import type { Auth, Ctx, GitHubContext } from "./github-context.js";

/** Web routes: browser downloads of release assets, and git over HTTP (clone with or without `.git`, push). */
export function createWebHandler(g: GitHubContext) {
  const { store, findRepo, canPush, canRead, releasesOf, assetsOf, visibleRelease, streamAsset } = g;
  return async function handleWeb(req: IncomingMessage, res: ServerResponse, url: URL, auth: Auth): Promise<boolean> {
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
    // `.git` is optional, as on github.com: `git clone http://host/owner/repo` works too.
    const git =
      /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname) ??
      /^\/([^/]+)\/([^/]+)(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD))$/.exec(url.pathname);
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
  };
}
