// Child process of bench/hash-build.ts: one buildRelease from dist/, then its own timings and
// peak RSS (process.resourceUsage().maxRSS covers the hashing worker threads too) as JSON.
import { buildRelease } from "../dist/index.js";

const p = JSON.parse(process.argv[2]);
const t0 = performance.now();
const r = await buildRelease({ configFile: p.config, version: "1.0.0", checkpoint: p.checkpoint, outDir: p.out, concurrency: p.jobs, ...(p.cacheDir ? { cacheDir: p.cacheDir } : {}) });
const buildMs = performance.now() - t0;
process.stdout.write(JSON.stringify({ buildMs, maxRssKb: process.resourceUsage().maxRSS, cacheHits: r.cacheHits, hashedBytes: r.hashedBytes, files: r.manifest.files.length }));
