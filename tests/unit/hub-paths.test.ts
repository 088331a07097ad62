import { describe, expect, it } from "vitest";
import {
  DEFAULT_GITATTRIBUTES,
  checkRepoPath,
  gitBlobSha1,
  isBinarySample,
  isValidRefName,
  matchLfsRule,
  parseGitattributes,
  planGitattributesUpdate,
  planUploadMode,
  renderLfsPointer,
} from "../../src/local/hub/hub-paths.js";
import { parseRange } from "../../src/local/hub/hub-http.js";

describe("checkRepoPath", () => {
  it.each([
    ["model.safetensors", undefined],
    ["a/b/c.txt", undefined],
    ["../x", 'path segment ".."'],
    ["a/../../x", 'path segment ".."'],
    ["./x", 'path segment "."'],
    ["/etc/passwd", "absolute path"],
    ["C:/x", "absolute path"],
    ["a\0b", "path contains a NUL byte"],
    ["a\\b", "path contains a backslash"],
    ["a//b", "empty path segment"],
    [".git/config", "path inside .git"],
    ["", "empty path"],
  ])("%j -> %s", (path, why) => {
    expect(checkRepoPath(path)).toBe(why);
  });
});

describe("gitattributes", () => {
  const rules = parseGitattributes(DEFAULT_GITATTRIBUTES);
  it.each([
    ["model.safetensors", true],
    ["sub/dir/model.safetensors", true],
    ["test.lfs.txt", true],
    ["saved_model/variables/x.data", true],
    ["logs/events.out.tfevents.123", true],
    ["archive.tar.gz", true],
    ["config.json", undefined],
    ["README.md", undefined],
  ])("%s -> %s", (path, lfs) => {
    expect(matchLfsRule(rules, path)).toBe(lfs);
  });

  it("later rules win and -filter unsets", () => {
    const r = parseGitattributes(
      "*.bin filter=lfs diff=lfs merge=lfs -text\nsmall.bin -filter\n/top.json filter=lfs\n",
    );
    expect([
      matchLfsRule(r, "a.bin"),
      matchLfsRule(r, "small.bin"),
      matchLfsRule(r, "top.json"),
      matchLfsRule(r, "x/top.json"),
    ]).toEqual([true, false, true, undefined]);
  });

  it("appends rules only for LFS paths not yet covered, escaping glob characters", () => {
    expect(planGitattributesUpdate(DEFAULT_GITATTRIBUTES, ["w.safetensors"])).toBeUndefined();
    const next = planGitattributesUpdate("*.bin filter=lfs", ["data/big [1].dat", "x.bin"])!;
    expect(next).toBe("*.bin filter=lfs\ndata/big?\\[1\\].dat filter=lfs diff=lfs merge=lfs -text\n");
    expect(matchLfsRule(parseGitattributes(next), "data/big [1].dat")).toBe(true);
  });
});

describe("planUploadMode", () => {
  const rules = parseGitattributes(DEFAULT_GITATTRIBUTES);
  const text = new TextEncoder().encode("hello");
  const binary = new Uint8Array([0, 1, 2, 255]);
  it.each([
    ["config.json", 100, text, "regular"],
    ["weights.safetensors", 100, binary, "lfs"],
    ["weights.safetensors", 0, undefined, "regular"],
    ["notes.txt", 10 * 1024 * 1024, text, "lfs"],
    ["blob.dat", 2 * 1024 * 1024, binary, "lfs"],
    ["blob.dat", 1024 * 1024, binary, "regular"],
    ["big.txt", 2 * 1024 * 1024, text, "regular"],
    [".gitattributes", 100, text, "regular"],
  ] as const)("%s (%d bytes) -> %s", (path, size, sample, mode) => {
    expect(planUploadMode({ path, size, sample, rules })).toBe(mode);
  });

  it("a UTF-8 character cut by the 512-byte sample is not binary", () => {
    const s = new TextEncoder().encode("é".repeat(300)).subarray(0, 511);
    expect(isBinarySample(s)).toBe(false);
    expect(isBinarySample(new Uint8Array([0xc3, 0x28]))).toBe(true);
  });
});

describe("git identifiers", () => {
  it("git blob sha1 matches `git hash-object`", () => {
    expect(gitBlobSha1("")).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    expect(gitBlobSha1("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });
  it("LFS pointer has the git-lfs v1 layout", () => {
    expect(renderLfsPointer("a".repeat(64), 123456789).length).toBe(134);
  });
  it("ref names follow git's rules without spaces", () => {
    expect(["v1.0.0", "release/2026-01", "main"].every(isValidRefName)).toBe(true);
    expect(["bad tag", "a..b", "refs/pr/1", "-x", "x/", "HEAD", "x.lock", ""].some(isValidRefName)).toBe(false);
  });
});

describe("parseRange", () => {
  it.each([
    ["bytes=0-0", 10, { start: 0, end: 0 }],
    ["bytes=2-", 10, { start: 2, end: 9 }],
    ["bytes=-3", 10, { start: 7, end: 9 }],
    ["bytes=5-100", 10, { start: 5, end: 9 }],
    ["bytes=10-", 10, "unsatisfiable"],
    ["bytes=0-1,3-4", 10, undefined],
    [undefined, 10, undefined],
  ] as const)("%s of %d", (h, size, want) => {
    expect(parseRange(h, size)).toEqual(want);
  });
});
