import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InventoryFile } from "../../src/checkpoint/types.js";
import { scanFile } from "../../src/sanitize/scan-checkpoint.js";
import { scanFilesParallel } from "../../src/sanitize/scan-files-parallel.js";

const tmp = await mkdtemp(path.join(os.tmpdir(), "scan-par-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function file(name: string, content: string | Buffer): Promise<InventoryFile> {
  const absPath = path.join(tmp, name);
  await writeFile(absPath, content);
  return { path: name, absPath, size: Buffer.byteLength(content), format: "binary" } as InventoryFile;
}

describe("scanFilesParallel", () => {
  it("scans in worker threads and returns each file's findings at its index, as the main thread would", async () => {
    const files = [
      await file("a.txt", "contact jane.doe@robots.example.com\n"),
      await file(
        "b.bin",
        Buffer.concat([
          Buffer.from([0, 1, 2]),
          Buffer.from("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
          Buffer.from([0]),
        ]),
      ),
      await file("c.txt", "nothing here\n"),
      await file("d.log", "step 1 from 10.20.30.40\n".repeat(200)),
    ];
    const ctx = { opts: {}, secretlint: true };
    const sequential = await Promise.all(files.map((f) => scanFile(f, ctx)));
    const onMain: string[] = [];
    const parallel = await scanFilesParallel(
      files,
      ctx,
      (f, c) => {
        onMain.push(f.path);
        return scanFile(f, c);
      },
      {
        concurrency: 3,
        minBytes: 0,
        mainThread: false,
      },
    );
    expect(parallel).toEqual(sequential);
    expect(parallel.map((fs) => fs.map((f) => f.rule))).toEqual([
      ["email"],
      ["github-token"],
      [],
      expect.arrayContaining(["ip-address"]),
    ]);
    // The two workers scanned every file.
    expect(onMain).toEqual([]);
  });

  it("stays on the main thread for small checkpoints, and for safetensors shards (only their headers are read)", async () => {
    const shard = {
      ...(await file("model.safetensors", "{}")),
      size: 512 * 1024 * 1024,
      format: "safetensors",
    } as InventoryFile;
    const files = [await file("e.txt", "x\n"), await file("f.txt", "y\n"), shard];
    const onMain: string[] = [];
    // With mainThread false, a started worker would take every file.
    await scanFilesParallel(
      files,
      { opts: {}, secretlint: false },
      (f, c) => {
        onMain.push(f.path);
        return scanFile(f, c);
      },
      {
        concurrency: 2,
        mainThread: false,
      },
    );
    expect(onMain.sort()).toEqual(["e.txt", "f.txt", "model.safetensors"]);
  });

  it("stops when the signal aborts", async () => {
    const files = [await file("g.txt", "x\n"), await file("h.txt", "y\n")];
    const ac = new AbortController();
    ac.abort();
    await expect(
      scanFilesParallel(files, { opts: {}, secretlint: false, signal: ac.signal }, scanFile, {
        concurrency: 2,
        minBytes: 0,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
  });
});
