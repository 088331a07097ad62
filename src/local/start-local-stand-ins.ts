import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FaultRule } from "./faults.js";
import { startGitHubServer, type GitHubServerHandle } from "./github/start-github-server.js";
import { startHubServer, type HubServer } from "./hub/start-hub-server.js";

/** Fault rules per stand-in (their paths differ, so each gets its own list). */
export interface StandInFaults {
  hub?: FaultRule[];
  github?: FaultRule[];
}

export interface StartLocalStandInsParams {
  /** Root of both stand-ins' state: `hub/`, `github/` and `credentials.json` (0600). */
  dataDir: string;
  host?: string;
  /** The Hub's port; GitHub listens on the next one. 0 or absent: two free ports. */
  port?: number;
  /** The account the printed tokens belong to (default `local`). */
  user?: string;
  /** Organizations the user belongs to on both stand-ins. */
  orgs?: string[];
  /** GitHub repositories (`owner/name`) to create if missing, writable by the user: publishing needs one. */
  githubRepos?: string[];
  faults?: StandInFaults;
}

/** The variables standard clients read: `@huggingface/hub`/`huggingface_hub` and octokit/`gh` users. */
export interface StandInEnv {
  HF_ENDPOINT: string;
  HF_TOKEN: string;
  GITHUB_API_URL: string;
  GITHUB_TOKEN: string;
}

export interface LocalStandIns {
  hub: HubServer;
  github: GitHubServerHandle;
  env: StandInEnv;
  user: string;
  close(): Promise<void>;
}

interface Credentials {
  user: string;
  hfToken: string;
  githubToken: string;
}

/**
 * Starts the local Hub and GitHub stand-ins side by side on loopback, with one user whose tokens
 * are minted on first start and persisted in `<dataDir>/credentials.json`, so a restarted
 * `serve` prints the same environment and clients configured earlier keep working.
 */
export async function startLocalStandIns(params: StartLocalStandInsParams): Promise<LocalStandIns> {
  const host = params.host ?? "127.0.0.1";
  const user = params.user ?? "local";
  const orgs = params.orgs ?? [];
  await mkdir(params.dataDir, { recursive: true });
  const hub = await startHubServer({
    dataDir: join(params.dataDir, "hub"),
    host,
    port: params.port ?? 0,
    faults: params.faults?.hub,
  });
  let github: GitHubServerHandle;
  try {
    github = await startGitHubServer({
      dataDir: join(params.dataDir, "github"),
      host,
      port: params.port ? params.port + 1 : 0,
      faults: params.faults?.github,
    });
  } catch (err) {
    await hub.close();
    throw err;
  }
  try {
    const credentialsFile = join(params.dataDir, "credentials.json");
    let creds = await readCredentials(credentialsFile);
    if (!creds || creds.user !== user) {
      // The Hub stores only token hashes, so its token is minted once and kept here for reprinting.
      const minted = await hub.createUser({ name: user, orgs, tokenName: "serve" });
      creds = { user, hfToken: minted.token, githubToken: github.ensureToken(user) };
      await writeCredentials(credentialsFile, creds);
    } else if (orgs.length > 0) {
      await hub.createUser({ name: user, orgs, tokenName: "serve-orgs" });
    }
    github.ensureToken(user);
    for (const org of orgs) github.createAccount({ login: org, type: "Organization", members: [user] });
    for (const full of params.githubRepos ?? []) {
      const [owner = "", name = ""] = full.split("/");
      await github.createRepo({
        owner,
        name,
        members: owner.toLowerCase() === user.toLowerCase() ? undefined : [user],
      });
    }
    return {
      hub,
      github,
      user,
      env: {
        HF_ENDPOINT: hub.url,
        HF_TOKEN: creds.hfToken,
        GITHUB_API_URL: github.url,
        GITHUB_TOKEN: creds.githubToken,
      },
      close: async () => {
        await Promise.all([hub.close(), github.close()]);
      },
    };
  } catch (err) {
    await Promise.allSettled([hub.close(), github.close()]);
    throw err;
  }
}

async function readCredentials(file: string): Promise<Credentials | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<Credentials>;
    if (
      typeof parsed.user === "string" &&
      typeof parsed.hfToken === "string" &&
      typeof parsed.githubToken === "string"
    ) {
      return parsed as Credentials;
    }
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function writeCredentials(file: string, creds: Credentials): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
