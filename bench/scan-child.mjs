// Child process of bench/scan.ts: scanCheckpoint from dist/ (as the CLI's `scan` command
// lazy-imports it) over one folder, then its time, findings and the process's peak RSS
// (process.resourceUsage().maxRSS covers the scan's worker threads) as JSON.
import { scanCheckpoint } from "../dist/sanitize/scan-checkpoint.js";

const p = JSON.parse(process.argv[2]);
const t0 = performance.now();
const findings = await scanCheckpoint({ dir: p.dir, ...(p.concurrency ? { concurrency: p.concurrency } : {}) });
const scanMs = performance.now() - t0;
process.stdout.write(JSON.stringify({ scanMs, findings: findings.length, maxRssKb: process.resourceUsage().maxRSS }));
