import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inspectCheckpoint } from "../../src/checkpoint/inspect-checkpoint.js";
import { readCheckpointFiles } from "../../src/sanitize/read-checkpoint-files.js";

const tmp = await mkdtemp(path.join(os.tmpdir(), "read-ckpt-files-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("readCheckpointFiles (inspect's walker, never throwing on links)", () => {
  it("lists escaping and broken links as binary where inspectCheckpoint refuses them, and follows links inside", async () => {
    const dir = path.join(tmp, "links");
    await mkdir(path.join(dir, "sub"), { recursive: true });
    await writeFile(path.join(dir, "config.json"), '{"a": 1}');
    await writeFile(path.join(dir, "sub", "notes.txt"), "hello\n");
    await symlink("/etc/hostname", path.join(dir, "escapes.txt"));
    await symlink("missing.txt", path.join(dir, "broken.txt"));
    await symlink("config.json", path.join(dir, "inside.json"));
    await symlink("..", path.join(dir, "sub", "up"));
    const files = await readCheckpointFiles(dir);
    expect(files.map((f) => [f.path, f.format, f.size])).toEqual([
      ["broken.txt", "binary", 0],
      ["config.json", "json", 8],
      ["escapes.txt", "binary", 0],
      ["inside.json", "json", 8],
      ["sub/notes.txt", "text", 6],
    ]);
    await expect(inspectCheckpoint({ dir })).rejects.toMatchObject({ code: "CHECKPOINT_BROKEN_SYMLINK" });
  });

  it("does not parse safetensors headers: a malformed one is listed, not thrown", async () => {
    const dir = path.join(tmp, "bad-st");
    await mkdir(dir, { recursive: true });
    const st = Buffer.alloc(32, 0x20);
    st.writeBigUInt64LE(20n, 0);
    st.write("{not json", 8);
    await writeFile(path.join(dir, "model.safetensors"), st);
    expect((await readCheckpointFiles(dir)).map((f) => [f.path, f.format])).toEqual([
      ["model.safetensors", "safetensors"],
    ]);
    await expect(inspectCheckpoint({ dir })).rejects.toMatchObject({ category: "input" });
  });
});
