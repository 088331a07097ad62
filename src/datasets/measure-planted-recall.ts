import type { OutputRecord } from "./render-split-file.js";
import { sortRecordKeys as sortKeys } from "./sort-record-keys.js";
import type { RedactionReport } from "./types.js";

/** How many distinct planted values survive verbatim in the published records. Pure. */
export function measurePlantedRecall(
  planted: readonly { category: string; value: string }[],
  splits: { records: OutputRecord[] }[],
): NonNullable<RedactionReport["plantedRecall"]> {
  const text = splits.flatMap((s) => s.records.flatMap((r) => Object.values(r))).join("\n");
  const distinct = new Map<string, string>();
  for (const p of planted) if (p.value.length > 0) distinct.set(p.value, p.category);
  const leakedByCategory: Record<string, number> = {};
  let leaked = 0;
  for (const [value, category] of distinct) {
    if (!text.includes(value)) continue;
    leaked++;
    leakedByCategory[category] = (leakedByCategory[category] ?? 0) + 1;
  }
  const values = distinct.size;
  return {
    values,
    leaked,
    recall: values === 0 ? 1 : (values - leaked) / values,
    leakedByCategory: sortKeys(leakedByCategory),
  };
}
