import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanCheckpoint } from "../../src/sanitize/scan-checkpoint.js";

/** The scanner's streaming chunk sizes (binary strings, large text): what these tests straddle. */
const MiB = 1024 * 1024;
const BINARY_CHUNK = 4 * MiB;
const TEXT_CHUNK = 1 * MiB;
const TOKEN = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";

const tmp = await mkdtemp(path.join(os.tmpdir(), "scan-chunks-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function scanOne(name: string, content: string | Uint8Array, secretlint = false) {
  const dir = path.join(tmp, `${name.replace(/\W/g, "_")}-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), content);
  try {
    return await scanCheckpoint({ dir, secretlint, concurrency: 1 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("secrets split across streaming chunk boundaries", () => {
  it.each([1, 20, TOKEN.length - 1])(
    "binary: a token with %i bytes before the 4 MiB boundary is found once, at its offset",
    async (before) => {
      const bytes = Buffer.alloc(BINARY_CHUNK + 4096, 0x00);
      const at = BINARY_CHUNK - before;
      bytes.write(TOKEN, at, "latin1");
      const fs = await scanOne("blob.bin", bytes);
      expect(fs.map((f) => [f.rule, f.offset])).toEqual([["github-token", at]]);
    },
  );

  it("binary: a run whose UTF-8 character is cut by the boundary keeps its offsets", async () => {
    const bytes = Buffer.alloc(BINARY_CHUNK + 4096, 0x01);
    const run = Buffer.from("名前 jane.doe@robots.example.com", "utf8");
    // The first character (3 bytes) straddles the boundary.
    const at = BINARY_CHUNK - 1;
    run.copy(bytes, at);
    const fs = await scanOne("blob.bin", bytes);
    expect(fs.map((f) => [f.rule, f.offset])).toEqual([["email", at + Buffer.byteLength("名前 ")]]);
  });

  it("large text: a token cut by a 1 MiB chunk boundary after multi-byte characters is found once, on its line", async () => {
    // Over the 16 MiB whole-file limit, so it is streamed; lines of accented text before the cut.
    const line = `${"é".repeat(99)}\n`; // 199 bytes
    const lines = Math.floor((TEXT_CHUNK - 10) / 199);
    const head = line.repeat(lines);
    const pad = "x".repeat(TEXT_CHUNK - Buffer.byteLength(head) - 10);
    const text = `${head + pad} ${TOKEN}\n${"plain text line\n".repeat(1_100_000)}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(16 * MiB);
    const fs = await scanOne("train.log", text);
    expect(fs.map((f) => [f.rule, f.line])).toEqual([["github-token", lines + 1]]);
  });
});

describe("memory while scanning", () => {
  it("a 96 MiB single-line text file is scanned in bounded memory, and a secret at its end is found", async () => {
    const size = 96 * MiB;
    const line = Buffer.alloc(size, "a");
    line.write(" AKIAQWERTYUIOPASDFGH ", size - 100, "latin1");
    const dir = path.join(tmp, "huge-line");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "huge.txt"), line);
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, used())), 2);
    let fs: Awaited<ReturnType<typeof scanCheckpoint>>;
    try {
      fs = await scanCheckpoint({ dir, secretlint: false, concurrency: 1 });
    } finally {
      clearInterval(timer);
    }
    expect(fs.map((f) => f.rule)).toEqual(["aws-access-key-id"]);
    // Reading the file whole would take 96 MiB of buffer plus as much of string.
    expect((peak - before) / MiB).toBeLessThan(48);
  });
});
