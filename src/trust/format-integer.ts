/**
 * `1,234,567`: digits grouped by hand for whole numbers, because the first `toLocaleString` call
 * starts ICU (~17 ms of a cached rebuild); other numbers fall back to it. Same output. Pure.
 */
export const formatInteger = (n: number): string =>
  Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",") : n.toLocaleString("en-US");
