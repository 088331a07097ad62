import { createHash, randomBytes } from "node:crypto";
import { planCardValidation } from "./hub-card-metadata.js";
import { HttpError, readJsonBody, repoNotFound, sendJson } from "./hub-http.js";
import { DEFAULT_GITATTRIBUTES, checkRepoPath, isValidRepoNamePart } from "./hub-paths.js";
import type { RepoKey, RepoMeta, RepoType, TreeEntry } from "./hub-store.js";
import {
  MAX_JSON_BYTES,
  assertCanWrite,
  regularEntry,
  repoForWrite,
  repoUrl,
  type Cfg,
  type Ctx,
} from "./hub-context.js";

/** Route handlers: identity, repo create/delete/info, and card metadata validation. */

/** GET /api/whoami-v2 (`auth.accessToken` is mandatory: the JS client reads it). */
export function whoami(ctx: Ctx): void {
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "Invalid credentials in Authorization header");
  sendJson(ctx.res, 200, {
    type: "user",
    id: createHash("sha1").update(p.user.name).digest("hex").slice(0, 24),
    name: p.user.name,
    fullname: p.user.fullname ?? p.user.name,
    email: null,
    emailVerified: false,
    canPay: false,
    isPro: false,
    periodEnd: null,
    avatarUrl: "",
    orgs: p.user.orgs.map((o) => ({
      type: "org",
      name: o,
      fullname: o,
      id: createHash("sha1").update(o).digest("hex").slice(0, 24),
      roleInOrg: "write",
    })),
    auth: { type: "access_token", accessToken: { displayName: p.displayName, role: p.role, createdAt: p.createdAt } },
  });
}
/** POST /api/repos/create: an initial commit by the creator with the default .gitattributes. */
export async function createRepo(cfg: Cfg, ctx: Ctx): Promise<void> {
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  let name = typeof body.name === "string" ? body.name : "";
  let namespace = typeof body.organization === "string" && body.organization ? body.organization : undefined;
  if (name.includes("/")) [namespace, name] = name.split("/", 2) as [string, string];
  const type = (body.type ?? "model") as RepoType;
  if (!["model", "dataset", "space"].includes(type))
    throw new HttpError(400, `Invalid repo type: ${String(body.type)}`);
  const p = ctx.principal;
  if (!p) throw new HttpError(401, "Invalid credentials in Authorization header");
  namespace ??= p.user.name;
  if (!isValidRepoNamePart(namespace) || !isValidRepoNamePart(name)) {
    throw new HttpError(
      400,
      `Invalid repo name "${namespace}/${name}": use letters, digits, "-", "_" and ".", at most 96 characters`,
    );
  }
  assertCanWrite(ctx, namespace);
  // The namespace as the account spells it, so `ACME/x` and `acme/y` live side by side.
  const lower = namespace.toLowerCase();
  namespace = [p.user.name, ...p.user.orgs].find((n) => n.toLowerCase() === lower) ?? namespace;
  // Ids are case-insensitive on the Hub: `Org/Model` exists once `org/model` does.
  const existing = await cfg.store.canonicalKey({ type, namespace, name });
  if (await cfg.store.readRepo(existing)) throw alreadyExists(cfg, existing);
  const key: RepoKey = { type, namespace, name };
  const isPrivate = body.visibility !== undefined ? body.visibility !== "public" : body.private === true;

  const tree: Record<string, TreeEntry> = {
    ".gitattributes": await regularEntry(cfg.store, Buffer.from(DEFAULT_GITATTRIBUTES)),
  };
  if (typeof body.license === "string") {
    tree["README.md"] = await regularEntry(cfg.store, Buffer.from(`---\nlicense: ${body.license}\n---\n`));
  }
  for (const f of Array.isArray(body.files)
    ? (body.files as { path?: unknown; content?: unknown; encoding?: unknown }[])
    : []) {
    const path = String(f.path ?? "");
    const why = checkRepoPath(path);
    if (why) throw new HttpError(400, `Invalid file path "${path}": ${why}`);
    tree[path] = await regularEntry(
      cfg.store,
      Buffer.from(String(f.content ?? ""), f.encoding === "base64" ? "base64" : "utf8"),
    );
  }
  const meta: RepoMeta = {
    ...key,
    id: randomBytes(12).toString("hex"),
    private: isPrivate,
    createdAt: new Date(cfg.now()).toISOString(),
  };
  const created = await cfg.store.createRepo(meta, tree, p.user.name);
  if (!created) throw alreadyExists(cfg, key);
  sendJson(ctx.res, 200, { url: repoUrl(cfg, key), name: `${namespace}/${name}`, id: meta.id });
}

/** The Hub's 409 carries the existing repo's `url`: Python's `create_repo(exist_ok=True)` reads it. */
function alreadyExists(cfg: Cfg, key: RepoKey): HttpError {
  return new HttpError(409, `You already created this ${key.type} repo`, undefined, {}, { url: repoUrl(cfg, key) });
}

/** DELETE /api/repos/delete with a JSON body {name, organization, type}. */
export async function deleteRepo(cfg: Cfg, ctx: Ctx): Promise<void> {
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  let name = String(body.name ?? "");
  let namespace =
    typeof body.organization === "string" && body.organization ? body.organization : (ctx.principal?.user.name ?? "");
  if (name.includes("/")) [namespace, name] = name.split("/", 2) as [string, string];
  const key: RepoKey = { type: (body.type ?? "model") as RepoType, namespace, name };
  if (!["model", "dataset", "space"].includes(key.type))
    throw new HttpError(400, `Invalid repo type: ${String(body.type)}`);
  if (!ctx.principal) throw new HttpError(401, "Invalid credentials in Authorization header");
  await repoForWrite(cfg, ctx, key);
  if (!(await cfg.store.deleteRepo(key))) throw repoNotFound();
  sendJson(ctx.res, 200, {});
}
/**
 * POST /api/validate-yaml {content, repoType}: the card's metadata checked as the Hub checks it
 * (hub-card-metadata.ts); 400 with `errors`, or 200 with `warnings` (e.g. a card without metadata).
 */
export async function validateYaml(ctx: Ctx): Promise<void> {
  const body = await readJsonBody(ctx.req, MAX_JSON_BYTES);
  const content = typeof body.content === "string" ? body.content : "";
  const { errors, warnings } = planCardValidation(content, typeof body.repoType === "string" ? body.repoType : "model");
  const accept = ctx.req.headers.accept ?? "";
  // ModelCard.validate asks for text/plain and raises ValueError(response.text): the messages themselves.
  if (accept.includes("text/plain") && !accept.includes("json")) {
    const text = (errors.length ? errors : warnings).map((e) => `- ${e.message}`).join("\n");
    ctx.res.writeHead(errors.length ? 400 : 200, { "content-type": "text/plain; charset=utf-8" });
    ctx.res.end(text);
    return;
  }
  if (errors.length) sendJson(ctx.res, 400, { errors, warnings, error: errors.map((e) => e.message).join("; ") });
  else sendJson(ctx.res, 200, { errors: [], warnings });
}
