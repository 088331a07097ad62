/**
 * Orders keys as `a.localeCompare(b)` does, without its cost where the answer is known: the
 * first `localeCompare` in a process builds ICU's collator (~10 ms, a quarter of a cached
 * rebuild). For two strings drawn only from `[a-z0-9]`, only `[A-Z0-9]` or only `[a-z_]`, the
 * root collation orders exactly as UTF-16 code units do (`_` < digits < letters there, digits <
 * `_` < lowercase in code units: hence no mix of `_` and digits); anything else goes to
 * `localeCompare`, so the order (and every rendered byte) is unchanged.
 */
export function compareKeys(a: string, b: string): number {
  for (const re of FAST_ALPHABETS) if (re.test(a) && re.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

const FAST_ALPHABETS = [/^[a-z0-9]*$/, /^[A-Z0-9]*$/, /^[a-z_]*$/];
