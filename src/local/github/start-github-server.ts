import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  API_PREFIX,
  UPLOADS_PREFIX,
  createGitHubContext,
  type GitHubServerHandle,
  type Route,
  type StartGitHubServerParams,
} from "./github-context.js";
import { githubGitRoutes } from "./github-git-routes.js";
import { HttpError, notFound, sendHttpError } from "./github-http.js";
import { githubReleaseRoutes } from "./github-release-routes.js";
import { githubRepoRoutes } from "./github-repo-routes.js";
import { createWebHandler } from "./github-web-routes.js";

export {
  GITHUB_OPERATIONS,
  MAX_RELEASE_ASSET_BYTES,
  type GitHubServerHandle,
  type StartGitHubServerParams,
} from "./github-context.js";

/**
 * Starts a GitHub-REST-compatible server on loopback for rehearsals and tests: repositories, git
 * refs and annotated tags (backed by real bare git repositories, pushable over HTTP), releases
 * and release assets, and the authenticated user — what octokit needs to publish a release.
 * State persists in `dataDir` across restarts.
 */
export async function startGitHubServer(params: StartGitHubServerParams): Promise<GitHubServerHandle> {
  const g = createGitHubContext(params);
  const { store, faults, urls, createAccount, account, findRepo, createRepo, ensureToken, authenticate } = g;
  const routes: Route[] = [...githubRepoRoutes(g), ...githubGitRoutes(g), ...githubReleaseRoutes(g)];
  const handleWeb = createWebHandler(g);

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
