import type { ServerResponse } from "node:http";
import { HttpError, entryNotFound, parseRange } from "./hub-http.js";
import { signedUrl, type LfsConfig } from "./hub-lfs.js";
import { checkRepoPath, renderLfsPointer } from "./hub-paths.js";
import type { HubStore, RepoKey } from "./hub-store.js";
import { repoForDownload, resolveRevAndPath, type Cfg, type Ctx } from "./hub-context.js";

/** Route handlers that send file content: /resolve and /raw, and the signed LFS download URL. */

type Body = { kind: "object"; sha256: string } | { kind: "bytes"; data: Buffer };

/**
 * Sends content with the conditional and range semantics both clients rely on: 304 for a
 * matching `If-None-Match`, 206 for one range, `bytes *\/0` for an empty file, no body for HEAD.
 */
async function sendContent(
  store: HubStore,
  req: Ctx["req"],
  res: ServerResponse,
  body: Body,
  size: number,
  headers: Record<string, string>,
): Promise<void> {
  const inm = req.headers["if-none-match"];
  if (inm && headers.etag && inm.split(/\s*,\s*/).some((t) => t === headers.etag || t === `W/${headers.etag}`)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const range = parseRange(req.headers.range, size);
  let status = 200;
  let span: { start: number; end: number } | undefined;
  const out: Record<string, string> = {
    ...headers,
    "accept-ranges": "bytes",
    "content-type": "application/octet-stream",
  };
  if (size === 0) {
    // The JS client needs a size even for empty files; a 416 would make it throw.
    out["content-range"] = "bytes */0";
  } else if (range === "unsatisfiable") {
    throw new HttpError(416, "Range not satisfiable", undefined, { "content-range": `bytes */${size}` });
  } else if (range) {
    status = 206;
    span = range;
    out["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
  }
  out["content-length"] = String(span ? span.end - span.start + 1 : size);
  res.writeHead(status, out);
  if (req.method === "HEAD" || size === 0) {
    res.end();
    return;
  }
  if (body.kind === "bytes") {
    res.end(span ? body.data.subarray(span.start, span.end + 1) : body.data);
    return;
  }
  const stream = store.readObject(body.sha256, span);
  await new Promise<void>((resolve) => {
    stream.on("error", () => {
      res.destroy();
      resolve();
    });
    res.on("close", () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

/**
 * GET/HEAD .../resolve|raw/{rev}/{path}. An LFS file under /resolve answers 302 to a signed URL on
 * this server, as the Hub answers with a signed CDN URL, so clients' redirect handling runs; the
 * 302 carries the linked ETag and size Python reads when it stops at a redirect.
 */
export async function serveFile(cfg: Cfg, ctx: Ctx, key: RepoKey, segs: string[], raw: boolean): Promise<void> {
  await repoForDownload(cfg, ctx, key);
  const { commit: c, path } = await resolveRevAndPath(cfg, key, segs);
  const why = checkRepoPath(path);
  if (why) throw new HttpError(400, `Invalid file path "${path}": ${why}`, undefined, { "x-repo-commit": c.id });
  const e = c.tree[path];
  if (!e) throw entryNotFound(path, c.id);
  if (e.lfs && raw) {
    const pointer = Buffer.from(renderLfsPointer(e.sha256, e.size));
    const headers = { "x-repo-commit": c.id, etag: `"${e.gitOid}"` };
    return sendContent(cfg.store, ctx.req, ctx.res, { kind: "bytes", data: pointer }, pointer.length, headers);
  }
  if (e.lfs) {
    ctx.res.writeHead(302, {
      location: signedUrl(cfg.lfs, "GET", `/lfs/download/${e.sha256}/${c.id}`),
      "x-repo-commit": c.id,
      "x-linked-etag": `"${e.sha256}"`,
      "x-linked-size": String(e.size),
      etag: `"${e.gitOid}"`,
      "content-length": "0",
    });
    ctx.res.end();
    return;
  }
  const headers = { "x-repo-commit": c.id, etag: `"${e.gitOid}"` };
  return sendContent(cfg.store, ctx.req, ctx.res, { kind: "object", sha256: e.sha256 }, e.size, headers);
}

/**
 * GET/HEAD /lfs/download/{sha256}[/{commit}] (signed): the object itself. The commit rides in the
 * signed path so clients that follow the redirect still get `X-Repo-Commit` on the final response.
 */
export async function handleLfsDownload(
  lfs: LfsConfig,
  ctx: Pick<Ctx, "req" | "res">,
  sha256: string,
  commit: string | undefined,
): Promise<void> {
  const size = /^[0-9a-f]{64}$/.test(sha256) ? await lfs.store.objectSize(sha256) : undefined;
  if (size === undefined) throw new HttpError(404, "Object does not exist");
  const headers: Record<string, string> = {
    etag: `"${sha256}"`,
    "x-linked-etag": `"${sha256}"`,
    "x-linked-size": String(size),
  };
  if (commit) headers["x-repo-commit"] = commit;
  return sendContent(lfs.store, ctx.req, ctx.res, { kind: "object", sha256 }, size, headers);
}
