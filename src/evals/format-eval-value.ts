/**
 * One way to print an evaluation value and its change, everywhere a release shows them (review
 * page, `diff`, release notes): scores on a 0–1 scale as percentages, changes of them in
 * percentage points, anything else (perplexity, latency) as measured. Pure.
 */
export function formatEvalValue(value: number | undefined, scale: "fraction" | "raw" | undefined): string {
  if (value === undefined) return "–";
  if (scale === "fraction") return `${(value * 100).toFixed(1)}%`;
  return String(Number(value.toPrecision(6)));
}

/** A change of an evaluation value, signed: `+2.3 pp` for scores in percent, `−0.12` otherwise. */
export function formatEvalDelta(delta: number | undefined, scale: "fraction" | "raw" | undefined): string {
  if (delta === undefined) return "–";
  const sign = delta > 0 ? "+" : delta < 0 ? "−" : "±";
  if (scale === "fraction") return `${sign}${Math.abs(delta * 100).toFixed(1)} pp`;
  return `${sign}${Number(Math.abs(delta).toPrecision(4))}`;
}
