import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHubServer, type HubServer } from "../../../src/local/hub/start-hub-server.js";
import { startGitHubServer, type GitHubServerHandle } from "../../../src/local/github/start-github-server.js";

export interface StandIns {
  root: string;
  hub: HubServer;
  gh: GitHubServerHandle;
  hfToken: string;
  ghToken: string;
  codeDir: string;
  close(): Promise<void>;
}

/**
 * Both stand-ins on loopback, an `acme` org on each with a member token, and a code folder.
 * `multipartChunkBytes` makes the Hub ask for multipart uploads of small files.
 */
export async function startStandIns(opts: { multipartChunkBytes?: number } = {}): Promise<StandIns> {
  const root = await mkdtemp(join(tmpdir(), "publish-it-"));
  const hub = await startHubServer({ dataDir: join(root, "hub"), ...opts });
  const gh = await startGitHubServer({ dataDir: join(root, "github") });
  const { token: hfToken } = await hub.createUser({ name: "alice", orgs: ["acme"] });
  gh.createAccount({ login: "alice" });
  await gh.createRepo({ owner: "acme", name: "robot-coder", members: ["alice"] });
  const ghToken = gh.ensureToken("alice");
  const codeDir = join(root, "code");
  await mkdir(join(codeDir, "train"), { recursive: true });
  await mkdir(join(codeDir, "internal"), { recursive: true });
  await writeFile(
    join(codeDir, "train", "train.py"),
    "import torch\n# BEGIN-INTERNAL\nCLUSTER = 'b200-rack-7.internal'\n# END-INTERNAL\nprint('train')\n",
  );
  await writeFile(join(codeDir, "internal", "notes.md"), "customer plans\n");
  return {
    root,
    hub,
    gh,
    hfToken,
    ghToken,
    codeDir,
    async close() {
      await hub.close();
      await gh.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
