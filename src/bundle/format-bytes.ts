/**
 * Sizes for people, in binary IEC units (`440.4 KiB`, `3.2 GiB`), the one unit everything this
 * tool prints or publishes uses: a size shown in two places then reads the same. Pure.
 */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
