/** A copy of `o` with its keys in code-unit order, so published JSON is byte-stable. */
export function sortRecordKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
