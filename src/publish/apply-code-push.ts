import { execFile } from "node:child_process";
import type { Dirent } from "node:fs";
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { conflictError, inputError, remoteError } from "../errors.js";
import type { CodeExportPlan, CodeSourceFile } from "./plan-code-export.js";
import { redactSecrets } from "./translate-remote-error.js";

/** Largest code file read for export: code, not data; bigger files are listed by size, never read. */
export const MAX_CODE_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Reads the code folder (POSIX relative paths, bytes as they are), skipping `.git` and
 * `node_modules`. A file above `MAX_CODE_FILE_BYTES` is listed with its size only: whether that
 * matters is the plan's decision (it does only if the allowlist selects it).
 */
export async function readCodeFiles(sourceDir: string): Promise<CodeSourceFile[]> {
  const out: CodeSourceFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const rel = relative(sourceDir, dir).split(sep).join("/") || ".";
      throw inputError(
        "CODE_SOURCE_UNREADABLE",
        `cannot read the code folder (${rel}): ${(err as NodeJS.ErrnoException).code ?? "error"}`,
        {
          hint: "check github.code.source in the release config",
          location: { field: "github.code.source" },
        },
      );
    }
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== ".git" && e.name !== "node_modules") await walk(abs);
      } else if (e.isFile()) {
        const path = relative(sourceDir, abs).split(sep).join("/");
        const size = (await stat(abs)).size;
        if (size > MAX_CODE_FILE_BYTES) out.push({ path, size });
        else out.push({ path, size, content: new Uint8Array(await readFile(abs)) });
      }
    }
  };
  await walk(sourceDir);
  return out;
}

interface GitParams {
  gitBin?: string;
  /** Token for https remotes: sent as an HTTP header through git's environment, never in argv or the URL. */
  token?: string;
  env?: Record<string, string | undefined>;
  /** Kills the git child (and so the push) when the run is interrupted. */
  signal?: AbortSignal;
}

function runGit(args: string[], cwd: string, p: GitParams): Promise<string> {
  const env: Record<string, string> = {};
  for (const k of [
    "PATH",
    "HOME",
    "SYSTEMROOT",
    "TMPDIR",
    "SSH_AUTH_SOCK",
    "GIT_SSH_COMMAND",
    // git (libcurl) reads its proxy from these; lower-case first, as curl does.
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "no_proxy",
    "NO_PROXY",
    "ALL_PROXY",
    "all_proxy",
  ]) {
    const v = p.env?.[k];
    if (v !== undefined) env[k] = v;
  }
  env.GIT_TERMINAL_PROMPT = "0";
  if (p.token) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${p.token}`).toString("base64")}`;
  }
  return new Promise((resolve, reject) => {
    const options = { cwd, env, maxBuffer: 16 * 1024 * 1024, ...(p.signal ? { signal: p.signal } : {}) };
    execFile(p.gitBin ?? "git", args, options, (err, stdout, stderr) => {
      if (err && p.signal?.aborted) reject(new DOMException("git was stopped: the run was interrupted", "AbortError"));
      else if (err)
        reject(
          Object.assign(new Error(redactSecrets(`git ${args[0]}: ${stderr.trim() || err.message}`)), {
            stderr: redactSecrets(stderr),
          }),
        );
      else resolve(stdout.trim());
    });
  });
}

/**
 * Pushes the exported code as one squashed commit (on top of the remote branch when it exists)
 * with the version tag, atomically. A tag that exists is success only when its tree is the same
 * as the export's; otherwise TAG_CONFLICT. Returns the tagged commit.
 */
export async function applyCodePush(
  params: GitParams & { remote: string; branch: string; tag: string; export: CodeExportPlan; message: string },
): Promise<{ commit: string; pushed: boolean }> {
  const work = await mkdtemp(join(tmpdir(), "model-release-code-"));
  const git = (...args: string[]) => runGit(args, work, params);
  const where = { action: "push code to", target: redactSecrets(params.remote) };
  try {
    await git("init", "-q");
    await git("remote", "add", "origin", params.remote);
    const remoteRefs = await git("ls-remote", "origin", `refs/heads/${params.branch}`, `refs/tags/${params.tag}`).catch(
      (err: Error) => {
        throw remoteError("CODE_REMOTE_UNREACHABLE", `cannot reach code remote: ${err.message}`, {
          hint: "check github.code.remote and GITHUB_TOKEN (contents:write)",
          details: where,
        });
      },
    );
    const refMap = new Map(
      remoteRefs
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t").reverse() as [string, string]),
    );
    for (const f of params.export.files) {
      const abs = join(work, ...f.path.split("/"));
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, f.content);
    }
    await git("add", "-A");
    const tree = await git("write-tree");
    const tagged = refMap.get(`refs/tags/${params.tag}`);
    if (tagged) {
      await git("fetch", "-q", "--depth", "1", "origin", `refs/tags/${params.tag}`);
      const theirTree = await git("rev-parse", "FETCH_HEAD^{tree}");
      const theirCommit = await git("rev-parse", "FETCH_HEAD^{commit}");
      if (theirTree === tree) return { commit: theirCommit, pushed: false };
      throw conflictError("TAG_CONFLICT", `code tag ${params.tag} exists on the code remote with other content`, {
        hint: "tags never move: publish under a new version",
      });
    }
    const parentArgs: string[] = [];
    if (refMap.has(`refs/heads/${params.branch}`)) {
      await git("fetch", "-q", "--depth", "1", "origin", `refs/heads/${params.branch}`);
      parentArgs.push("-p", "FETCH_HEAD");
    }
    const ident = ["-c", "user.name=model-release", "-c", "user.email=model-release@users.noreply.github.com"];
    const commit = await runGit([...ident, "commit-tree", tree, ...parentArgs, "-m", params.message], work, params);
    await git(
      "push",
      "-q",
      "--atomic",
      "origin",
      `${commit}:refs/heads/${params.branch}`,
      `${commit}:refs/tags/${params.tag}`,
    ).catch((err: Error) => {
      throw conflictError(
        "CODE_PUSH_REJECTED",
        `pushing code to ${params.branch} and ${params.tag} was rejected: ${err.message}`,
        {
          hint: "the branch moved or is protected; run again, or point github.code.branch at a release branch",
          details: where,
        },
      );
    });
    return { commit, pushed: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
