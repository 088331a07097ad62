/**
 * Bytes a publish sends: the first release, a re-run of the same release, and a re-release that
 * changed only the model card (goal: no weight bytes), measured with a counting fetch against
 * the local stand-ins.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { createCountingFetch } from "../src/publish/create-retrying-fetch.js";
import { publishRelease } from "../src/publish/publish-release.js";
import { startHubServer } from "../src/local/hub/start-hub-server.js";
import { writeTestBundle } from "../tests/integration/helpers/publish-bundle.js";
import type { Benchmark } from "./types.js";

const SHARDS = 4;
const SHARD_BYTES = 16 * 1024 * 1024;

const bench: Benchmark = {
  name: "publish-rerelease",
  description: `bytes sent by publish (${SHARDS} x ${SHARD_BYTES / 2 ** 20} MiB shards) to the local Hub stand-in (GitHub carries no weights)`,
  async run({ tmpDir, log }) {
    const hub = await startHubServer({ dataDir: path.join(tmpDir, "hub") });
    try {
      const { token: hfToken } = await hub.createUser({ name: "alice", orgs: ["acme"] });
      await mkdir(path.join(tmpDir, "b"), { recursive: true });
      const run = async (dir: string) => {
        const counting = createCountingFetch();
        const t0 = performance.now();
        await publishRelease({
          bundleDir: dir,
          targets: { hub: { url: hub.url, token: hfToken } },
          fetch: counting.fetch,
        });
        return { ...counting.sent, ms: performance.now() - t0 };
      };
      const weightBytes = SHARDS * SHARD_BYTES;
      const first = path.join(tmpDir, "b", "1.0.0");
      await writeTestBundle(first, { version: "1.0.0", shards: SHARDS, shardBytes: SHARD_BYTES });
      const r1 = await run(first);
      log(`first release: ${r1.total} bytes in ${r1.requests} requests, ${r1.ms.toFixed(0)} ms`);
      const again = await run(first);
      log(`re-run of 1.0.0: ${again.total} bytes in ${again.requests} requests`);
      const card = path.join(tmpDir, "b", "1.0.1");
      await writeTestBundle(card, {
        version: "1.0.1",
        shards: SHARDS,
        shardBytes: SHARD_BYTES,
        card: "---\nlicense: apache-2.0\n---\n# Robot coder\n\nA better card.\n",
      });
      const r2 = await run(card);
      log(`card-only re-release: ${r2.total} bytes in ${r2.requests} requests, ${r2.ms.toFixed(0)} ms`);
      return [
        {
          name: "first release: bytes sent / weight bytes",
          value: r1.total / weightBytes,
          unit: "x",
          goal: { max: 1.01 },
          note: "1.0 is the physical limit",
        },
        { name: "re-run of a finished release: upload bytes", value: again.lfs, unit: "B", goal: { max: 0 } },
        { name: "card-only re-release: weight bytes sent", value: r2.lfs, unit: "B", goal: { max: 0 } },
        {
          name: "card-only re-release: all bytes sent",
          value: r2.total,
          unit: "B",
          note: "card, manifest, SHA256SUMS inline in the commit",
        },
      ];
    } finally {
      await hub.close();
    }
  },
};
export default bench;
