import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gitEnv } from "./github/git-bare-repo.js";

/**
 * Git's smart HTTP protocol, served by `git http-backend` as a CGI program, so `git push
 * http://x-access-token:TOKEN@127.0.0.1:PORT/owner/repo.git` works against the stand-in exactly as
 * it does against github.com. Authorization is decided by the caller; this only bridges bytes.
 */
export function serveGitHttp(params: {
  req: IncomingMessage;
  res: ServerResponse;
  /** Directory holding `<owner>/<repo>.git`. */
  projectRoot: string;
  /** `/owner/repo.git/info/refs` etc. */
  pathInfo: string;
  query: string;
  /** Set for authenticated requests; http-backend refuses receive-pack without it. */
  remoteUser?: string;
}): Promise<void> {
  const { req, res } = params;
  return new Promise((resolve) => {
    const env: Record<string, string> = {
      ...gitEnv(),
      GIT_PROJECT_ROOT: params.projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: params.pathInfo,
      QUERY_STRING: params.query,
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      SERVER_PROTOCOL: "HTTP/1.1",
      GATEWAY_INTERFACE: "CGI/1.1",
    };
    if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
    if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
    const proto = req.headers["git-protocol"];
    if (typeof proto === "string") env.GIT_PROTOCOL = proto;
    if (params.remoteUser) env.REMOTE_USER = params.remoteUser;

    const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "ignore"] });
    req.pipe(child.stdin);
    child.stdin.on("error", () => {}); // the backend may exit before reading everything (an error reply)
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      // CGI headers end at the first blank line, written as \r\n\r\n or \n\n.
      const m = /\r?\n\r?\n/.exec(head.toString("latin1"));
      if (!m) return;
      const headerText = head.subarray(0, m.index).toString("latin1");
      const rest = head.subarray(m.index + m[0].length);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headersDone = true;
      if (rest.length) res.write(rest);
    });
    child.on("error", () => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("git http-backend failed to start\n");
      resolve();
    });
    child.on("close", () => {
      if (!headersDone && !res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end();
      resolve();
    });
  });
}
