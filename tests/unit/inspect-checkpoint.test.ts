import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inspectCheckpoint } from "../../src/checkpoint/inspect-checkpoint.js";
import { sniffFormat } from "../../src/checkpoint/sniff-format.js";
import { readCheckpointFiles } from "../../src/sanitize/read-checkpoint-files.js";
import { isReleaseError, type ReleaseError } from "../../src/errors.js";
import { encodeSafetensors } from "../fixtures/lib/write-safetensors.js";

const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures", "checkpoints");
const tmpDirs: string[] = [];
afterAll(async () => Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A private copy of a fixture checkpoint to break. */
async function copyOf(layout: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mr-inspect-"));
  tmpDirs.push(dir);
  const dest = path.join(dir, layout);
  await cp(path.join(FIXTURES, layout), dest, { recursive: true });
  return dest;
}

async function failure(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; file?: string; offset?: number }> {
  try {
    await p;
  } catch (e) {
    if (!isReleaseError(e)) throw e;
    const err = e as ReleaseError;
    return { code: err.code, message: err.message, file: err.location?.file, offset: err.location?.offset };
  }
  throw new Error("expected a ReleaseError");
}

describe("inspectCheckpoint on every fixture layout", () => {
  it.each([
    ["hf", "hf", 21, 1832],
    ["hf-sharded", "hf-sharded", 21, 1832],
    ["hf-trainer", "hf-trainer", 21, 1832],
    ["peft-adapter", "peft-adapter", 8, 256],
    ["deepspeed", "deepspeed", 0, 0],
    ["fsdp-dcp", "fsdp-dcp", 0, 0],
    ["megatron", "megatron", 0, 0],
    ["pickle-only", "pickle-only", 0, 0],
  ])("%s is detected as %s with %i tensors, %i parameters", async (dir, layout, tensors, parameters) => {
    const inv = await inspectCheckpoint({ dir: path.join(FIXTURES, dir) });
    expect(inv.layout).toBe(layout);
    expect(inv.tensors).toBe(tensors);
    expect(inv.parameters).toBe(parameters);
    expect(inv.totalBytes).toBe(inv.files.reduce((a, f) => a + f.size, 0));
  });

  it("sniffs formats from content: torch pickles, the DCP .metadata pickle, safetensors, JSON, text", async () => {
    const formats = async (dir: string) =>
      Object.fromEntries(
        (await inspectCheckpoint({ dir: path.join(FIXTURES, dir) })).files.map((f) => [f.path, f.format]),
      );
    expect(await formats("hf-trainer")).toMatchObject({
      "training_args.bin": "torch-zip",
      "optimizer.pt": "torch-zip",
      "rng_state.pth": "torch-zip",
      "model.safetensors": "safetensors",
      "trainer_state.json": "json",
    });
    expect(await formats("fsdp-dcp")).toMatchObject({
      "pytorch_model_fsdp_0/.metadata": "pickle",
      "pytorch_model_fsdp_0/__0_0.distcp": "torch-zip",
    });
    expect(await formats("deepspeed")).toMatchObject({ latest: "text", "zero_to_fp32.py": "text" });
  });

  it("reports shards in index order, the index, dtypes and the architecture", async () => {
    const inv = await inspectCheckpoint({ dir: path.join(FIXTURES, "hf-sharded") });
    expect(inv.shards).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
    ]);
    expect(inv.index).toEqual({ path: "model.safetensors.index.json", tensors: 21, totalSize: 3664 });
    expect(inv.dtypes).toEqual({ BF16: { tensors: 21, parameters: 1832, bytes: 3664 } });
    expect(inv.architecture).toBe("LlamaForCausalLM");
    expect(inv.modelType).toBe("llama");
  });
});

describe("sniffFormat", () => {
  it("ignores names: a safetensors header length that starts with 0x80 0x02 is not a pickle", () => {
    const st = encodeSafetensors([{ name: "w", dtype: "U8", shape: [8] }]);
    expect(sniffFormat({ head: st, size: st.length, whole: true })).toBe("safetensors");
    expect(sniffFormat({ head: new Uint8Array([0x80, 0x04, 0x95]), size: 3, whole: true })).toBe("pickle");
    expect(sniffFormat({ head: Buffer.from('{"a": 1}'), size: 8, whole: true })).toBe("json");
    expect(sniffFormat({ head: Buffer.from("hello"), size: 5, whole: true })).toBe("text");
    expect(sniffFormat({ head: new Uint8Array(), size: 0, whole: true })).toBe("empty");
    expect(
      sniffFormat({ head: new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), size: 8, whole: true }),
    ).toBe("numpy");
  });
});

describe("inspectCheckpoint on bad input", () => {
  it("names a shard that the index lists but that is missing", async () => {
    const dir = await copyOf("hf-sharded");
    await rm(path.join(dir, "model-00002-of-00003.safetensors"));
    const text = await readFile(path.join(dir, "model.safetensors.index.json"), "utf8");
    expect(await failure(inspectCheckpoint({ dir }))).toEqual({
      code: "INDEX_SHARD_MISSING",
      file: "model.safetensors.index.json",
      message:
        "model.safetensors.index.json names shard model-00002-of-00003.safetensors, which is not in the checkpoint or is not a safetensors file",
      // The byte offset points at the first mention of the shard in the index.
      offset: text.indexOf('"model-00002-of-00003.safetensors"'),
    });
  });

  it("finds tensors the index names but the shard lacks, and tensors the shard holds but the index lacks", async () => {
    const dir = await copyOf("hf-sharded");
    const indexFile = path.join(dir, "model.safetensors.index.json");
    const index = JSON.parse(await readFile(indexFile, "utf8")) as { weight_map: Record<string, string> };
    index.weight_map["model.ghost.weight"] = "model-00001-of-00003.safetensors";
    await writeFile(indexFile, JSON.stringify(index));
    expect((await failure(inspectCheckpoint({ dir }))).code).toBe("INDEX_TENSOR_MISSING");
    delete index.weight_map["model.ghost.weight"];
    delete index.weight_map["lm_head.weight"];
    await writeFile(indexFile, JSON.stringify(index));
    expect(await failure(inspectCheckpoint({ dir }))).toMatchObject({
      code: "INDEX_TENSOR_EXTRA",
      message:
        "model-00003-of-00003.safetensors holds tensor lm_head.weight, which model.safetensors.index.json does not name",
    });
  });

  it("rejects duplicate keys in the index", async () => {
    const dir = await copyOf("hf-sharded");
    const text = '{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}';
    await writeFile(path.join(dir, "model.safetensors.index.json"), text);
    expect(await failure(inspectCheckpoint({ dir }))).toMatchObject({
      code: "INDEX_INVALID",
      offset: text.lastIndexOf('"a"'),
    });
  });

  it("refuses a symlink that leaves the checkpoint", async () => {
    const dir = await copyOf("hf");
    await symlink("/etc/hostname", path.join(dir, "tokenizer.model"));
    expect(await failure(inspectCheckpoint({ dir }))).toMatchObject({
      code: "CHECKPOINT_SYMLINK_ESCAPES",
      file: "tokenizer.model",
    });
  });

  it("follows a symlink that stays inside", async () => {
    const dir = await copyOf("hf");
    await symlink("config.json", path.join(dir, "config-link.json"));
    const inv = await inspectCheckpoint({ dir });
    expect(inv.files.find((f) => f.path === "config-link.json")?.format).toBe("json");
  });

  it("gives a typed error for a truncated shard, with the byte offset", async () => {
    const dir = await copyOf("hf");
    const file = path.join(dir, "model.safetensors");
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 100));
    expect(await failure(inspectCheckpoint({ dir }))).toMatchObject({
      code: "SAFETENSORS_TRUNCATED",
      file: "model.safetensors",
      offset: bytes.length - 100,
    });
    await writeFile(file, bytes.subarray(0, 20));
    expect(await failure(inspectCheckpoint({ dir }))).toMatchObject({
      code: "SAFETENSORS_TRUNCATED",
      file: "model.safetensors",
      offset: 0,
    });
    await writeFile(file, bytes.subarray(0, 5));
    expect(await failure(inspectCheckpoint({ dir }))).toMatchObject({
      code: "SAFETENSORS_TRUNCATED",
      file: "model.safetensors",
      offset: 0,
    });
  });

  it("refuses a pickle renamed to .safetensors", async () => {
    const dir = await copyOf("hf");
    await cp(path.join(FIXTURES, "pickle-only", "pytorch_model.bin"), path.join(dir, "model.safetensors"));
    expect(await failure(inspectCheckpoint({ dir }))).toMatchObject({
      code: "CHECKPOINT_DISGUISED_FILE",
      file: "model.safetensors",
      offset: 0,
    });
  });

  it("neither hangs on a FIFO nor loops on a directory symlink cycle", async () => {
    const dir = await copyOf("hf");
    execFileSync("mkfifo", [path.join(dir, "pipe")]);
    await mkdir(path.join(dir, "sub"));
    await symlink("..", path.join(dir, "sub", "up"));
    const inv = await inspectCheckpoint({ dir });
    expect(inv.files.map((f) => f.path)).toEqual([
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
  });

  it("says when the folder does not exist, the same way for inspect and scan (exit 7)", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "not-a-folder-")), "weights.bin");
    await writeFile(file, "x");
    expect((await failure(inspectCheckpoint({ dir: "/nonexistent/checkpoint" }))).code).toBe("CHECKPOINT_NOT_FOUND");
    const caught = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as ReleaseError,
      );
    for (const err of [
      await caught(inspectCheckpoint({ dir: "/nonexistent/checkpoint" })),
      await caught(readCheckpointFiles("/nonexistent/checkpoint")),
      await caught(readCheckpointFiles(file)),
    ]) {
      if (!isReleaseError(err)) throw new Error("expected a ReleaseError");
      expect(err.code).toBe("CHECKPOINT_NOT_FOUND");
      expect(err.category).toBe("input");
      expect(err.message).toMatch(/^checkpoint folder .+ does not exist or is not a folder$/);
      expect(err.hint).toContain("`scan <dir>`");
    }
  });

  it("stops when aborted", async () => {
    await expect(
      inspectCheckpoint({ dir: path.join(FIXTURES, "hf"), signal: AbortSignal.abort(new Error("stop")) }),
    ).rejects.toThrow("stop");
  });
});
