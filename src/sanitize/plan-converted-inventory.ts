import type { DtypeStats, Inventory } from "../checkpoint/types.js";
import { CONVERTED_INDEX } from "./plan-conversion.js";
import type { SanitizePlan } from "./types.js";

/**
 * The inventory as the release publishes it: the checkpoint's own counts plus the tensors of the
 * pickle weights the sanitizer converts (from the conversion plans, before anything is written),
 * so the card, the report and `build --json` count parameters and dtypes of a pickle-only
 * checkpoint. `files` and `layout` stay as inspected. Pure; returns `inventory` itself when
 * nothing is converted.
 */
export function planConvertedInventory(
  inventory: Inventory,
  plan: Pick<SanitizePlan, "conversions" | "rewrites">,
): Inventory {
  const conversions = [...(plan.conversions ?? [])].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (conversions.length === 0) return inventory;
  const dtypes: Record<string, DtypeStats> = Object.fromEntries(
    Object.entries(inventory.dtypes).map(([k, v]) => [k, { ...v }]),
  );
  let tensors = inventory.tensors;
  let parameters = inventory.parameters;
  for (const c of conversions) {
    for (const t of c.tensors) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      dtypes[t.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 };
      const d = dtypes[t.dtype]!;
      d.tensors++;
      d.parameters += n;
      d.bytes += t.bytes;
      tensors++;
      parameters += n;
    }
  }
  const index = plan.rewrites.find((r) => r.path === CONVERTED_INDEX && r.role === "weights-index");
  return {
    ...inventory,
    tensors,
    parameters,
    dtypes: Object.fromEntries(Object.entries(dtypes).sort(([a], [b]) => (a < b ? -1 : 1))),
    shards: [...inventory.shards, ...conversions.map((c) => c.path)],
    ...(index && !inventory.index
      ? {
          index: {
            path: CONVERTED_INDEX,
            tensors: conversions.reduce((a, c) => a + c.tensors.length, 0),
            totalSize: conversions.reduce((a, c) => a + c.tensors.reduce((x, t) => x + t.bytes, 0), 0),
          },
        }
      : {}),
  };
}
