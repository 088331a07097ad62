/**
 * Detection quality of the engine on the corpus in tests/fixtures/detection-corpus: detection
 * rate per provider on the positives (gitleaks' and own fake tokens, Korean personal data,
 * addresses, encodings, normalisation), false positives on the negatives, and blocking findings
 * on real-world-shaped model configs (Llama, Qwen, gpt-oss, Mistral/Devstral, DeepSeek).
 * Also the engine's speed on a training log, as a ratio to one `indexOf` pass over the same text
 * (a memory-bandwidth reference measured in the same run).
 *
 * `npm run bench -- detection`, or `npx tsx bench/detection.ts`.
 */
import path from "node:path";
import { detectSecrets } from "../src/detect/detect-secrets.js";
import { evaluateCorpus } from "../tests/fixtures/detection-corpus/evaluate.js";
import type { Benchmark, BenchMetric } from "./types.js";

function logText(bytes: number): string {
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `step ${i} loss ${(1 / (i + 1)).toFixed(6)} lr 0.0001 grad_norm 0.53 tokens ${i * 4096} host gpu-${i % 64}`;
    lines.push(l);
    n += l.length + 1;
  }
  return lines.join("\n");
}

function best(f: () => void, runs = 3): number {
  let t = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}

export function runDetectionBench(log: (l: string) => void = () => {}): BenchMetric[] {
  const r = evaluateCorpus();
  const metrics: BenchMetric[] = [];
  let total = 0;
  let found = 0;
  for (const [provider, row] of [...r.perProvider].sort()) {
    total += row.total;
    found += row.found;
    metrics.push({
      name: `detected: ${provider}`,
      value: (100 * row.found) / row.total,
      unit: "%",
      note: `${row.found}/${row.total}`,
    });
  }
  metrics.push({
    name: "missed positives (all providers)",
    value: (100 * (total - found)) / total,
    unit: "%",
    goal: { max: 1 },
    note: `${total - found} of ${total}`,
  });
  metrics.push({
    name: "false positives on negatives",
    value: r.falsePositives.length,
    unit: "cases",
    goal: { max: 0 },
  });
  metrics.push({
    name: "blocking findings on real-world configs",
    value: r.realWorld.reduce((a, f) => a + f.rules.length, 0),
    unit: "findings",
    goal: { max: 0 },
    note: r.realWorld.map((f) => path.basename(path.dirname(f.file))).join(", ") || "none",
  });
  for (const fp of r.falsePositives) log(`false positive (${fp.provider}): ${fp.rules.join(", ")}`);

  const text = logText(8 * 1024 * 1024);
  const ref = best(() => text.indexOf("\u0000"));
  const t = best(() => detectSecrets(text));
  log(`engine on an 8 MiB training log: ${t.toFixed(0)} ms (${(8 / (t / 1000)).toFixed(0)} MiB/s)`);
  metrics.push({
    name: "engine time / indexOf time (8 MiB log)",
    value: t / ref,
    unit: "x",
    note: `${(8 / (t / 1000)).toFixed(0)} MiB/s`,
  });
  return metrics;
}

const bench: Benchmark = {
  name: "detection",
  description: "detection rate per provider, false positives, real-world model configs, engine speed",
  async run({ log }) {
    return runDetectionBench(log);
  },
};
export default bench;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  for (const m of runDetectionBench((l) => console.log(l)))
    console.log(m.name, m.value.toFixed(2), m.unit, m.note ?? "");
}
