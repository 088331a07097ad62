/**
 * The local Hub in its own process, so the benchmark's client and server do not share one event
 * loop (as with `model-release serve`). Args: <dataDir> [multipartChunkBytes]. Prints {"url"}.
 */
import { startHubServer } from "../src/local/hub/start-hub-server.js";

const [dataDir, chunk] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: hub-server-process.ts <dataDir> [multipartChunkBytes]");
const hub = await startHubServer({ dataDir, ...(chunk ? { multipartChunkBytes: Number(chunk) } : {}) });
process.stdout.write(`${JSON.stringify({ url: hub.url })}\n`);
process.on("SIGTERM", () => void hub.close().then(() => process.exit(0)));
