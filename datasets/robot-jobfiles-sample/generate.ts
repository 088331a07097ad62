/**
 * Regenerates the synthetic sample pairs in this folder (deterministic from the seed):
 *
 *   npx tsx datasets/robot-jobfiles-sample/generate.ts
 *
 * Writes pairs/<id>/<job file> and pairs/<id>/<drl file>, and planted.json: every fictitious
 * sensitive value planted in each pair, which the tests use to prove that none survives a build.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateSyntheticPairs } from "../../src/datasets/generate-synthetic-pairs.js";

export const SAMPLE_SEED = "robot-jobfiles-sample-v1";
export const SAMPLE_COUNT = 24;

const here = import.meta.dirname;
const pairs = generateSyntheticPairs({ seed: SAMPLE_SEED, count: SAMPLE_COUNT });
await rm(path.join(here, "pairs"), { recursive: true, force: true });
for (const p of pairs) {
  const dir = path.join(here, "pairs", p.id);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, p.hyundaiFile), p.hyundaiText);
  await writeFile(path.join(dir, p.drlFile), p.drlText);
}
const planted = Object.fromEntries(pairs.map((p) => [p.id, p.planted]));
await writeFile(path.join(here, "planted.json"), JSON.stringify({ seed: SAMPLE_SEED, count: SAMPLE_COUNT, planted }, null, 2) + "\n");
console.log(`wrote ${pairs.length} pairs to ${path.relative(process.cwd(), here)}/pairs`);
