import { execFile, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Thin wrappers over the `git` binary for the bare repositories the GitHub stand-in hosts. Refs
 * and tag objects are read from and written to the real repository, so what `git push` sent and
 * what the REST API says about refs always agree.
 */

/** Bounds `git` output read into memory: refs listings and tag objects are small. */
const MAX_GIT_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git in `gitDir`; never throws for a non-zero exit (callers map it to an HTTP status). */
export function runGit(gitDir: string, args: string[], input?: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      ["--git-dir", gitDir, ...args],
      { maxBuffer: MAX_GIT_OUTPUT_BYTES, env: { ...gitEnv(), GIT_DIR: gitDir } },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== "number") return reject(err);
        resolve({ code: err ? Number((err as { code?: unknown }).code) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A clean environment: no user config, hooks or templates leak into the server's repos. */
export function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
  };
  if (process.env.PATH) env.PATH = process.env.PATH;
  return env;
}

/** `git init --bare` with `main` as the default branch; a no-op when it already exists. */
export async function initBareRepo(gitDir: string): Promise<void> {
  await mkdir(dirname(gitDir), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn("git", ["init", "--quiet", "--bare", "--initial-branch=main", gitDir], {
      env: gitEnv(),
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`git init --bare ${gitDir} exited with ${code}`)),
    );
  });
}

export interface GitRefEntry {
  /** Full name, `refs/tags/v1`. */
  ref: string;
  /** `commit`, `tag`, `tree` or `blob`: the type of the object the ref points at (not peeled). */
  type: string;
  sha: string;
}

/** Refs under `refs/<prefix>` (prefix match on the full name, like GitHub's matching-refs). */
export async function listGitRefs(gitDir: string, prefix: string): Promise<GitRefEntry[]> {
  const r = await runGit(gitDir, ["for-each-ref", "--format=%(objecttype) %(objectname) %(refname)"]);
  if (r.code !== 0) throw new Error(`git for-each-ref failed: ${r.stderr.trim()}`);
  const full = `refs/${prefix}`;
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [type, sha, ...rest] = line.split(" ");
      return { type: type!, sha: sha!, ref: rest.join(" ") };
    })
    .filter((e) => e.ref.startsWith(full));
}

/** The type of an object (`commit`, `tag`, ...), or undefined when it does not exist. */
export async function readGitObjectType(gitDir: string, sha: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
  const r = await runGit(gitDir, ["cat-file", "-t", sha]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** Resolves a commit-ish (branch, tag, sha) to a commit sha, or undefined. */
export async function resolveGitCommit(gitDir: string, commitish: string): Promise<string | undefined> {
  // `--end-of-options` keeps a hostile commitish such as `--output=x` from being read as a flag.
  const r = await runGit(gitDir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${commitish}^{commit}`]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/**
 * Creates `ref` at `sha` only if it does not exist yet (git's compare-and-swap against the
 * all-zero value), so two racing creators cannot both succeed. Returns false when it existed.
 */
export async function createGitRef(gitDir: string, ref: string, sha: string): Promise<boolean> {
  const r = await runGit(gitDir, ["update-ref", "--no-deref", "--end-of-options", ref, sha, "0".repeat(40)]);
  return r.code === 0;
}

/** Moves a ref; `force: false` only allows fast-forwards of commits. */
export async function updateGitRef(
  gitDir: string,
  ref: string,
  sha: string,
  force: boolean,
): Promise<"ok" | "missing" | "not-fast-forward"> {
  const current = (await listGitRefs(gitDir, ref.slice("refs/".length))).find((e) => e.ref === ref);
  if (!current) return "missing";
  if (!force) {
    const ff = await runGit(gitDir, ["merge-base", "--is-ancestor", current.sha, sha]);
    if (ff.code !== 0) return "not-fast-forward";
  }
  const r = await runGit(gitDir, ["update-ref", "--no-deref", "--end-of-options", ref, sha, current.sha]);
  return r.code === 0 ? "ok" : "not-fast-forward";
}

export async function deleteGitRef(gitDir: string, ref: string): Promise<boolean> {
  const exists = (await listGitRefs(gitDir, ref.slice("refs/".length))).some((e) => e.ref === ref);
  if (!exists) return false;
  const r = await runGit(gitDir, ["update-ref", "--no-deref", "-d", "--end-of-options", ref]);
  return r.code === 0;
}

export interface GitTagObject {
  sha: string;
  tag: string;
  message: string;
  object: { sha: string; type: string };
  tagger: { name: string; email: string; date: string };
}

/** Writes an annotated tag object with `git mktag` (which validates it); returns its sha. */
export async function writeGitTagObject(
  gitDir: string,
  params: {
    tag: string;
    message: string;
    objectSha: string;
    objectType: string;
    tagger: { name: string; email: string; date: Date };
  },
): Promise<string> {
  const epoch = Math.floor(params.tagger.date.getTime() / 1000);
  const body =
    `object ${params.objectSha}\ntype ${params.objectType}\ntag ${params.tag}\n` +
    `tagger ${params.tagger.name} <${params.tagger.email}> ${epoch} +0000\n\n` +
    (params.message.endsWith("\n") ? params.message : `${params.message}\n`);
  const r = await runGit(gitDir, ["mktag"], body);
  if (r.code !== 0) throw new Error(`git mktag rejected the tag: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Reads an annotated tag object; undefined when `sha` is not a tag. */
export async function readGitTagObject(gitDir: string, sha: string): Promise<GitTagObject | undefined> {
  if ((await readGitObjectType(gitDir, sha)) !== "tag") return undefined;
  const r = await runGit(gitDir, ["cat-file", "tag", sha]);
  if (r.code !== 0) return undefined;
  return parseGitTagObject(sha, r.stdout);
}

/** Parses the text of a tag object (`git cat-file tag`). Pure. */
export function parseGitTagObject(sha: string, text: string): GitTagObject {
  const split = text.indexOf("\n\n");
  const head = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? "" : text.slice(split + 2);
  const fields = new Map<string, string>();
  for (const line of head.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp > 0 && !fields.has(line.slice(0, sp))) fields.set(line.slice(0, sp), line.slice(sp + 1));
  }
  return {
    sha,
    tag: fields.get("tag") ?? "",
    message,
    object: { sha: fields.get("object") ?? "", type: fields.get("type") ?? "" },
    tagger: parseGitIdent(fields.get("tagger") ?? ""),
  };
}

export interface GitCommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
}

/** Reads a commit object; undefined when `sha` is not a commit. */
export async function readGitCommitObject(gitDir: string, sha: string): Promise<GitCommitObject | undefined> {
  if ((await readGitObjectType(gitDir, sha)) !== "commit") return undefined;
  const r = await runGit(gitDir, ["cat-file", "commit", sha]);
  return r.code === 0 ? parseGitCommitObject(sha, r.stdout) : undefined;
}

/** Parses the text of a commit object (`git cat-file commit`). Pure. */
export function parseGitCommitObject(sha: string, text: string): GitCommitObject {
  const split = text.indexOf("\n\n");
  const head = split < 0 ? text : text.slice(0, split);
  const parents: string[] = [];
  let tree = "";
  let author = parseGitIdent("");
  let committer = author;
  for (const line of head.split("\n")) {
    const sp = line.indexOf(" ");
    const [key, value] = [line.slice(0, sp), line.slice(sp + 1)];
    if (key === "tree") tree = value;
    else if (key === "parent") parents.push(value);
    else if (key === "author") author = parseGitIdent(value);
    else if (key === "committer") committer = parseGitIdent(value);
  }
  return { sha, tree, parents, author, committer, message: split < 0 ? "" : text.slice(split + 2) };
}

/** `Name <email> 1700000000 +0200` → name, email and an ISO date in UTC. */
function parseGitIdent(value: string): { name: string; email: string; date: string } {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(value);
  const date = new Date((m ? Number(m[3]) : 0) * 1000).toISOString().replace(/\.000Z$/, "Z");
  return m ? { name: m[1]!, email: m[2]!, date } : { name: "", email: "", date };
}

/** The bytes of a blob (binary-safe, unlike runGit's text output); undefined when absent. */
export function readGitBlob(gitDir: string, sha: string): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["--git-dir", gitDir, "cat-file", "blob", sha],
      { encoding: "buffer", maxBuffer: MAX_GIT_OUTPUT_BYTES, env: { ...gitEnv(), GIT_DIR: gitDir } },
      (err, stdout) => {
        if (err && typeof (err as { code?: unknown }).code !== "number") return reject(err);
        resolve(err ? undefined : stdout);
      },
    );
  });
}

export interface GitTreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size: number;
  path: string;
}

/** `git ls-tree -l` of `<commit>:<dir>`: the entries of one directory (or the file itself). */
export async function listGitTree(gitDir: string, commit: string, path: string): Promise<GitTreeEntry[] | undefined> {
  const r = await runGit(gitDir, [
    "ls-tree",
    "-l",
    "-z",
    "--full-tree",
    "--end-of-options",
    commit,
    ...(path ? ["--", path] : []),
  ]);
  if (r.code !== 0) return undefined;
  return r.stdout
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const [meta = "", p = ""] = line.split("\t");
      const [mode = "", type = "", sha = "", size = ""] = meta.split(/\s+/);
      return { mode, type: type as GitTreeEntry["type"], sha, size: Number(size) || 0, path: p };
    });
}

/**
 * The commit `auto_init` makes: a README.md with the repo's name and description on `main`,
 * authored by the creator (as GitHub does), so the repo can be cloned and released at once.
 */
export async function writeInitialCommit(
  gitDir: string,
  p: { name: string; description: string | null; author: { name: string; email: string }; date: Date },
): Promise<string> {
  const readme = `# ${p.name}${p.description ? `\n\n${p.description}` : ""}\n`;
  const blob = (await runGit(gitDir, ["hash-object", "-w", "--stdin"], readme)).stdout.trim();
  const tree = (await runGit(gitDir, ["mktree"], `100644 blob ${blob}\tREADME.md\n`)).stdout.trim();
  const when = `${Math.floor(p.date.getTime() / 1000)} +0000`;
  const commit = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      "git",
      ["--git-dir", gitDir, "commit-tree", tree, "-m", "Initial commit"],
      {
        env: {
          ...gitEnv(),
          GIT_DIR: gitDir,
          GIT_AUTHOR_NAME: p.author.name,
          GIT_AUTHOR_EMAIL: p.author.email,
          GIT_AUTHOR_DATE: when,
          GIT_COMMITTER_NAME: "GitHub",
          GIT_COMMITTER_EMAIL: "noreply@github.com",
          GIT_COMMITTER_DATE: when,
        },
      },
      (err, stdout) => (err ? reject(err) : resolve(String(stdout).trim())),
    );
    child.stdin?.end();
  });
  await createGitRef(gitDir, "refs/heads/main", commit);
  return commit;
}
