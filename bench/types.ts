/** One number a benchmark measured, with the goal it is judged against (if any). */
export interface BenchMetric {
  name: string;
  value: number;
  unit: string;
  /** Pass when `value <= max` (ratios against the physical limit, memory caps). */
  goal?: { max: number };
  note?: string;
}

export interface Benchmark {
  name: string;
  description: string;
  /** Runs in a fresh temporary folder that the runner deletes afterwards. */
  run(params: { tmpDir: string; repoRoot: string; log: (line: string) => void }): Promise<BenchMetric[]>;
}
