// One byte unit for everything printed (binary, IEC): the formatter lives with the core.
export { formatBytes } from "../bundle/format-bytes.js";

/** `1.2B`, `350M`, `7.0K` parameter counts. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}
