/**
 * Benchmark: upload a >= 1 GB file through `@huggingface/hub` to the local Hub and compare its
 * throughput with a raw `curl` PUT of the same file to the same server (the physical limit of
 * this machine's disk, loopback and the server's hash-while-writing path).
 *
 * The default export is the `Benchmark` that `npm run bench` runs; `benchHubUpload()` returns
 * the raw numbers. Standalone: `npx tsx bench/hub-upload.ts [sizeMiB]`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, mkdtemp, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRepo, uploadFile } from "@huggingface/hub";
import { createHubUser } from "../src/local/hub/hub-users.js";
import { curlPut } from "./curl-put.js";
import type { Benchmark } from "./types.js";

/** Starts the server in a child process (see hub-server-process.ts) and waits for its URL. */
export async function spawnHubServer(dataDir: string, chunk?: number): Promise<{ proc: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL("./hub-server-process.ts", import.meta.url));
  const proc = spawn(process.execPath, ["--import", "tsx", script, dataDir, ...(chunk ? [String(chunk)] : [])], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = "";
    proc.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("\n")) resolve((JSON.parse(buf.split("\n")[0]!) as { url: string }).url);
    });
    proc.once("exit", (code) => reject(new Error(`hub server process exited with ${code}`)));
  });
  return { proc, url };
}

export interface HubUploadBenchResult {
  name: "hub-upload";
  sizeBytes: number;
  /** Wall time of `uploadFile` (client hashing, preupload, LFS batch, multipart PUTs, commit). */
  clientSeconds: number;
  /** Wall time of `curl -T` to a signed basic-transfer URL (server still hashes and fsyncs). */
  curlSeconds: number;
  clientMBps: number;
  curlMBps: number;
  /** clientMBps / curlMBps: 1.0 means the client costs nothing over a raw PUT. */
  ratio: number;
}

/** Writes `size` bytes of incompressible data, 16 MiB at a time. */
async function writeTestFile(path: string, size: number): Promise<void> {
  const block = randomBytes(16 * 1024 * 1024);
  const fh = await open(path, "w");
  try {
    for (let off = 0, n = 0; off < size; off += block.length, n++) {
      block.writeUInt32LE(n, 0); // no two blocks identical
      await fh.write(block, 0, Math.min(block.length, size - off));
    }
  } finally {
    await fh.close();
  }
}

/**
 * Runs the benchmark in `dir` (default: a new temp dir), deleting what it wrote afterwards.
 * Default size: 1 GiB.
 */
export async function benchHubUpload(
  params: { sizeBytes?: number; multipartChunkBytes?: number; dir?: string } = {},
): Promise<HubUploadBenchResult> {
  const sizeBytes = params.sizeBytes ?? 1024 ** 3;
  const dir = await mkdtemp(join(params.dir ?? tmpdir(), "bench-hub-upload-"));
  const dataDir = join(dir, "hub");
  const { token } = await createHubUser({ dataDir, name: "bench" });
  const hub = await spawnHubServer(dataDir, params.multipartChunkBytes);
  try {
    const file = join(dir, "weights.bin");
    await writeTestFile(file, sizeBytes);
    const repo = "bench/big";
    await createRepo({ repo, accessToken: token, hubUrl: hub.url });

    // Baseline first: a signed basic-transfer URL for the file, then a plain curl PUT.
    const h = createHash("sha256");
    for await (const c of createReadStream(file)) h.update(c as Buffer);
    const oid = h.digest("hex");
    const batch = await fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid, size: sizeBytes }] }),
    });
    const href = ((await batch.json()) as { objects: { actions: { upload: { href: string } } }[] }).objects[0]!.actions
      .upload.href;
    const t0 = performance.now();
    await curlPut(file, href);
    const curlSeconds = (performance.now() - t0) / 1000;
    // Forget the object so the client has to upload it too (the batch API skips stored objects).
    await unlink(join(dataDir, "objects", oid.slice(0, 2), oid));

    const t1 = performance.now();
    await uploadFile({
      repo,
      file: { path: "weights.bin", content: pathToFileURL(file) },
      accessToken: token,
      hubUrl: hub.url,
    });
    const clientSeconds = (performance.now() - t1) / 1000;

    const mb = sizeBytes / 1e6;
    return {
      name: "hub-upload",
      sizeBytes,
      clientSeconds,
      curlSeconds,
      clientMBps: mb / clientSeconds,
      curlMBps: mb / curlSeconds,
      ratio: curlSeconds / clientSeconds,
    };
  } finally {
    hub.proc.kill("SIGTERM");
    await new Promise((r) => hub.proc.once("exit", r));
    await rm(dir, { recursive: true, force: true });
  }
}

const bench: Benchmark = {
  name: "hub-upload",
  description: "1 GiB through @huggingface/hub to the local Hub vs a raw curl PUT of the same file to the same server",
  async run({ tmpDir, log }) {
    const r = await benchHubUpload({ dir: tmpDir });
    log(
      `@huggingface/hub uploadFile: ${r.clientSeconds.toFixed(2)} s (${r.clientMBps.toFixed(0)} MB/s); curl -T: ${r.curlSeconds.toFixed(2)} s (${r.curlMBps.toFixed(0)} MB/s)`,
    );
    return [
      { name: "uploadFile 1 GiB (hash, multipart PUTs, commit)", value: r.clientSeconds, unit: "s" },
      { name: "curl PUT 1 GiB (server hashes and fsyncs)", value: r.curlSeconds, unit: "s" },
      {
        name: "client time / curl time",
        value: r.clientSeconds / r.curlSeconds,
        unit: "x",
        goal: { max: 4 },
        note: `throughput ratio ${r.ratio.toFixed(2)}; the client also hashes the file once before uploading`,
      },
    ];
  },
};
export default bench;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const mib = Number(process.argv[2] ?? 1024);
  const r = await benchHubUpload({ sizeBytes: mib * 1024 * 1024 });
  console.log(
    `hub-upload: ${(r.sizeBytes / 1e9).toFixed(2)} GB via @huggingface/hub ${r.clientSeconds.toFixed(2)} s (${r.clientMBps.toFixed(0)} MB/s), ` +
      `curl PUT ${r.curlSeconds.toFixed(2)} s (${r.curlMBps.toFixed(0)} MB/s), ratio ${r.ratio.toFixed(2)}`,
  );
}
