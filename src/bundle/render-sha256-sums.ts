/** `sha256  path` lines, sorted by path, as `sha256sum` writes and `sha256sum -c` reads them. */
export function renderSha256Sums(files: { path: string; sha256: string }[]): string {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join("");
}
