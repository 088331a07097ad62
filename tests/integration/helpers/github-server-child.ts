// Runs the GitHub stand-in in its own process so a test can SIGKILL it. Prints one JSON line.
import { startGitHubServer } from "../../../src/local/github/start-github-server.js";

const dataDir = process.argv[2]!;
const gh = await startGitHubServer({ dataDir });
const token = gh.ensureToken("alice");
await gh.createRepo({ owner: "alice", name: "crashy" });
process.stdout.write(`${JSON.stringify({ url: gh.url, uploadsUrl: gh.uploadsUrl, token })}\n`);
