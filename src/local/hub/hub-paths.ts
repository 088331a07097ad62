import { createHash } from "node:crypto";

/**
 * Pure helpers of the local Hub: repo-path validation, `.gitattributes` matching (which decides
 * LFS vs inline), and the git identifiers the real Hub mints (blob sha1, LFS pointer).
 */

/** The Hub's default `.gitattributes` for a new repo (the widely copied template; see hub-protocol.md §2.2). */
export const DEFAULT_GITATTRIBUTES = `${[
  "*.7z",
  "*.arrow",
  "*.bin",
  "*.bz2",
  "*.ckpt",
  "*.ftz",
  "*.gz",
  "*.h5",
  "*.joblib",
  "*.lfs.*",
  "*.mlmodel",
  "*.model",
  "*.msgpack",
  "*.npy",
  "*.npz",
  "*.onnx",
  "*.ot",
  "*.parquet",
  "*.pb",
  "*.pickle",
  "*.pkl",
  "*.pt",
  "*.pth",
  "*.rar",
  "*.safetensors",
  "saved_model/**/*",
  "*.tar.*",
  "*.tar",
  "*.tflite",
  "*.tgz",
  "*.wasm",
  "*.xz",
  "*.zip",
  "*.zst",
  "*tfevents*",
]
  .map((p) => `${p} filter=lfs diff=lfs merge=lfs -text`)
  .join("\n")}\n`;

/** Files at or above this size always go to LFS: the Hub refuses larger regular files (10 MB, hub-docs). */
export const LFS_SIZE_THRESHOLD = 10 * 1024 * 1024;
/** Binary files above 1 MB must be LFS (huggingface_hub PR #657: the Hub rejects them inline). */
export const BINARY_LFS_THRESHOLD = 1024 * 1024;
/** Longest path accepted in a repo; git itself has no bound, but a bound keeps the store and logs sane. */
export const MAX_REPO_PATH_LENGTH = 1024;

/** Returns why a repo file path is unsafe, or undefined when it is fine. */
export function checkRepoPath(path: string): string | undefined {
  if (path.length === 0) return "empty path";
  if (path.length > MAX_REPO_PATH_LENGTH) return `path longer than ${MAX_REPO_PATH_LENGTH} characters`;
  if (path.includes("\0")) return "path contains a NUL byte";
  if (path.includes("\\")) return "path contains a backslash";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "absolute path";
  const segments = path.split("/");
  for (const s of segments) {
    if (s === "") return "empty path segment";
    if (s === "." || s === "..") return `path segment "${s}"`;
    if (s === ".git") return "path inside .git";
  }
  return undefined;
}

/** Namespaces and repo names as the Hub accepts them (letters, digits, `-`, `_`, `.`; at most 96). */
export function isValidRepoNamePart(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/.test(s) && !s.includes("..") && !s.endsWith(".git");
}

/** Branch and tag names: git ref rules, restricted (no spaces, no `..`, no `refs/` prefix). */
export function isValidRefName(s: string): boolean {
  return (
    /^[A-Za-z0-9._\-/]{1,200}$/.test(s) &&
    !s.includes("..") &&
    !s.startsWith("/") &&
    !s.endsWith("/") &&
    !s.includes("//") &&
    !s.endsWith(".lock") &&
    !s.startsWith("refs/") &&
    !s.startsWith("-") &&
    s !== "HEAD"
  );
}

/** git blob id: sha1("blob <len>\0" + bytes). */
export function gitBlobSha1(content: Uint8Array | string): string {
  const buf = typeof content === "string" ? Buffer.from(content) : content;
  return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
}

/** The git-lfs pointer text stored in git in place of an LFS file. */
export function renderLfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

interface AttrRule {
  re: RegExp;
  lfs: boolean;
}

/** gitattributes glob to a RegExp: no `/` matches the basename at any depth; `**` spans directories. */
function globToRegExp(glob: string): RegExp {
  const anchored = glob.includes("/");
  const body = glob.replace(/^\//, "");
  let re = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "*") {
      if (body[i + 1] === "*") {
        // `**/` matches zero or more directories; a trailing `**` matches everything.
        if (body[i + 2] === "/") {
          re += "(?:.*/)?";
          i += 2;
        } else {
          re += ".*";
          i += 1;
        }
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "\\" && i + 1 < body.length) re += body[++i]!.replace(/[.*?+^${}()|[\]\\]/g, "\\$&");
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(anchored ? `^${re}$` : `(?:^|/)${re}$`);
}

/** Parses the `filter=lfs` rules of a `.gitattributes` text; later rules win, `-filter`/`!filter` unset. */
export function parseGitattributes(text: string): AttrRule[] {
  const rules: AttrRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    if (!pattern) continue;
    for (const a of attrs) {
      if (a === "filter=lfs") rules.push({ re: globToRegExp(pattern), lfs: true });
      else if (a === "-filter" || a === "!filter" || (a.startsWith("filter=") && a !== "filter=lfs"))
        rules.push({ re: globToRegExp(pattern), lfs: false });
    }
  }
  return rules;
}

/** Whether `.gitattributes` rules route this path through LFS (undefined: no rule matched). */
export function matchLfsRule(rules: AttrRule[], path: string): boolean | undefined {
  let result: boolean | undefined;
  for (const r of rules) if (r.re.test(path)) result = r.lfs;
  return result;
}

/** A sample looks binary if it has a NUL byte or is not valid UTF-8 (the Hub's heuristic). */
export function isBinarySample(sample: Uint8Array): boolean {
  if (sample.includes(0)) return true;
  try {
    // A multi-byte character cut at the end of the 512-byte sample is not binary: trim up to 3 bytes.
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
    return false;
  } catch {
    return true;
  }
}

/** Decides LFS vs regular the way the Hub does (hub-protocol.md §2.8). */
export function planUploadMode(params: {
  path: string;
  size: number;
  sample?: Uint8Array;
  rules: AttrRule[];
}): "lfs" | "regular" {
  if (params.size === 0) return "regular";
  if (params.path === ".gitattributes") return "regular";
  const rule = matchLfsRule(params.rules, params.path);
  if (rule !== undefined) return rule ? "lfs" : params.size >= LFS_SIZE_THRESHOLD ? "lfs" : "regular";
  if (params.size >= LFS_SIZE_THRESHOLD) return "lfs";
  if (params.size > BINARY_LFS_THRESHOLD && params.sample && isBinarySample(params.sample)) return "lfs";
  return "regular";
}

/** Appends LFS rules for paths that `.gitattributes` does not route to LFS yet (the Hub does this on commit). */
export function planGitattributesUpdate(text: string, lfsPaths: string[]): string | undefined {
  const rules = parseGitattributes(text);
  const missing = lfsPaths.filter((p) => matchLfsRule(rules, p) !== true);
  if (missing.length === 0) return undefined;
  // gitattributes splits on whitespace, so a space becomes `?`; glob characters are escaped.
  const escapeGlob = (p: string) => p.replace(/([#\\*?[\]])/g, "\\$1").replace(/\s/g, "?");
  const base = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`;
  return base + missing.map((p) => `${escapeGlob(p)} filter=lfs diff=lfs merge=lfs -text\n`).join("");
}

interface IgnoreRule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/** Parses a `.gitignore` text (comments, `!` negation, trailing `/` for directories, globs). */
export function parseGitignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, "");
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith("/");
    if (dirOnly) line = line.slice(0, -1);
    if (line) rules.push({ re: globToRegExp(line), negate, dirOnly });
  }
  return rules;
}

/** Whether git would ignore `path`: a file inside an ignored directory cannot be re-included. */
export function isIgnoredPath(rules: IgnoreRule[], path: string): boolean {
  if (rules.length === 0) return false;
  const segs = path.split("/");
  for (let i = 1; i <= segs.length; i++) {
    const candidate = segs.slice(0, i).join("/");
    const isDir = i < segs.length;
    let ignored = false;
    for (const r of rules) if ((isDir || !r.dirOnly) && r.re.test(candidate)) ignored = !r.negate;
    if (ignored) return true;
  }
  return false;
}
