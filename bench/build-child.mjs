// Child process of bench/hash-build.ts: buildRelease from dist/ (imported the way the CLI's
// `build` command lazy-imports it), `repeat` times in this process, then the timing of each
// call and the peak RSS (process.resourceUsage().maxRSS covers the hashing worker threads) as JSON.
// `dist` (optional) points at another build of the library, e.g. the starting commit's, to
// measure before and after in one run.
import { pathToFileURL } from "node:url";

const p = JSON.parse(process.argv[2]);
const { buildRelease } = await import(
  p.dist ? pathToFileURL(`${p.dist}/bundle/build-release.js`).href : "../dist/bundle/build-release.js"
);
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
