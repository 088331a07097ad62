/**
 * Runs the local Hub in its own process so a test can SIGKILL it mid-request (a real crash, not
 * a simulated one). Usage: node --import tsx hub-server-child.ts <dataDir> <multipartChunkBytes>
 * Prints one JSON line {"url": ...} once listening.
 */
import { startHubServer } from "../../../src/local/hub/start-hub-server.js";

const [dataDir, chunk] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: hub-server-child.ts <dataDir> [multipartChunkBytes]");
const hub = await startHubServer({ dataDir, multipartChunkBytes: Number(chunk ?? 65536) });
process.stdout.write(`${JSON.stringify({ url: hub.url })}\n`);
