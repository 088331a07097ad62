import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { commit, createRepo, downloadFile, listCommits, listFiles, modelInfo } from "@huggingface/hub";
import { afterEach, describe, expect, it } from "vitest";
import { createHubUser } from "../../src/local/hub/hub-users.js";
import { readHubStoreIssues } from "../../src/local/hub/read-hub-store-issues.js";
import { startHubServer } from "../../src/local/hub/start-hub-server.js";

const child = fileURLToPath(new URL("./helpers/hub-server-child.ts", import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function spawnHub(dataDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", child, dataDir, "65536"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = "";
    proc.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const line = buf.split("\n")[0];
      if (buf.includes("\n") && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    proc.once("exit", (code) => reject(new Error(`hub child exited with ${code}`)));
  });
  return { proc, url };
}

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("crash consistency", () => {
  it("a server killed (SIGKILL) during concurrent uploads and commits restarts consistent", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "hub-crash-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { token } = await createHubUser({ dataDir, name: "alice" });
    const { proc, url } = await spawnHub(dataDir);
    const repo = "alice/crashy";
    await createRepo({ repo, accessToken: token, hubUrl: url });

    // Many writers at once: each commit has an inline file, a basic LFS file and a multipart file.
    const attempts = Array.from({ length: 12 }, (_, i) =>
      commit({
        repo,
        title: `c${i}`,
        accessToken: token,
        hubUrl: url,
        operations: [
          { operation: "addOrUpdate", path: `notes/${i}.txt`, content: new Blob([`note ${i}`]) },
          { operation: "addOrUpdate", path: `w/${i}.bin`, content: new Blob([bytes(3000, i)]) },
          { operation: "addOrUpdate", path: `big/${i}.bin`, content: new Blob([bytes(200_000, 100 + i)]) },
        ],
      }),
    );
    // Kill as soon as the first commit lands: the others are somewhere between preupload and ref update.
    await Promise.race(attempts);
    proc.kill("SIGKILL");
    const settled = await Promise.allSettled(attempts);
    const landed = settled.filter((s) => s.status === "fulfilled").length;
    expect(landed).toBeGreaterThanOrEqual(1);

    expect(await readHubStoreIssues(dataDir)).toEqual([]);

    const hub = await startHubServer({ dataDir, multipartChunkBytes: 65536 });
    cleanups.push(() => hub.close());
    expect(await readdir(join(dataDir, "tmp"))).toEqual([]); // partial uploads swept at start
    const titles: string[] = [];
    for await (const c of listCommits({ repo, accessToken: token, hubUrl: hub.url })) titles.push(c.title);
    // Every commit the clients saw succeed is in history, and nothing half-done is.
    expect(titles.length).toBeGreaterThanOrEqual(landed + 1);
    const paths: string[] = [];
    for await (const f of listFiles({ repo, recursive: true, accessToken: token, hubUrl: hub.url }))
      if (f.type === "file") paths.push(f.path);
    expect(paths.filter((p) => p.startsWith("notes/")).length).toBe(titles.length - 1);
    for (const p of paths.filter((x) => x.startsWith("big/"))) {
      const i = Number(p.slice(4, -4));
      const got = new Uint8Array(
        await (await downloadFile({ repo, path: p, accessToken: token, hubUrl: hub.url }))!.arrayBuffer(),
      );
      expect(createHash("sha256").update(got).digest("hex")).toBe(
        createHash("sha256")
          .update(bytes(200_000, 100 + i))
          .digest("hex"),
      );
    }

    // The store still takes writes, built on the head the restart found.
    const head = (await modelInfo({ name: repo, additionalFields: ["sha"], accessToken: token, hubUrl: hub.url })).sha;
    await commit({
      repo,
      title: "after",
      parentCommit: head,
      accessToken: token,
      hubUrl: hub.url,
      operations: [{ operation: "addOrUpdate", path: "after.txt", content: new Blob(["ok"]) }],
    });
    expect(await readHubStoreIssues(dataDir)).toEqual([]);
  });
});
