import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./write-file-atomic.js";

/**
 * Users, organisations and `hf_` tokens of the local Hub, persisted in `<dataDir>/users.json`.
 * Only the sha256 of each token is stored: the plain token is returned once, when it is minted,
 * so a copied data dir does not leak credentials.
 */

export type HubTokenRole = "read" | "write";

export interface HubUserRecord {
  name: string;
  fullname?: string;
  orgs: string[];
  tokens: { sha256: string; displayName: string; role: HubTokenRole; createdAt: string }[];
}

export interface HubUsersFile {
  users: HubUserRecord[];
}

/** What a valid token resolves to. */
export interface HubPrincipal {
  user: HubUserRecord;
  role: HubTokenRole;
  displayName: string;
  createdAt: string;
}

const usersPath = (dataDir: string) => join(dataDir, "users.json");
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Reads `users.json`; an absent file means no users. */
export async function readHubUsers(dataDir: string): Promise<HubUsersFile> {
  try {
    const parsed = JSON.parse(await readFile(usersPath(dataDir), "utf8")) as HubUsersFile;
    return { users: Array.isArray(parsed.users) ? parsed.users : [] };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { users: [] };
    throw err;
  }
}

/**
 * Creates the user (or adds orgs to an existing one) and mints a new `hf_` token for it. Returns
 * the plain token, the only time it is visible. Used by the `serve` command and by tests.
 */
export async function createHubUser(params: {
  dataDir: string;
  name: string;
  orgs?: string[];
  role?: HubTokenRole;
  tokenName?: string;
}): Promise<{ name: string; token: string; role: HubTokenRole }> {
  await mkdir(params.dataDir, { recursive: true });
  const file = await readHubUsers(params.dataDir);
  const role = params.role ?? "write";
  // 20 random bytes, like the Hub's 34-character tokens; hf_ prefix because the JS client insists on it.
  const token = `hf_${randomBytes(20).toString("base64url").replace(/[-_]/g, "x")}`;
  let user = file.users.find((u) => u.name === params.name);
  if (!user) {
    user = { name: params.name, orgs: [], tokens: [] };
    file.users.push(user);
  }
  for (const org of params.orgs ?? []) if (!user.orgs.includes(org)) user.orgs.push(org);
  user.tokens.push({
    sha256: hashToken(token),
    displayName: params.tokenName ?? "local",
    role,
    createdAt: new Date().toISOString(),
  });
  await writeFileAtomic(usersPath(params.dataDir), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return { name: user.name, token, role };
}

/** Looks a token up; undefined when it is unknown. */
export function findHubPrincipal(file: HubUsersFile, token: string): HubPrincipal | undefined {
  const h = hashToken(token);
  for (const user of file.users) {
    const t = user.tokens.find((x) => x.sha256 === h);
    if (t) return { user, role: t.role, displayName: t.displayName, createdAt: t.createdAt };
  }
  return undefined;
}

/** Whether the principal may act on repos of this namespace (its own name or one of its orgs). */
export function ownsNamespace(p: HubPrincipal | undefined, namespace: string): boolean {
  // Hub names are case-insensitive: `Acme` is the org `acme`.
  const ns = namespace.toLowerCase();
  return !!p && (p.user.name.toLowerCase() === ns || p.user.orgs.some((o) => o.toLowerCase() === ns));
}
