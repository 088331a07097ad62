import { structuredPatch, createTwoFilesPatch } from "diff";
import type { Manifest } from "../bundle/types.js";

/** What a bundle says about itself, as `diff` compares it. */
export interface BundleSnapshot {
  version: string;
  manifest: Pick<Manifest, "files">;
  parameters?: number;
  dtypes?: Record<string, { parameters: number }>;
  /** Flat metric list: benchmark, metric, value in [0,1] or raw. */
  evals?: { benchmark: string; metric: string; value: number; scale?: "fraction" | "raw" }[];
  card?: string;
}

export interface ReleaseDiff {
  from: { version: string };
  to: { version: string };
  files: {
    added: { path: string; size: number }[];
    removed: { path: string; size: number }[];
    changed: { path: string; oldSize: number; newSize: number; oldSha256: string; newSha256: string }[];
    unchanged: number;
  };
  parameters?: { old: number; new: number };
  dtypes: { dtype: string; old: number; new: number }[];
  /** `scale: "fraction"` values are scores in [0, 1], printed as percentages. */
  evals: {
    benchmark: string;
    metric: string;
    old?: number;
    new?: number;
    delta?: number;
    scale?: "fraction" | "raw";
  }[];
  /** Unified diff of the model card, when it changed. */
  card?: string;
}

/** Compares two releases. Pure. */
export function planReleaseDiff(from: BundleSnapshot, to: BundleSnapshot): ReleaseDiff {
  const a = new Map(from.manifest.files.map((f) => [f.path, f]));
  const b = new Map(to.manifest.files.map((f) => [f.path, f]));
  const files: ReleaseDiff["files"] = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const [p, f] of b) {
    const old = a.get(p);
    if (!old) files.added.push({ path: p, size: f.size });
    else if (old.sha256 !== f.sha256)
      files.changed.push({ path: p, oldSize: old.size, newSize: f.size, oldSha256: old.sha256, newSha256: f.sha256 });
    else files.unchanged++;
  }
  for (const [p, f] of a) if (!b.has(p)) files.removed.push({ path: p, size: f.size });
  for (const list of [files.added, files.removed, files.changed]) list.sort((x, y) => (x.path < y.path ? -1 : 1));

  const dtypeNames = [...new Set([...Object.keys(from.dtypes ?? {}), ...Object.keys(to.dtypes ?? {})])].sort();
  const dtypes = dtypeNames
    .map((d) => ({ dtype: d, old: from.dtypes?.[d]?.parameters ?? 0, new: to.dtypes?.[d]?.parameters ?? 0 }))
    .filter((d) => d.old !== d.new);

  const key = (e: { benchmark: string; metric: string }) => `${e.benchmark}\u0000${e.metric}`;
  const oldEvals = new Map((from.evals ?? []).map((e) => [key(e), e]));
  const newEvals = new Map((to.evals ?? []).map((e) => [key(e), e]));
  const evals = [...new Set([...oldEvals.keys(), ...newEvals.keys()])].sort().map((k) => {
    const o = oldEvals.get(k);
    const n = newEvals.get(k);
    const [benchmark, metric] = k.split("\u0000") as [string, string];
    const scale = n?.scale ?? o?.scale;
    return {
      benchmark,
      metric,
      old: o?.value,
      new: n?.value,
      delta: o && n ? n.value - o.value : undefined,
      ...(scale ? { scale } : {}),
    };
  });

  let card: string | undefined;
  if (from.card !== undefined && to.card !== undefined && from.card !== to.card) {
    const patch = structuredPatch("README.md", "README.md", from.card, to.card, from.version, to.version, {
      context: 2,
    });
    card = patch.hunks.length
      ? createTwoFilesPatch(
          `README.md (${from.version})`,
          `README.md (${to.version})`,
          from.card,
          to.card,
          undefined,
          undefined,
          { context: 2 },
        )
      : undefined;
  }

  return {
    from: { version: from.version },
    to: { version: to.version },
    files,
    ...(from.parameters !== undefined && to.parameters !== undefined && from.parameters !== to.parameters
      ? { parameters: { old: from.parameters, new: to.parameters } }
      : {}),
    dtypes,
    evals,
    ...(card ? { card } : {}),
  };
}
