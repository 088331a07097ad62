import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { planCardInfo } from "../../src/local/hub/hub-card-metadata.js";
import { gitBlobSha1, isIgnoredPath, parseGitignore } from "../../src/local/hub/hub-paths.js";
import { gitCommitId, renderGitTrees } from "../../src/local/hub/render-git-objects.js";

const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

describe("renderGitTrees / gitCommitId", () => {
  it("compute the ids git computes, including git's directory ordering (`a.b` < `a/` < `a0`)", () => {
    const files: Record<string, string> = {
      "a.b": "1",
      "a/x.txt": "2",
      "a/deep/y": "3",
      a0: "4",
      "a-b": "5",
      "README.md": "# r\n",
    };
    const dir = mkdtempSync(join(tmpdir(), "git-objects-"));
    try {
      for (const [p, c] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), c);
      }
      const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: gitEnv }).toString().trim();
      git("init", "-q");
      git("add", "-A");
      const tree = Object.fromEntries(Object.entries(files).map(([p, c]) => [p, { gitOid: gitBlobSha1(c) }]));
      expect(renderGitTrees(tree).root).toBe(git("write-tree"));

      const c = {
        parents: [],
        tree: {},
        author: "alice",
        title: "initial commit",
        message: "",
        date: "2026-01-02T03:04:05.000Z",
      };
      const when = "1767323045 +0000";
      const id = execFileSync("git", ["commit-tree", renderGitTrees({}).root, "-m", "initial commit"], {
        cwd: dir,
        env: {
          ...gitEnv,
          GIT_AUTHOR_NAME: "alice",
          GIT_AUTHOR_EMAIL: "alice@users.noreply.huggingface.co",
          GIT_AUTHOR_DATE: when,
          GIT_COMMITTER_NAME: "alice",
          GIT_COMMITTER_EMAIL: "alice@users.noreply.huggingface.co",
          GIT_COMMITTER_DATE: when,
        },
      })
        .toString()
        .trim();
      expect(gitCommitId({ ...c, tree: {} })).toBe(id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseGitignore / isIgnoredPath", () => {
  const rules = parseGitignore("# comment\n*.log\n!keep.log\nbuild/\n/top.txt\ndocs/**/*.tmp\n");
  it.each([
    ["x.log", true],
    ["a/b/x.log", true],
    ["keep.log", false],
    ["build/out.bin", true],
    ["src/build/out.bin", true],
    ["build", false],
    ["top.txt", true],
    ["sub/top.txt", false],
    ["docs/a/b.tmp", true],
    ["model.safetensors", false],
  ])("%s -> %s", (path, ignored) => {
    expect(isIgnoredPath(rules, path)).toBe(ignored);
  });
});

describe("planCardInfo", () => {
  it("derives tags the way the Hub shows them, and survives a broken card", () => {
    expect(planCardInfo("---\nlicense: mit\nlibrary_name: peft\ntags: [x]\nbase_model: org/base\n---\n")).toMatchObject(
      {
        tags: ["x", "peft", "license:mit", "base_model:org/base"],
        library_name: "peft",
      },
    );
    expect(planCardInfo("---\nlicense: [mit\n---\n")).toEqual({ tags: [] });
  });
});
