/**
 * Build against the physical limit: `sha256sum` over the same files with the same parallelism
 * (`xargs -P <cores>`). Measures, in one run: build wall time / sha256sum wall time (goal
 * <= 1.1), build peak RSS (goal < 200 MB, and flat when the checkpoint doubles), and a
 * rebuild's time as a fraction of the first build (goal <= 0.02).
 *
 * Each build runs in a child process (`bench/build-child.mjs` via dist/) so its peak RSS is its
 * own; page cache is warmed by a first sha256sum pass so both sides read from memory.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, open, utimes, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Benchmark, BenchMetric } from "./types.js";

/** One BF16 tensor of 8192 x 4096: 64 MiB. */
const TENSOR_SHAPE = [8192, 4096];
const TENSOR_BYTES = TENSOR_SHAPE[0]! * TENSOR_SHAPE[1]! * 2;
const TENSORS_PER_SHARD = 7; // 448 MiB shards
const SHARDS = Number(process.env.BENCH_SHARDS ?? 5); // 5 x 448 MiB = 2.35 GB

/** Writes one shard by streaming a 64 MiB random block per tensor: never the whole shard in memory. */
async function writeShard(file: string, names: string[], block: Buffer): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  names.forEach((n, i) => {
    header[n] = { dtype: "BF16", shape: TENSOR_SHAPE, data_offsets: [i * TENSOR_BYTES, (i + 1) * TENSOR_BYTES] };
  });
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fh = await open(file, "w");
  try {
    await fh.write(Buffer.concat([len, Buffer.from(json)]));
    for (let i = 0; i < names.length; i++) {
      block[i % block.length] = (block[i % block.length] ?? 0) ^ 0x5a; // distinct tensors
      await fh.write(block);
    }
  } finally {
    await fh.close();
  }
}

/** Writes `shards` shards plus index and metadata; returns the published files. */
async function writeCheckpoint(dir: string, shards: number, block: Buffer): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  for (let s = 0; s < shards; s++) {
    const name = `model-${String(s + 1).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.safetensors`;
    const tensors = Array.from(
      { length: TENSORS_PER_SHARD },
      (_, t) => `model.layers.${s * TENSORS_PER_SHARD + t}.mlp.up_proj.weight`,
    );
    await writeShard(path.join(dir, name), tensors, block);
    for (const t of tensors) weightMap[t] = name;
    files.push(name);
  }
  await writeFile(
    path.join(dir, "model.safetensors.index.json"),
    JSON.stringify(
      { metadata: { total_size: shards * TENSORS_PER_SHARD * TENSOR_BYTES }, weight_map: weightMap },
      null,
      2,
    ),
  );
  await writeFile(
    path.join(dir, "config.json"),
    JSON.stringify({ architectures: ["LlamaForCausalLM"], model_type: "llama" }),
  );
  files.push("model.safetensors.index.json", "config.json");
  // A finished checkpoint is older than the build: put mtimes in the past, as they would be.
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const f of files) await utimes(path.join(dir, f), hourAgo, hourAgo);
  return files.map((f) => path.join(dir, f));
}

function run(
  cmd: string,
  args: string[],
  opts: { input?: string; cwd?: string } = {},
): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ["pipe", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve({ ms: performance.now() - t0, stdout }) : reject(new Error(`${cmd} exited ${code}`)),
    );
    child.stdin.end(opts.input ?? "");
  });
}

const sha256sumParallel = (files: string[], jobs: number) =>
  run("xargs", ["-0", "-P", String(jobs), "-n", "1", "sha256sum"], { input: files.join("\0") });

interface ChildResult {
  /** The first call in the child (a fresh process, as the CLI runs it). */
  buildMs: number;
  /** Every call, when `repeat` > 1: later ones are warm (the library in a long-lived process). */
  runsMs: number[];
  maxRssKb: number;
  cacheHits: number;
  hashedBytes: number;
  files: number;
}

async function buildInChild(
  repoRoot: string,
  params: { config: string; checkpoint: string; out: string; cacheDir?: string; jobs: number; repeat?: number },
): Promise<ChildResult & { processMs: number }> {
  const r = await run(process.execPath, [path.join(repoRoot, "bench", "build-child.mjs"), JSON.stringify(params)]);
  return { ...(JSON.parse(r.stdout) as ChildResult), processMs: r.ms };
}

const bench: Benchmark = {
  name: "hash-build",
  description: "build vs sha256sum on a >= 2 GB checkpoint: wall time, peak RSS, cached rebuild",
  async run({ tmpDir, repoRoot, log }) {
    const jobs = availableParallelism();
    const block = randomBytes(TENSOR_BYTES);
    const small = path.join(tmpDir, "ckpt");
    const big = path.join(tmpDir, "ckpt-2x");
    log(
      `writing ${SHARDS} shards (${((SHARDS * TENSORS_PER_SHARD * TENSOR_BYTES) / 1e9).toFixed(2)} GB) and a checkpoint twice that size in ${tmpDir}`,
    );
    const files = await writeCheckpoint(small, SHARDS, block);
    const files2x = await writeCheckpoint(big, SHARDS * 2, block);
    const config = path.join(tmpDir, "bench.yaml");
    // A config a release can be built from: the card sections build refuses to leave empty, and
    // an evaluation result (the card's results and summary come from it).
    await writeFile(
      config,
      [
        "name: bench",
        "checkpoint: ./ckpt",
        "base_model: meta-llama/Llama-3.1-8B",
        "task: text-generation",
        "hub:",
        "  repo: bench/bench",
        "card:",
        "  summary: A fine-tune of Llama 3.1 8B with random weights, for the build benchmark.",
        "  intended_uses: [Measuring how long a release build takes.]",
        "  out_of_scope: [Anything else; the weights are random.]",
        "  recommendations: [Do not use these weights.]",
        "  evaluation: {testing_data: None; the weights are random.}",
        "training: {hyperparameters: {epochs: 1, precision: bf16}}",
        "evals:",
        "  results: [evals.yaml]",
        "",
      ].join("\n"),
    );
    await writeFile(
      path.join(tmpDir, "evals.yaml"),
      [
        "format: model-release/evals@1",
        "harness: {name: bench-harness, version: 0.1.0}",
        "benchmarks:",
        "  - name: random",
        "    samples: 100",
        "    metrics:",
        "      - {name: accuracy, value: 0.25}",
        "",
      ].join("\n"),
    );

    // Warm the page cache for both sides, then alternate and keep the best of two for each.
    await sha256sumParallel(files, jobs);
    const shaRuns: number[] = [];
    const buildRuns: (ChildResult & { processMs: number })[] = [];
    for (let i = 0; i < 2; i++) {
      shaRuns.push((await sha256sumParallel(files, jobs)).ms);
      buildRuns.push(
        await buildInChild(repoRoot, { config, checkpoint: small, out: path.join(tmpDir, `out-${i}`), jobs }),
      );
    }
    const sha = Math.min(...shaRuns);
    const first = buildRuns.reduce((a, b) => (a.processMs <= b.processMs ? a : b));
    log(
      `sha256sum -P ${jobs}: ${shaRuns.map((m) => m.toFixed(0)).join(", ")} ms; build (process): ${buildRuns.map((b) => b.processMs.toFixed(0)).join(", ")} ms; build (in-process): ${buildRuns.map((b) => b.buildMs.toFixed(0)).join(", ")} ms`,
    );

    // Cached rebuild: first build fills the cache, the second is served from it.
    const cacheDir = path.join(tmpDir, "cache");
    const filled = await buildInChild(repoRoot, {
      config,
      checkpoint: small,
      out: path.join(tmpDir, "out-cache"),
      cacheDir,
      jobs,
    });
    // Best of three rebuilds (a shared machine's scheduler noise dwarfs a ~20 ms rebuild); the
    // first build is the fastest full-hash build of this run, which makes the ratio conservative.
    const rebuilds: (ChildResult & { processMs: number })[] = [];
    for (let i = 0; i < 3; i++)
      rebuilds.push(
        await buildInChild(repoRoot, {
          config,
          checkpoint: small,
          out: path.join(tmpDir, "out-cache"),
          cacheDir,
          jobs,
          repeat: 3,
        }),
      );
    const warmInProcess = Math.min(...rebuilds.flatMap((r) => r.runsMs.slice(1)));
    const warm = rebuilds.reduce((a, b) => (a.buildMs <= b.buildMs ? a : b));
    const cold = [filled, ...buildRuns].reduce((a, b) => (a.buildMs <= b.buildMs ? a : b));
    const coldProcess = Math.min(filled.processMs, ...buildRuns.map((b) => b.processMs));
    log(
      `cached rebuilds: ${warm.cacheHits}/${warm.files} files from the cache, ${warm.hashedBytes} bytes hashed, ${rebuilds.map((r) => r.buildMs.toFixed(1)).join(", ")} ms in-process, ${rebuilds.map((r) => r.processMs.toFixed(0)).join(", ")} ms with node startup`,
    );

    await sha256sumParallel(files2x, jobs);
    const doubled = await buildInChild(repoRoot, { config, checkpoint: big, out: path.join(tmpDir, "out-2x"), jobs });

    const metrics: BenchMetric[] = [
      {
        name: "build wall / sha256sum wall (same files, -P cores)",
        value: first.processMs / sha,
        unit: "x",
        goal: { max: 1.1 },
        note: `${first.processMs.toFixed(0)} ms vs ${sha.toFixed(0)} ms, ${jobs} cores, whole process`,
      },
      { name: "build (in-process) / sha256sum", value: first.buildMs / sha, unit: "x", note: "without node startup" },
      { name: "build peak RSS", value: Math.round(first.maxRssKb / 1024), unit: "MB", goal: { max: 200 } },
      {
        name: "build peak RSS, checkpoint doubled",
        value: Math.round(doubled.maxRssKb / 1024),
        unit: "MB",
        goal: { max: 200 },
        note: `${files2x.length} files, growth ${(((doubled.maxRssKb - first.maxRssKb) / first.maxRssKb) * 100).toFixed(1)}%`,
      },
      {
        name: "rebuild / first build (hash cache)",
        value: warm.buildMs / cold.buildMs,
        unit: "x",
        goal: { max: 0.02 },
        note: `${warm.buildMs.toFixed(1)} ms vs ${cold.buildMs.toFixed(0)} ms, in a fresh process, without node startup`,
      },
      {
        name: "rebuild / first build, warm process",
        value: warmInProcess / cold.buildMs,
        unit: "x",
        note: `${warmInProcess.toFixed(1)} ms: the library called again in a long-lived process`,
      },
      {
        name: "rebuild / first build, whole process",
        value: Math.min(...rebuilds.map((r) => r.processMs)) / coldProcess,
        unit: "x",
        note: "includes node startup and module loading",
      },
    ];
    return metrics;
  },
};

export default bench;
