import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
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
import type { AccountRecord, ReleaseRecord } from "./github-store.js";
import { renderReleaseAsset } from "./render-github-objects.js";

import { UPLOADS_PREFIX, repoPath, route, seg, type Ctx, type GitHubContext, type Route } from "./github-context.js";

/** Routes: releases and release assets (uploads under the uploads prefix, as on GitHub Enterprise). */
export function githubReleaseRoutes(g: GitHubContext): Route[] {
  const {
    store,
    maxAssetBytes,
    iso,
    urls,
    state,
    account,
    requireUser,
    readableRepo,
    writableRepo,
    fullName,
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
  } = g;
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

  return [
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
}
