/**
 * Returns a copy of `obj` without the members whose value is `undefined`.
 *
 * Plain optional fields (`{ line: first.line }`) are the house form; this helper is for the few
 * places where an explicit `undefined` member would be seen: YAML/JSON written byte-exact, key
 * listings and `in` checks, objects spread over defaults, and values tests compare whole.
 */
export function omitUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
