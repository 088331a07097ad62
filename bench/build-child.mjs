// Child process of bench/hash-build.ts: buildRelease from dist/ (imported the way the CLI's
// `build` command lazy-imports it), `repeat` times in this process, then the timing of each
// call and the peak RSS (process.resourceUsage().maxRSS covers the hashing worker threads) as JSON.
import { buildRelease } from "../dist/bundle/build-release.js";

const p = JSON.parse(process.argv[2]);
const runs = [];
let r;
for (let i = 0; i < (p.repeat ?? 1); i++) {
  const t0 = performance.now();
  r = await buildRelease({
    configFile: p.config,
    version: "1.0.0",
    checkpoint: p.checkpoint,
    outDir: p.out,
    concurrency: p.jobs,
    ...(p.cacheDir ? { cacheDir: p.cacheDir } : {}),
  });
  runs.push(performance.now() - t0);
}
process.stdout.write(
  JSON.stringify({
    buildMs: runs[0],
    runsMs: runs,
    maxRssKb: process.resourceUsage().maxRSS,
    cacheHits: r.cacheHits,
    hashedBytes: r.hashedBytes,
    files: r.manifest.files.length,
  }),
);
