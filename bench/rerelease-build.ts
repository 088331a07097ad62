/**
 * The maintainer's real re-release: next version, a NEW bundle folder, only the card edited, in
 * a fresh process. Goal: <= 0.02x the first build (which hashes every byte), at 16 GiB and at a
 * 250 GB sparse checkpoint (`BENCH_RERELEASE_GB`, default "16,250"; GiB below 100, GB above).
 * With `BENCH_BEFORE_DIST=<dist folder of another build>` the same is measured with that build
 * too, in the same run (how the starting commit's figure was taken).
 */
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { writeBenchReleaseConfig, writeSparseCheckpoint } from "./sparse-checkpoint.js";
import type { Benchmark, BenchMetric } from "./types.js";

interface ChildResult {
  buildMs: number;
  cacheHits: number;
  hashedBytes: number;
  files: number;
}

function buildInChild(
  repoRoot: string,
  params: { config: string; checkpoint: string; out: string; cacheDir: string; jobs: number; dist?: string },
): Promise<ChildResult & { processMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(repoRoot, "bench", "build-child.mjs"), JSON.stringify(params)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve({ ...(JSON.parse(out) as ChildResult), processMs: performance.now() - t0 })
        : reject(new Error(`build child exited ${code}`)),
    );
  });
}

const sizes = (process.env.BENCH_RERELEASE_GB ?? "16,250")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);

const bench: Benchmark = {
  name: "rerelease-build",
  description: `card-only re-release into a new folder vs the first build (sparse checkpoints: ${sizes.map((s) => (s < 100 ? `${s} GiB` : `${s} GB`)).join(", ")})`,
  async run({ tmpDir, repoRoot, log }) {
    const jobs = availableParallelism();
    const metrics: BenchMetric[] = [];
    const builds: { label: string; dist?: string }[] = [{ label: "" }];
    if (process.env.BENCH_BEFORE_DIST)
      builds.push({ label: " (before)", dist: path.resolve(process.env.BENCH_BEFORE_DIST) });
    for (const size of sizes) {
      const totalBytes = size < 100 ? size * 1024 ** 3 : size * 1e9;
      const shards = Math.max(2, Math.round(totalBytes / 5e9));
      const dir = path.join(tmpDir, `${size}`);
      const ckpt = path.join(dir, "ckpt");
      const { weightBytes } = await writeSparseCheckpoint(ckpt, { shards, totalBytes });
      const label = size < 100 ? `${size} GiB` : `${size} GB`;
      for (const b of builds) {
        const run = path.join(dir, `run${b.label ? "-before" : ""}`);
        const cacheDir = path.join(run, "cache");
        await mkdir(run, { recursive: true });
        const v1 = path.join(run, "v1.yaml");
        const v2 = path.join(run, "v2.yaml");
        await writeBenchReleaseConfig(v1, {
          checkpointDir: ckpt,
          repo: "bench/bench",
          summary: "A release benchmark.",
        });
        await writeBenchReleaseConfig(v2, { checkpointDir: ckpt, repo: "bench/bench", summary: "A better card." });
        const common = { checkpoint: ckpt, cacheDir, jobs, ...(b.dist ? { dist: b.dist } : {}) };
        const first = await buildInChild(repoRoot, { ...common, config: v1, out: path.join(run, "1.0.0") });
        const second = await buildInChild(repoRoot, { ...common, config: v2, out: path.join(run, "1.0.1") });
        log(
          `${label}${b.label}: ${shards} shards, ${(weightBytes / 1e9).toFixed(1)} GB; first build ${first.buildMs.toFixed(0)} ms, ` +
            `card-only re-release into a new folder ${second.buildMs.toFixed(0)} ms (${second.cacheHits}/${second.files} files from the cache, ${second.hashedBytes} bytes hashed)`,
        );
        metrics.push({
          name: `re-release, new folder / first build, ${label}${b.label}`,
          value: second.buildMs / first.buildMs,
          unit: "x",
          goal: { max: 0.02 },
          note: `${second.buildMs.toFixed(0)} ms vs ${first.buildMs.toFixed(0)} ms in a fresh process, without node startup; whole process ${(second.processMs / first.processMs).toFixed(3)}x`,
        });
      }
    }
    return metrics;
  },
};
export default bench;
