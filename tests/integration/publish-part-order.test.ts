import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../../src/local/hub/start-hub-server.js";
import { publishRelease } from "../../src/publish/publish-release.js";
import { pullRelease } from "../../src/publish/pull-release.js";
import { writeTestBundle } from "./helpers/publish-bundle.js";

/**
 * Multipart uploads through `@huggingface/hub` as publish makes them: parts of each file in
 * order, one at a time while several files upload (the library alone sends five at once per
 * file). Observed on the wire, under the library, against a stand-in with 64 KiB parts.
 */
let root: string;
let hub: HubServer;
let token: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "part-order-"));
  hub = await startHubServer({ dataDir: join(root, "hub"), multipartChunkBytes: 64 * 1024 });
  token = (await hub.createUser({ name: "alice", orgs: ["acme"] })).token;
});
afterAll(async () => {
  await hub?.close();
  await rm(root, { recursive: true, force: true });
});

describe("publish's multipart uploads", () => {
  it("send each file's parts in order, one at a time while other files upload, and the release pulls back intact", async () => {
    const dir = join(root, "bundle");
    await writeTestBundle(dir, { version: "1.0.0", shards: 3, shardBytes: 5 * 64 * 1024 - 100 });
    const events: { upload: string; part: number; at: "start" | "end" }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const m = /\/lfs\/multipart\/([0-9a-f]{32})\/(\d+)\?/.exec(String(input));
      if (!m) return fetch(input, init);
      events.push({ upload: m[1]!, part: Number(m[2]), at: "start" });
      try {
        const res = await fetch(input, init);
        await res.arrayBuffer();
        return new Response(null, { status: res.status, headers: res.headers });
      } finally {
        events.push({ upload: m[1]!, part: Number(m[2]), at: "end" });
      }
    };
    // Twelve parts wait at once on the library's one signal, with the run's own abort signal
    // joined as the CLI joins it: no MaxListenersExceededWarning (or any other process warning)
    // may reach the user's terminal.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      await publishRelease({
        bundleDir: dir,
        targets: { hub: { url: hub.url, token } },
        options: { hubPrivate: false },
        fetch: recording,
        retry: { baseDelayMs: 5 },
        signal: new AbortController().signal,
      });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).toEqual([]);

    const uploads = [...new Set(events.map((e) => e.upload))];
    expect(uploads).toHaveLength(3);
    for (const u of uploads) {
      const started = events.filter((e) => e.upload === u && e.at === "start").map((e) => e.part);
      expect(started).toEqual([1, 2, 3, 4, 5]);
    }
    // Replay the wire: while two or more files have parts left, each has at most one in flight.
    const inFlight = new Map<string, number>();
    const left = new Map(uploads.map((u) => [u, 5]));
    for (const e of events) {
      if (e.at === "end") {
        inFlight.set(e.upload, inFlight.get(e.upload)! - 1);
        left.set(e.upload, left.get(e.upload)! - 1);
        continue;
      }
      inFlight.set(e.upload, (inFlight.get(e.upload) ?? 0) + 1);
      const busy = [...left.values()].filter((n) => n > 0).length;
      if (busy > 1) expect(inFlight.get(e.upload)).toBe(1);
    }

    const to = join(root, "pulled");
    await pullRelease({ hubUrl: hub.url, accessToken: token, fetch }, { ref: "acme/robot-coder@1.0.0", to });
    for (const f of ["model-00001-of-00003.safetensors", "model-00003-of-00003.safetensors"])
      expect(Buffer.compare(await readFile(join(to, f)), await readFile(join(dir, f)))).toBe(0);
  });
});
