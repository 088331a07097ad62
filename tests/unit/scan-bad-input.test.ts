import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseJsonStrings } from "../../src/sanitize/parse-json-strings.js";
import { scanCheckpoint } from "../../src/sanitize/scan-checkpoint.js";
import { sniffFormat as sniff } from "../../src/checkpoint/sniff-format.js";
import { encodeZip } from "../fixtures/lib/encode-zip.js";

const tmp = await mkdtemp(path.join(os.tmpdir(), "scan-bad-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function scanOne(name: string, content: string | Uint8Array) {
  const dir = path.join(tmp, name.replace(/\W/g, "_"));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), content);
  return scanCheckpoint({ dir, secretlint: false });
}
const brief = (fs: Awaited<ReturnType<typeof scanOne>>) =>
  fs.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message }));

describe("scan on bad input", () => {
  it("deeply nested JSON: a clear warning, scanned as text, secret still found", async () => {
    const deep = `${"[".repeat(100_000)}"ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"${"]".repeat(100_000)}`;
    expect(brief(await scanOne("deep.json", deep))).toMatchInlineSnapshot(`
      [
        {
          "message": "deep.json: nesting deeper than 512 at character 512; scanned as plain text instead",
          "rule": "json-too-deep",
          "severity": "warn",
        },
        {
          "message": "GitHub token",
          "rule": "github-token",
          "severity": "block",
        },
      ]
    `);
  });

  it("invalid JSON is located", () => {
    expect(() => parseJsonStrings('{"a": [1, 2,, 3]}', "x.json")).toThrowErrorMatchingInlineSnapshot(
      `[ReleaseError: x.json: unexpected character at character 12]`,
    );
  });

  it("binary posing as text: printable strings scanned, no crash", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"looks": "like json", '),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      Buffer.from(" jane@robots.example.com "),
    ]);
    const fs = await scanOne("config.json", bytes);
    // NUL in the first bytes: sniffed as binary, so only its printable strings are scanned.
    expect(fs.map((f) => [f.rule, f.offset])).toEqual([["email", 28]]);
  });

  it("non-UTF-8 bytes after the sniffed prefix are caught too", async () => {
    const bytes = Buffer.concat([
      Buffer.from("a".repeat(5000)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(" admin@corp.example.org"),
    ]);
    const fs = await scanOne("notes.txt", bytes);
    expect(fs.map((f) => f.rule)).toEqual(["binary-posing-as-text", "email"]);
    expect(fs[0]!.message).toMatchInlineSnapshot(
      `"notes.txt starts like text but holds bytes that are not UTF-8 text; scanned for printable strings instead"`,
    );
  });

  it("a truncated safetensors file or zip is reported, not thrown", async () => {
    const st = Buffer.alloc(16);
    st.writeBigUInt64LE(1000n, 0);
    st.write("{", 8);
    expect(
      (await scanOne("model.safetensors", st)).every((f) => f.severity === "warn" || f.rule === "unreadable-file"),
    ).toBe(true);
    const zip = Buffer.concat([
      Buffer.from([0x50, 0x4b, 0x03, 0x04]),
      Buffer.alloc(40),
      Buffer.from("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
    ]);
    expect((await scanOne("a.zip", zip)).map((f) => f.rule)).toEqual(["unreadable-archive", "github-token"]);
  });

  it("a single line larger than the whole-file limit is scanned in bounded chunks", async () => {
    // The key straddles the 16 MiB chunk boundary: the overlap keeps it whole.
    const line = `${"x".repeat(16 * 1024 * 1024 - 10)} AKIAQWERTYUIOPASDFGH ${"y".repeat(1024 * 1024)}`;
    const fs = await scanOne("huge.txt", line);
    expect(fs.map((f) => f.rule)).toEqual(["aws-access-key-id"]);
  });

  it("sniffs by content", () => {
    const sniffFormat = (head: Uint8Array, size: number) => sniff({ head, size, text: "shape" });
    expect(sniffFormat(Buffer.from([0x80, 0x04, 0x95]), 3)).toBe("pickle");
    expect(sniffFormat(Buffer.from("[section]\nkey=1\n"), 16)).toBe("text");
    expect(sniffFormat(Buffer.from(" [1, 2]"), 7)).toBe("json");
    expect(sniffFormat(Buffer.from([0x00, 0x01, 0x02]), 3)).toBe("binary");
    expect(sniffFormat(Buffer.alloc(0), 0)).toBe("empty");
  });
});

describe("zip archives (read with openZip)", () => {
  const token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
  const where = (fs: Awaited<ReturnType<typeof scanOne>>) =>
    fs.map((f) => ({ rule: f.rule, severity: f.severity, offset: f.offset, message: f.message }));

  it("finds a secret in a deflated member of a zip nested in a ZIP64 zip", async () => {
    const inner = encodeZip([{ name: "notes.txt", data: Buffer.from(`token ${token}\n`), deflate: true }]);
    const outer = encodeZip(
      [
        { name: "readme.md", data: Buffer.from("hello\n") },
        { name: "inner.zip", data: inner },
      ],
      { zip64: true },
    );
    expect(where(await scanOne("outer.zip", outer))).toMatchInlineSnapshot(`
      [
        {
          "message": "GitHub token in archive member inner.zip/notes.txt",
          "offset": undefined,
          "rule": "github-token",
          "severity": "block",
        },
      ]
    `);
  });

  it("a member claiming a bomb ratio is not inflated and blocks; a lying size is a warning", async () => {
    const data = Buffer.from(`token ${token}\n`);
    const bomb = encodeZip([{ name: "big.txt", data, deflate: true, declaredSize: 50_000_000 }]);
    expect(where(await scanOne("bomb.zip", bomb))).toMatchInlineSnapshot(`
      [
        {
          "message": "zip member big.txt not scanned: bomb.zip: entry "big.txt" claims 50000000 bytes from 49 compressed; refusing a likely zip bomb",
          "offset": 0,
          "rule": "unscanned-archive-member",
          "severity": "block",
        },
      ]
    `);
    const short = encodeZip([
      { name: "a.txt", data: Buffer.from("x"), deflate: false },
      { name: "b.txt", data, deflate: true, declaredSize: 10 },
    ]);
    expect(where(await scanOne("short.zip", short))).toMatchInlineSnapshot(`
      [
        {
          "message": "short.zip: corrupt zip: entry "b.txt" does not inflate to its declared 10 bytes (Cannot create a Buffer larger than 10 bytes) (at byte 71)",
          "offset": 71,
          "rule": "unreadable-archive",
          "severity": "warn",
        },
      ]
    `);
  });

  it("a deflated member with a wrong CRC-32 is still scanned, with a warning", async () => {
    const zip = encodeZip([{ name: "key.txt", data: Buffer.from(`token ${token}\n`), deflate: true }]);
    zip.writeUInt32LE(0, zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 16);
    expect(where(await scanOne("crc.zip", zip)).map((f) => [f.rule, f.severity, f.offset])).toEqual([
      ["unreadable-archive", "warn", 37],
      ["github-token", "block", undefined],
    ]);
  });

  it("an archive the reader refuses (two entries with one name) blocks, and its printable strings are still scanned", async () => {
    const dup = encodeZip([
      { name: "x.txt", data: Buffer.from("plain\n") },
      { name: "x.txt", data: Buffer.from(`key: ${token}\n`) },
    ]);
    expect(where(await scanOne("dup.zip", dup))).toMatchInlineSnapshot(`
      [
        {
          "message": "dup.zip: the zip holds two entries named "x.txt"; only its printable strings could be scanned, so compressed members were not",
          "offset": 41,
          "rule": "unreadable-archive",
          "severity": "block",
        },
        {
          "message": "GitHub token",
          "offset": 81,
          "rule": "github-token",
          "severity": "block",
        },
      ]
    `);
  });
});

describe("strings in pickles", () => {
  it("finds a token whose SHORT_BINUNICODE length byte is a printable letter", async () => {
    // 0x8c SHORT_BINUNICODE, length 0x32 = "2" (50 characters), then the token.
    const token = `xoxb-1234567890-1234567890-${"a".repeat(23)}`;
    expect(token.length).toBe(50);
    const pickle = Buffer.concat([
      Buffer.from([0x80, 0x04, 0x95, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x32]),
      Buffer.from(token),
      Buffer.from([0x94, 0x2e]),
    ]);
    const fs = await scanOne("state.pkl", pickle);
    // The hand-made FRAME says 64 bytes where 54 follow: the import scan cannot vouch for it, which
    // blocks (what a pickle runs decides, whatever the file's name).
    expect(fs.map((f) => [f.rule, f.severity, f.offset])).toEqual([
      ["pickle-invalid", "block", 2],
      ["slack-token", "block", 13],
    ]);
    expect(JSON.stringify(fs)).not.toContain(token);
  });
});
