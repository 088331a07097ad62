/**
 * Scan throughput against the physical limit: `model-release scan` over a checkpoint of at least
 * 2 GB, as a ratio to reading the same bytes with `cat > /dev/null`.
 *
 * The checkpoint mixes what the scanner treats differently:
 * - safetensors shards (only the header is read: tensor data cannot hold strings that matter),
 * - a PyTorch zip optimizer state (its pickle is scanned; its tensor storages are skipped),
 * - a TensorBoard-like binary of random bytes (read whole: every printable run is scanned),
 * - text and JSON files (scanned whole, with secretlint's preset).
 * Two ratios are reported: over the whole checkpoint, and over the bytes the scanner must read
 * in full (the binary and text files), which is the honest worst case.
 *
 * The scan runs in a child process (`bench/scan-child.mjs`, importing dist/ as the CLI does), so
 * its peak RSS is the scan's own, worker threads included: `npm run build` first.
 *
 * `npm run bench -- scan` (the runner uses the default export), or standalone:
 * `npx tsx bench/scan.ts [--gb 2.1] [--jobs N]`.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { randomFillSync } from "node:crypto";
import { open, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Benchmark } from "./types.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ScanBenchResult {
  name: "scan";
  totalBytes: number;
  /** Bytes the scanner reads in full (not safetensors tensor data). */
  fullyScannedBytes: number;
  scanSeconds: number;
  catSeconds: number;
  catFullySeconds: number;
  /** scan time / cat time over the whole checkpoint (1.0 = as fast as reading it). */
  ratioWhole: number;
  /** scan time / cat time over the fully scanned bytes. */
  ratioFullyScanned: number;
  scanMBps: number;
  findings: number;
  peakRssMB: number;
}

async function writeBigFile(file: string, size: number, header?: Buffer): Promise<void> {
  const fh = await open(file, "w");
  try {
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    let pos = 0;
    if (header) {
      await fh.write(header, 0, header.length, 0);
      pos = header.length;
    }
    while (pos < size) {
      randomFillSync(chunk);
      const n = Math.min(chunk.length, size - pos);
      await fh.write(chunk, 0, n, pos);
      pos += n;
    }
  } finally {
    await fh.close();
  }
}

/** A stored (uncompressed) zip shaped like torch.save output: a small pickle and one big storage. */
async function writeTorchZip(file: string, storageBytes: number): Promise<void> {
  const pkl = Buffer.from(
    "\x80\x02}q\x00(X\x05\x00\x00\x00stateq\x01}q\x02X\x0c\x00\x00\x00param_groupsq\x03]q\x04u.",
    "latin1",
  );
  const members: { name: string; size: number; offset: number }[] = [];
  const fh = await open(file, "w");
  let pos = 0;
  const local = async (name: string, size: number) => {
    const h = Buffer.alloc(30 + Buffer.byteLength(name));
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt32LE(size, 18);
    h.writeUInt32LE(size, 22);
    h.writeUInt16LE(Buffer.byteLength(name), 26);
    h.write(name, 30);
    members.push({ name, size, offset: pos });
    await fh.write(h, 0, h.length, pos);
    pos += h.length;
  };
  try {
    await local("optimizer/data.pkl", pkl.length);
    await fh.write(pkl, 0, pkl.length, pos);
    pos += pkl.length;
    await local("optimizer/data/0", storageBytes);
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    for (let left = storageBytes; left > 0; ) {
      randomFillSync(chunk);
      const n = Math.min(left, chunk.length);
      await fh.write(chunk, 0, n, pos);
      pos += n;
      left -= n;
    }
    const cdStart = pos;
    for (const m of members) {
      const c = Buffer.alloc(46 + Buffer.byteLength(m.name));
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt32LE(m.size, 20);
      c.writeUInt32LE(m.size, 24);
      c.writeUInt16LE(Buffer.byteLength(m.name), 28);
      c.writeUInt32LE(m.offset, 42);
      c.write(m.name, 46);
      await fh.write(c, 0, c.length, pos);
      pos += c.length;
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(members.length, 8);
    end.writeUInt16LE(members.length, 10);
    end.writeUInt32LE(pos - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    await fh.write(end, 0, end.length, pos);
  } finally {
    await fh.close();
  }
}

function safetensorsHeader(dataBytes: number, shard: number): Buffer {
  const n = Math.floor(dataBytes / 2);
  const header = {
    __metadata__: { format: "pt" },
    [`model.layers.${shard}.weight`]: { dtype: "BF16", shape: [n], data_offsets: [0, n * 2] },
  };
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const out = Buffer.alloc(8 + json.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8);
  return out;
}

function timeCat(files: string[]): number {
  const t = process.hrtime.bigint();
  execFileSync("sh", ["-c", 'cat "$@" > /dev/null', "cat", ...files]);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Builds the checkpoint in a temp folder, times cat and scan, removes the folder. */
export async function benchScan(
  params: { gigabytes?: number; tmpDir?: string; log?: (line: string) => void; concurrency?: number } = {},
): Promise<ScanBenchResult> {
  if (!existsSync(path.join(repoRoot, "dist", "sanitize", "plan-scan.js")))
    throw new Error("bench/scan.ts runs the scan from dist/: run `npm run build` first");
  const log = params.log ?? (() => {});
  const total = Math.round((params.gigabytes ?? 2.1) * 1e9);
  const dir = await mkdtemp(path.join(params.tmpDir ?? os.tmpdir(), "bench-scan-"));
  try {
    const shardBytes = Math.floor((total * 0.5) / 2 / 2) * 2;
    const storageBytes = Math.floor(total * 0.4);
    const binaryBytes = Math.floor(total * 0.1);
    log(`writing a ${(total / 1e9).toFixed(1)} GB checkpoint in ${dir}`);
    const shards = [1, 2].map((i) => path.join(dir, `model-0000${i}-of-00002.safetensors`));
    for (const [i, f] of shards.entries())
      await writeBigFile(f, shardBytes + safetensorsHeader(shardBytes, i).length, safetensorsHeader(shardBytes, i));
    await mkdir(path.join(dir, "checkpoint-100"));
    const optimizer = path.join(dir, "checkpoint-100/optimizer.pt");
    await writeTorchZip(optimizer, storageBytes);
    await mkdir(path.join(dir, "runs/bench"), { recursive: true });
    const events = path.join(dir, "runs/bench/events.out.tfevents.1.bench");
    await writeBigFile(events, binaryBytes, Buffer.from([0x18, 0x00]));
    const log8 = path.join(dir, "train.log");
    const lines: string[] = [];
    for (let i = 0; lines.length < 100_000; i++)
      lines.push(`step ${i} loss ${(1 / (i + 1)).toFixed(6)} lr 0.0001 grad_norm 0.53 tokens ${i * 4096}`);
    await writeFile(log8, lines.join("\n").repeat(8));
    await writeFile(
      path.join(dir, "config.json"),
      JSON.stringify({ model_type: "llama", hidden_size: 4096, _name_or_path: "org/base" }),
    );
    const files = [...shards, optimizer, events, log8, path.join(dir, "config.json")];
    const sizes = await Promise.all(
      files.map(
        async (f) =>
          await open(f, "r").then(async (h) => {
            const s = (await h.stat()).size;
            await h.close();
            return s;
          }),
      ),
    );
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    const fullyScanned = [events, log8, path.join(dir, "config.json")];
    const fullyScannedBytes = sizes.slice(3).reduce((a, b) => a + b, 0);

    // Flush the writes (so write-back does not compete with the timed reads), warm the page
    // cache, then take the best of two reads for each set.
    execFileSync("sync");
    timeCat(files);
    const catSeconds = Math.min(timeCat(files), timeCat(files));
    const catFullySeconds = Math.min(timeCat(fullyScanned), timeCat(fullyScanned));
    log(`cat: ${catSeconds.toFixed(2)} s whole, ${catFullySeconds.toFixed(2)} s for the fully scanned files`);

    const child = await new Promise<{ scanMs: number; findings: number; maxRssKb: number }>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(repoRoot, "bench", "scan-child.mjs"), JSON.stringify({ dir, concurrency: params.concurrency })],
        { maxBuffer: 1 << 20 },
        (err, stdout) =>
          err ? reject(err) : resolve(JSON.parse(stdout) as { scanMs: number; findings: number; maxRssKb: number }),
      ),
    );
    const scanSeconds = child.scanMs / 1000;
    const findings = { length: child.findings };
    const peak = child.maxRssKb * 1024;
    const result: ScanBenchResult = {
      name: "scan",
      totalBytes,
      fullyScannedBytes,
      scanSeconds,
      catSeconds,
      catFullySeconds,
      ratioWhole: scanSeconds / catSeconds,
      ratioFullyScanned: scanSeconds / catFullySeconds,
      scanMBps: totalBytes / 1e6 / scanSeconds,
      findings: findings.length,
      peakRssMB: Math.round(peak / 1e6),
    };
    log(
      `scan: ${scanSeconds.toFixed(2)} s for ${(totalBytes / 1e9).toFixed(2)} GB (${result.scanMBps.toFixed(0)} MB/s), ` +
        `${result.ratioWhole.toFixed(2)}x cat over the checkpoint, ${result.ratioFullyScanned.toFixed(2)}x cat over the ${(fullyScannedBytes / 1e9).toFixed(2)} GB read in full; ` +
        `peak RSS ${result.peakRssMB} MB, ${findings.length} findings in random data`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const bench: Benchmark = {
  name: "scan",
  description:
    "secret scan of a 2.1 GB checkpoint (safetensors shards, torch optimizer zip, random binary, log) against cat > /dev/null",
  async run({ tmpDir, log }) {
    const r = await benchScan({ tmpDir, log });
    return [
      {
        name: "scan time / cat time (whole checkpoint)",
        value: r.ratioWhole,
        unit: "x",
        note: `${(r.totalBytes / 1e9).toFixed(2)} GB in ${r.scanSeconds.toFixed(1)} s, ${r.scanMBps.toFixed(0)} MB/s`,
      },
      {
        name: "scan time / cat time (bytes read in full)",
        value: r.ratioFullyScanned,
        unit: "x",
        note: `${(r.fullyScannedBytes / 1e9).toFixed(2)} GB of binary strings and text`,
      },
      { name: "scan peak RSS", value: r.peakRssMB, unit: "MB", goal: { max: 200 } },
    ];
  },
};
export default bench;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const gbArg = process.argv.indexOf("--gb");
  const gigabytes = gbArg > 0 ? Number(process.argv[gbArg + 1]) : undefined;
  const jobsArg = process.argv.indexOf("--jobs");
  const concurrency = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : undefined;
  const r = await benchScan({ gigabytes, concurrency, log: (l) => console.log(l) });
  console.log(JSON.stringify(r, null, 2));
}
