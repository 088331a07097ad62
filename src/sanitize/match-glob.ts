/**
 * Matches a checkpoint-relative POSIX path against a config glob: `*` within a segment, `**`
 * across segments, `?` one character. A pattern without a slash also matches the base name, so
 * `optimizer.pt` covers `checkpoint-10/optimizer.pt`.
 */
export function matchGlob(pattern: string, filePath: string): boolean {
  const re = globToRegExp(pattern);
  if (re.test(filePath)) return true;
  if (!pattern.includes("/")) return re.test(filePath.slice(filePath.lastIndexOf("/") + 1));
  return false;
}

const cache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        const slash = pattern[i + 2] === "/";
        out += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const re = new RegExp(`^${out.replace(/\/$/, "(?:/.*)?")}$`);
  cache.set(pattern, re);
  return re;
}
