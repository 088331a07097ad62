import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The GitHub stand-in's persistent state: accounts, tokens, repositories, releases and asset
 * metadata in one JSON file, rewritten atomically (temp file + rename) after every change, so a
 * killed server never leaves a torn file. Asset bytes live beside it in `assets/<id>`, bare git
 * repositories in `git/<owner>/<repo>.git`.
 */

export interface AccountRecord {
  id: number;
  login: string;
  type: "User" | "Organization";
  /** Logins allowed to write to an organization's repositories. */
  members: string[];
  created_at: string;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  description: string | null;
  default_branch: string;
  created_at: string;
  updated_at: string;
}

export interface ReleaseRecord {
  id: number;
  /** `owner/name` of the repository. */
  repo: string;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  author: string;
  created_at: string;
  published_at: string | null;
  updated_at: string;
  /** Increases each time the release is made "latest" (`make_latest`); the highest one is latest. */
  latest_seq?: number;
}

export interface AssetRecord {
  id: number;
  release_id: number;
  name: string;
  label: string | null;
  content_type: string;
  size: number;
  /** `sha256:<hex>`, as GitHub reports it. */
  digest: string;
  uploader: string;
  download_count: number;
  created_at: string;
  updated_at: string;
}

export interface GitHubState {
  version: 1;
  nextId: number;
  accounts: Record<string, AccountRecord>;
  /** token -> login. A local stand-in keeps them in clear, in a 0600 file. */
  tokens: Record<string, string>;
  repos: Record<string, RepoRecord>;
  releases: Record<string, ReleaseRecord>;
  assets: Record<string, AssetRecord>;
}

export interface GitHubStore {
  readonly state: GitHubState;
  /** Allocates a new id (shared by every kind of object, like GitHub's node ids). */
  nextId(): number;
  /** Persists the current state atomically. Synchronous so no request sees a half-written change. */
  save(): void;
  readonly dataDir: string;
  assetPath(id: number): string;
  gitDir(owner: string, repo: string): string;
  tmpPath(): string;
}

const STATE_FILE = "state.json";

export function openGitHubStore(dataDir: string): GitHubStore {
  mkdirSync(join(dataDir, "assets"), { recursive: true });
  // Partial uploads of a server that was killed are garbage: nothing refers to them.
  rmSync(join(dataDir, "tmp"), { recursive: true, force: true });
  mkdirSync(join(dataDir, "tmp"), { recursive: true });
  mkdirSync(join(dataDir, "git"), { recursive: true });
  const file = join(dataDir, STATE_FILE);
  let state: GitHubState;
  try {
    state = JSON.parse(readFileSync(file, "utf8")) as GitHubState;
    if (state.version !== 1) throw new Error(`${file}: unsupported state version ${String(state.version)}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    state = { version: 1, nextId: 1, accounts: {}, tokens: {}, repos: {}, releases: {}, assets: {} };
  }
  const save = () => {
    const tmp = join(dataDir, "tmp", `${STATE_FILE}.${process.pid}.${randomBytes(4).toString("hex")}`);
    writeFileSync(tmp, JSON.stringify(state, null, 1), { mode: 0o600 });
    renameSync(tmp, file);
  };
  return {
    state,
    dataDir,
    nextId: () => state.nextId++,
    save,
    assetPath: (id) => join(dataDir, "assets", String(id)),
    gitDir: (owner, repo) => join(dataDir, "git", owner, `${repo}.git`),
    tmpPath: () => join(dataDir, "tmp", `upload.${randomBytes(8).toString("hex")}`),
  };
}

/** A GitHub-looking personal access token (`ghp_` + 36 base62 characters). */
export function generateGitHubToken(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(36);
  let out = "ghp_";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
