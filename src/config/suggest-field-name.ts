import type { z } from "zod";

/**
 * The field a misspelt key most likely meant, among the keys the schema allows at that place:
 * the closest by edit distance, if it is close enough to be a typo (at most a third of the
 * longer name, and at most 3 edits). Pure.
 */
export function suggestFieldName(params: {
  schema: z.ZodType;
  /** Path of the object that holds the unknown key. */
  path: (string | number)[];
  key: string;
}): string | undefined {
  const known = objectKeysAt(params.schema, params.path);
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(params.key.toLowerCase(), name.toLowerCase());
    const limit = Math.min(3, Math.floor(Math.max(name.length, params.key.length) / 3));
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

interface ZodDefLike {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
}

/** The keys of the object schema reached by `path` (unwrapping optional, default, arrays, unions). */
function objectKeysAt(schema: unknown, path: (string | number)[]): string[] {
  const def = (schema as { _zod?: { def?: ZodDefLike } })._zod?.def;
  if (!def) return [];
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return objectKeysAt(def.innerType, path);
    case "pipe":
      return objectKeysAt(def.in, path);
    case "union":
      return (def.options ?? []).flatMap((o) => objectKeysAt(o, path));
    case "array":
      return path.length > 0 ? objectKeysAt(def.element, path.slice(1)) : [];
    case "record":
      return path.length > 0 ? objectKeysAt(def.valueType, path.slice(1)) : [];
    case "object": {
      const shape = def.shape ?? {};
      if (path.length === 0) return Object.keys(shape);
      const [head, ...rest] = path;
      return objectKeysAt(shape[String(head)], rest);
    }
    default:
      return [];
  }
}

/** Damerau-free Levenshtein distance; names are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
