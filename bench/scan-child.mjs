// Child process of bench/scan.ts: what `model-release scan` runs (planScan from dist/, as the
// CLI lazy-imports it: the build's sanitize plan, dropped files scanned too) over one folder,
// then its time, findings and the process's peak RSS (process.resourceUsage().maxRSS covers the
// scan's worker threads) as JSON.
import { planScan } from "../dist/sanitize/plan-scan.js";

const p = JSON.parse(process.argv[2]);
const t0 = performance.now();
const { findings } = await planScan({ dir: p.dir, ...(p.concurrency ? { concurrency: p.concurrency } : {}) });
const scanMs = performance.now() - t0;
process.stdout.write(JSON.stringify({ scanMs, findings: findings.length, maxRssKb: process.resourceUsage().maxRSS }));
