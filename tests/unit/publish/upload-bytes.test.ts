import { createHash } from "node:crypto";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { __internal_sha256 } from "@huggingface/hub";
import { afterAll, describe, expect, it } from "vitest";
import { createProgressRenderer } from "../../../src/cli/render-progress.js";
import { FILE_BLOB_READ_BYTES, openFileBlob } from "../../../src/publish/open-file-blob.js";
import type { ProgressEvent } from "../../../src/publish/progress.js";
import { throttleProgress } from "../../../src/publish/throttle-progress.js";

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function fileOf(size: number): Promise<{ file: string; bytes: Buffer }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mr-blob-"));
  dirs.push(dir);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919) & 0xff;
  const file = path.join(dir, "shard.safetensors");
  await writeFile(file, bytes);
  return { file, bytes };
}

async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) out.push(c);
  return out;
}

describe("openFileBlob (commit content for @huggingface/hub)", () => {
  it("streams the file in large reads through recycled buffers, and the library's own hash of it is the file's sha256", async () => {
    const size = 6 * FILE_BLOB_READ_BYTES + 12345; // more chunks than buffers in the ring
    const { file, bytes } = await fileOf(size);
    const blob = openFileBlob({ path: file, size });
    const lengths: number[] = [];
    const h = createHash("sha256");
    // Consumed as fetch and the library consume it: each chunk is used before the next is read.
    for await (const c of blob.stream() as unknown as AsyncIterable<Uint8Array>) {
      lengths.push(c.length);
      h.update(c);
    }
    expect(lengths).toEqual([...Array(6).fill(FILE_BLOB_READ_BYTES), 12345]);
    const sha = createHash("sha256").update(bytes).digest("hex");
    expect(h.digest("hex")).toBe(sha);
    const it = __internal_sha256(blob);
    let r = await it.next();
    while (!r.done) r = await it.next();
    expect(r.value).toBe(sha);
  });

  it("slices like a Blob (multipart parts, the 512-byte preupload sample) and reports bytes read", async () => {
    const { file, bytes } = await fileOf(5000);
    const blob = openFileBlob({ path: file, size: 5000 });
    expect(Buffer.from(await blob.slice(0, 512).arrayBuffer()).equals(bytes.subarray(0, 512))).toBe(true);
    const part = blob.slice(1000, 3000).slice(500);
    expect(part.size).toBe(1500);
    expect(Buffer.concat(await chunksOf(part.stream())).equals(bytes.subarray(1500, 3000))).toBe(true);
    expect(blob.slice(-100).size).toBe(100);
    expect(blob.slice(4000, 9000).size).toBe(1000);
    const seen: number[] = [];
    await chunksOf(part.withReadProgress((n) => seen.push(n)).stream());
    expect(seen).toEqual([1500]);
    expect(await blob.slice(0, 4).text()).toBe(new TextDecoder().decode(bytes.subarray(0, 4)));
  });

  it("fails the stream, rather than sending fewer bytes, when the file shrank after the bundle was read", async () => {
    const { file } = await fileOf(5000);
    const blob = openFileBlob({ path: file, size: 5000 });
    await truncate(file, 100);
    await expect(chunksOf(blob.stream())).rejects.toMatchObject({ code: "ESHRUNK" });
    await expect(blob.arrayBuffer()).rejects.toMatchObject({ code: "ESHRUNK" });
  });
});

describe("progress throttling", () => {
  const file = (bytes: number, state: "hashing" | "uploading" = "uploading"): ProgressEvent => ({
    type: "file",
    path: "model.safetensors",
    state,
    bytes,
    size: 1000,
  });

  it("passes at most one event per file per 150 ms, and always the last of each state and other events", () => {
    let t = 0;
    const seen: ProgressEvent[] = [];
    const sink = throttleProgress((e) => seen.push(e), { now: () => t });
    sink({ type: "step", step: "hub-commit", status: "start" });
    for (let i = 0; i < 1000; i++) {
      t = i; // one event a millisecond for a second
      sink(file(i, i < 500 ? "hashing" : "uploading"));
    }
    sink(file(1000));
    sink(file(1000));
    sink({ type: "file", path: "other.bin", state: "uploading", bytes: 1, size: 2 });
    const forShard = seen.filter((e) => e.type === "file" && e.path === "model.safetensors");
    expect(forShard.map((e) => (e.type === "file" ? `${e.state}:${e.bytes}` : ""))).toEqual([
      ...[0, 150, 300, 450].map((b) => `hashing:${b}`),
      ...[600, 750, 900].map((b) => `uploading:${b}`),
      "uploading:1000",
    ]);
    expect(seen[0]).toEqual({ type: "step", step: "hub-commit", status: "start" });
    expect(seen.at(-1)).toMatchObject({ path: "other.bin" });
  });

  it("never lets more than ten events of one file into any second, across state changes", () => {
    let t = 0;
    const times: number[] = [];
    const sink = throttleProgress(() => times.push(t), { now: () => t });
    const file2 = (bytes: number, state: "hashing" | "uploading" | "done") => ({
      type: "file" as const,
      path: "a.bin",
      state,
      bytes,
      size: 1000,
    });
    // Hashing in half a second, then uploading in the next half.
    for (let i = 0; i <= 1000; i++) {
      t = i / 2;
      sink(file2(i, "hashing"));
    }
    for (let i = 0; i <= 1000; i++) {
      t = 500 + i / 2;
      sink(file2(i, "uploading"));
    }
    sink(file2(1000, "done"));
    for (let k = 0; k < times.length; k++)
      expect(times.filter((x) => x >= times[k]! && x < times[k]! + 1000).length).toBeLessThanOrEqual(10);
  });

  it("keeps --json output to about ten lines a second per file", () => {
    let text = "";
    const stdout = new Writable({
      write(c, _e, cb) {
        text += String(c);
        cb();
      },
    });
    let t = 0;
    const json = createProgressRenderer({ mode: "json", stdout, stderr: stdout, now: () => t });
    // 2 GiB in 64 KiB chunks over two seconds: what the library reported before.
    const size = 2 * 1024 ** 3;
    for (let i = 1; i <= 32768; i++) {
      t = Math.floor((i / 32768) * 2000);
      json.sink({ type: "file", path: "model.safetensors", state: "uploading", bytes: i * 65536, size });
    }
    const lines = text.trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(22);
    expect(JSON.parse(lines.at(-1) ?? "{}")).toMatchObject({ bytes: size, size });
  });
});
