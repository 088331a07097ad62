/**
 * `npm run bench [-- name...]`: runs each benchmark module in its own temporary folder, prints
 * its measurements against their goals, and deletes the folder. A benchmark, not a test: it
 * exits 0 whatever the numbers, so a slow machine does not fail CI.
 *
 * To add one: write bench/<name>.ts exporting a default `Benchmark` and list it below.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Benchmark, BenchMetric } from "./types.js";

const BENCHMARKS: (() => Promise<{ default: Benchmark }>)[] = [
  () => import("./hash-build.js"),
  () => import("./hub-upload.js"),
  () => import("./scan.js"),
  () => import("./detection.js"),
  () => import("./publish-rerelease.js"),
  () => import("./rerelease-build.js"),
  () => import("./publish-speed.js"),
];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));

function formatMetric(m: BenchMetric): string {
  const value = Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(3);
  const goal = m.goal
    ? `  goal <= ${m.goal.max}${m.unit === "x" ? "" : ` ${m.unit}`}  ${m.value <= m.goal.max ? "PASS" : "MISS"}`
    : "";
  return `  ${m.name.padEnd(44)} ${`${value} ${m.unit}`.padStart(14)}${goal}${m.note ? `  (${m.note})` : ""}`;
}

for (const load of BENCHMARKS) {
  const bench = (await load()).default;
  if (only.length > 0 && !only.includes(bench.name)) continue;
  // bench/.tmp (gitignored) by default: the big checkpoints are sparse, but servers' copies are not.
  const base = process.env.BENCH_TMPDIR ?? path.join(repoRoot, "bench", ".tmp");
  await mkdir(base, { recursive: true });
  const tmpDir = await mkdtemp(path.join(base, `mr-bench-${bench.name}-`));
  process.stdout.write(`\n${bench.name}: ${bench.description}\n`);
  try {
    const metrics = await bench.run({ tmpDir, repoRoot, log: (l) => process.stdout.write(`  · ${l}\n`) });
    for (const m of metrics) process.stdout.write(`${formatMetric(m)}\n`);
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
