import { execFileSync } from "node:child_process";
import {
  appendFile,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildRelease, planBuild } from "../../src/bundle/build-release.js";
import type { BundleRelease } from "../../src/bundle/plan-manifest.js";
import { stageBundle } from "../../src/bundle/stage-bundle.js";
import type { BundleInput } from "../../src/bundle/types.js";
import { type VerifyProgress, verifyBundle } from "../../src/bundle/verify-bundle.js";
import { isReleaseError, type ReleaseError } from "../../src/errors.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const FIXTURES = path.join(REPO, "tests", "fixtures", "checkpoints");
const tmpDirs: string[] = [];
afterAll(async () => Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tmp(base = os.tmpdir()): Promise<string> {
  const d = await mkdtemp(path.join(base, "mr-bundle-"));
  tmpDirs.push(d);
  return d;
}

const release: BundleRelease = {
  name: "tiny",
  version: "1.0.0",
  tag: "v1.0.0",
  hub: { repo: "org/tiny", repoType: "model" },
};
const HOUR_AGO = new Date(Date.now() - 3600_000);

/** A private copy of the sharded fixture with old mtimes (as a finished checkpoint has). */
async function checkpoint(base?: string): Promise<{ dir: string; inputs: BundleInput[] }> {
  const dir = path.join(await tmp(base), "ckpt");
  await cp(path.join(FIXTURES, "hf-sharded"), dir, { recursive: true });
  const names = [
    "config.json",
    "model-00001-of-00003.safetensors",
    "model-00002-of-00003.safetensors",
    "model-00003-of-00003.safetensors",
    "model.safetensors.index.json",
  ];
  for (const n of names) await utimes(path.join(dir, n), HOUR_AGO, HOUR_AGO);
  const inputs: BundleInput[] = names.map((n) => ({
    path: n,
    role: n.endsWith(".safetensors") ? "weights" : n.endsWith("index.json") ? "weights-index" : "config",
    source: { kind: "file", absPath: path.join(dir, n) },
    origin: `checkpoint:${n}`,
  }));
  inputs.push({
    path: "README.md",
    role: "card",
    source: { kind: "content", content: "# tiny\n" },
    origin: "generated:card",
  });
  return { dir, inputs };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!isReleaseError(e)) throw e;
    return { code: (e as ReleaseError).code, message: (e as ReleaseError).message };
  }
  throw new Error("expected a ReleaseError");
}

describe("stageBundle", () => {
  it("hard-links weights, writes generated files, and writes a manifest and SHA256SUMS that sha256sum -c accepts", async () => {
    const { dir, inputs } = await checkpoint();
    const out = path.join(await tmp(), "bundle");
    const r = await stageBundle({ outDir: out, inputs, release, concurrency: 2 });
    const src = await stat(path.join(dir, "model-00001-of-00003.safetensors"));
    const staged = await stat(path.join(out, "model-00001-of-00003.safetensors"));
    expect(staged.ino).toBe(src.ino); // a link, not a copy
    expect(r.sources.filter((s) => s.mode === "link")).toHaveLength(5);
    expect(r.manifest.files.map((f) => f.path)).toEqual([
      "README.md",
      "config.json",
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
      "model.safetensors.index.json",
    ]);
    const check = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: out, encoding: "utf8" });
    expect(check.trim().split("\n")).toHaveLength(7);
    expect(check).toContain("manifest.json: OK");
    // Published files never hold the machine's paths; the private sources file does.
    const manifestText = await readFile(path.join(out, "manifest.json"), "utf8");
    expect(manifestText).not.toContain(dir);
    expect(manifestText).not.toContain(os.tmpdir());
    const sources = JSON.parse(await readFile(path.join(out, ".model-release", "sources.json"), "utf8")) as {
      files: { path: string; mode: string; source?: string }[];
    };
    expect(sources.files.find((f) => f.path === "config.json")).toEqual({
      path: "config.json",
      mode: "link",
      source: path.join(dir, "config.json"),
    });
  });

  it("writes a byte-identical manifest for the same inputs, with or without the cache", async () => {
    const { inputs } = await checkpoint();
    const cacheDir = await tmp();
    const a = path.join(await tmp(), "a");
    const b = path.join(await tmp(), "b");
    await stageBundle({ outDir: a, inputs, release, cacheDir });
    await stageBundle({ outDir: b, inputs: [...inputs].reverse(), release, cacheDir });
    expect(await readFile(path.join(a, "manifest.json"), "utf8")).toBe(
      await readFile(path.join(b, "manifest.json"), "utf8"),
    );
    expect(await readFile(path.join(a, "SHA256SUMS"), "utf8")).toBe(await readFile(path.join(b, "SHA256SUMS"), "utf8"));
  });

  it("serves an unchanged rebuild from the hash cache and re-hashes a changed file", async () => {
    const { dir, inputs } = await checkpoint();
    const cacheDir = await tmp();
    const out = path.join(await tmp(), "bundle");
    const first = await stageBundle({ outDir: out, inputs, release, cacheDir });
    expect(first.cacheHits).toBe(0);
    const second = await stageBundle({ outDir: out, inputs, release, cacheDir });
    expect(second.cacheHits).toBe(5);
    expect(second.hashedBytes).toBe(0);
    expect(await readFile(path.join(out, "manifest.json"), "utf8")).toBe(renderOf(first.manifest));

    // Same size, same mtime, different bytes: ctime still moves, so the file is re-hashed.
    const shard = path.join(dir, "model-00002-of-00003.safetensors");
    const bytes = await readFile(shard);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    await writeFile(shard, bytes);
    await utimes(shard, HOUR_AGO, HOUR_AGO);
    const third = await stageBundle({ outDir: out, inputs, release, cacheDir });
    expect(third.cacheHits).toBe(4);
    expect(third.manifest.files.find((f) => f.path === "model-00002-of-00003.safetensors")?.sha256).not.toBe(
      first.manifest.files.find((f) => f.path === "model-00002-of-00003.safetensors")?.sha256,
    );
    // Without the cache, everything is hashed again and agrees.
    const fourth = await stageBundle({ outDir: out, inputs, release });
    expect(fourth.cacheHits).toBe(0);
    expect(fourth.manifest).toEqual(third.manifest);
  });

  it("does not trust cache entries for files modified just before hashing (racily clean)", async () => {
    const { dir, inputs } = await checkpoint();
    await utimes(path.join(dir, "config.json"), new Date(), new Date());
    const cacheDir = await tmp();
    const out = path.join(await tmp(), "bundle");
    await stageBundle({ outDir: out, inputs, release, cacheDir });
    const again = await stageBundle({ outDir: out, inputs, release, cacheDir });
    expect(again.cacheHits).toBe(4);
  });

  it("serves a card-only re-release into a new folder from the cache (a fresh cache object, as in a new process)", async () => {
    const { inputs } = await checkpoint();
    const cacheDir = await tmp();
    const first = await stageBundle({ outDir: path.join(await tmp(), "1.0.0"), inputs, release, cacheDir });
    expect(first.cacheHits).toBe(0);
    // Next version, new folder, edited card: linking again moves each source's ctime.
    const card = inputs.map((i) =>
      i.path === "README.md" ? { ...i, source: { kind: "content" as const, content: "# tiny, better card\n" } } : i,
    );
    const out2 = path.join(await tmp(), "1.0.1");
    const second = await stageBundle({
      outDir: out2,
      inputs: card,
      release: { ...release, version: "1.0.1" },
      cacheDir,
    });
    expect(second.cacheHits).toBe(5);
    expect(second.hashedBytes).toBe(0);
    const third = await stageBundle({ outDir: path.join(await tmp(), "1.0.2"), inputs: card, release, cacheDir });
    expect(third.cacheHits).toBe(5);
    // publish's verification of the second bundle reads nothing either: the build recorded its stamps.
    const { readHashCache } = await import("../../src/bundle/hash-cache.js");
    const events: VerifyProgress[] = [];
    const verified = await verifyBundle({
      dir: out2,
      cache: await readHashCache({ dir: cacheDir }),
      onProgress: (e) => events.push(e),
    });
    expect(verified.ok).toBe(true);
    // Progress first says what is left to read: only the generated card.
    expect(events[0]).toEqual({ kind: "plan", files: 1, bytes: Buffer.byteLength("# tiny, better card\n"), cached: 5 });
    expect(events.at(-1)).toMatchObject({ kind: "hashed", path: "README.md" });
    expect(verified.cached).toBe(5);
    expect(verified.hashedBytes).toBe(Buffer.byteLength("# tiny, better card\n"));
  });

  it("re-hashes, in a new folder, a byte changed in place with mtime restored and a file replaced by rename", async () => {
    const { dir, inputs } = await checkpoint();
    const cacheDir = await tmp();
    const first = await stageBundle({ outDir: path.join(await tmp(), "a"), inputs, release, cacheDir });
    const shard2 = path.join(dir, "model-00002-of-00003.safetensors");
    const bytes = await readFile(shard2);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    await writeFile(shard2, bytes);
    await utimes(shard2, HOUR_AGO, HOUR_AGO);
    // Same bytes, same size and mtime, new inode: replaced by rename.
    const shard3 = path.join(dir, "model-00003-of-00003.safetensors");
    await writeFile(`${shard3}.tmp`, await readFile(shard3));
    await utimes(`${shard3}.tmp`, HOUR_AGO, HOUR_AGO);
    await rename(`${shard3}.tmp`, shard3);
    const second = await stageBundle({ outDir: path.join(await tmp(), "b"), inputs, release, cacheDir });
    expect(second.cacheHits).toBe(3);
    const digest = (r: typeof first, p: string) => r.manifest.files.find((f) => f.path === p)?.sha256;
    expect(digest(second, "model-00002-of-00003.safetensors")).not.toBe(
      digest(first, "model-00002-of-00003.safetensors"),
    );
    expect(digest(second, "model-00003-of-00003.safetensors")).toBe(digest(first, "model-00003-of-00003.safetensors"));
    // And once re-hashed, they are served from the cache again.
    expect((await stageBundle({ outDir: path.join(await tmp(), "c"), inputs, release, cacheDir })).cacheHits).toBe(5);
  });

  it("re-hashes a racily written file in a new folder too, until a build hashed it well after its last write", async () => {
    const { dir, inputs } = await checkpoint();
    await utimes(path.join(dir, "config.json"), new Date(), new Date());
    const cacheDir = await tmp();
    await stageBundle({ outDir: path.join(await tmp(), "a"), inputs, release, cacheDir });
    const again = await stageBundle({ outDir: path.join(await tmp(), "b"), inputs, release, cacheDir });
    expect(again.cacheHits).toBe(4);
    // With a zero racy window (a filesystem clock finer than any write), the re-hashed entry is trusted.
    const trusted = await stageBundle({
      outDir: path.join(await tmp(), "c"),
      inputs,
      release,
      cacheDir,
      racyWindowNs: 0n,
    });
    expect(trusted.cacheHits).toBe(5);
  });

  it("serves files on another filesystem (referenced, not linked) from the cache in a new folder, and catches an in-place change", async () => {
    if (!existsSync("/dev/shm") || (await stat("/dev/shm")).dev === (await stat(os.tmpdir())).dev)
      return expect.fail("needs /dev/shm on another filesystem than the temp folder");
    const { dir, inputs } = await checkpoint("/dev/shm");
    const cacheDir = await tmp();
    await stageBundle({ outDir: path.join(await tmp(), "a"), inputs, release, cacheDir });
    const second = await stageBundle({ outDir: path.join(await tmp(), "b"), inputs, release, cacheDir });
    expect(second.sources.filter((s) => s.mode === "reference")).toHaveLength(5);
    expect(second.cacheHits).toBe(5);
    const shard = path.join(dir, "model-00001-of-00003.safetensors");
    const bytes = await readFile(shard);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await writeFile(shard, bytes);
    await utimes(shard, HOUR_AGO, HOUR_AGO);
    expect((await stageBundle({ outDir: path.join(await tmp(), "c"), inputs, release, cacheDir })).cacheHits).toBe(4);
  });

  it("treats a damaged cache file as empty and still builds", async () => {
    const { inputs } = await checkpoint();
    const cacheDir = await tmp();
    await writeFile(
      path.join(cacheDir, "hashes-v1.json"),
      JSON.stringify({
        entries: { [inputs[0]!.source.kind === "file" ? inputs[0]!.source.absPath : ""]: { dev: "x", sha256: 5 } },
      }),
    );
    const out = path.join(await tmp(), "bundle");
    expect((await stageBundle({ outDir: out, inputs, release, cacheDir })).cacheHits).toBe(0);
    await writeFile(path.join(cacheDir, "hashes-v1.json"), "{truncated");
    expect((await stageBundle({ outDir: out, inputs, release, cacheDir })).cacheHits).toBe(0);
    expect((await stageBundle({ outDir: out, inputs, release, cacheDir })).cacheHits).toBe(5);
  });

  it("falls back to a symlink and a recorded reference across filesystems", async () => {
    if (!existsSync("/dev/shm") || (await stat("/dev/shm")).dev === (await stat(os.tmpdir())).dev)
      return expect.fail("needs /dev/shm on another filesystem than the temp folder");
    const { dir, inputs } = await checkpoint("/dev/shm");
    const out = path.join(await tmp(), "bundle");
    const r = await stageBundle({ outDir: out, inputs, release });
    expect(r.sources.filter((s) => s.mode === "reference")).toHaveLength(5);
    expect((await lstat(path.join(out, "config.json"))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(out, "config.json"))).toBe(path.join(dir, "config.json"));
    expect((await verifyBundle({ dir: out })).ok).toBe(true);
  });

  it("replaces a previous bundle but refuses a folder it did not stage, and never writes through a link", async () => {
    const { dir, inputs } = await checkpoint();
    const out = path.join(await tmp(), "bundle");
    await stageBundle({ outDir: out, inputs, release });
    // The next build rewrites config.json (as the sanitizer does): the checkpoint's file must stay as it was.
    const before = await readFile(path.join(dir, "config.json"), "utf8");
    const rewritten = inputs
      .map((i): BundleInput => (i.path === "config.json" ? { ...i, source: { kind: "content", content: "{}\n" } } : i))
      .filter((i) => i.path !== "README.md");
    await stageBundle({ outDir: out, inputs: rewritten, release });
    expect(await readFile(path.join(dir, "config.json"), "utf8")).toBe(before);
    expect(await readFile(path.join(out, "config.json"), "utf8")).toBe("{}\n");
    expect(existsSync(path.join(out, "README.md"))).toBe(false);

    const foreign = await tmp();
    await writeFile(path.join(foreign, "notes.txt"), "mine");
    expect(await failure(stageBundle({ outDir: foreign, inputs, release }))).toMatchObject({
      code: "OUT_DIR_NOT_EMPTY",
    });
  });

  it.each([
    ["../escape.json", "BUNDLE_BAD_PATH"],
    ["/etc/passwd", "BUNDLE_BAD_PATH"],
    ["a\\b", "BUNDLE_BAD_PATH"],
    ["manifest.json", "BUNDLE_BAD_PATH"],
    [".model-release/x", "BUNDLE_BAD_PATH"],
    ["line\nbreak", "BUNDLE_BAD_PATH"],
  ])("refuses the bundle path %j", async (p, code) => {
    const input: BundleInput = { path: p, role: "other", source: { kind: "content", content: "x" }, origin: "test" };
    expect((await failure(stageBundle({ outDir: path.join(await tmp(), "b"), inputs: [input], release }))).code).toBe(
      code,
    );
  });

  it("refuses two inputs with the same path", async () => {
    const input: BundleInput = {
      path: "a.txt",
      role: "other",
      source: { kind: "content", content: "x" },
      origin: "test",
    };
    expect(
      (await failure(stageBundle({ outDir: path.join(await tmp(), "b"), inputs: [input, input], release }))).code,
    ).toBe("BUNDLE_DUPLICATE_PATH");
  });
});

function renderOf(m: unknown): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

describe("stageBundle of converted pickle weights", () => {
  const PICKLES = path.join(REPO, "tests", "fixtures", "pickles");
  const converted = (absPath: string, size: number): BundleInput => ({
    path: "model.safetensors",
    role: "weights",
    source: { kind: "converted", absPath, file: "pytorch_model.bin", size },
    origin: "checkpoint:pytorch_model.bin (converted to safetensors)",
  });

  it("streams the conversion into the bundle and hashes the written file", async () => {
    const { readTorchConversionPlan } = await import("../../src/checkpoint/pickle/read-torch-conversion-plan.js");
    const src = path.join(PICKLES, "plain_state_dict.pt");
    const plan = await readTorchConversionPlan(src);
    const out = path.join(await tmp(), "bundle");
    const r = await stageBundle({ outDir: out, inputs: [converted(src, plan.size)], release });
    const bytes = await readFile(path.join(out, "model.safetensors"));
    expect(bytes.length).toBe(plan.size);
    const { createHash } = await import("node:crypto");
    expect(r.manifest.files).toEqual([
      {
        path: "model.safetensors",
        size: plan.size,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        role: "weights",
        origin: "checkpoint:pytorch_model.bin (converted to safetensors)",
      },
    ]);
    expect(r.sources).toEqual([{ path: "model.safetensors", mode: "written" }]);
    expect((await verifyBundle({ dir: out })).ok).toBe(true);
  });

  it("refuses a source that became a payload after planning (CONVERSION_BLOCKED) and one whose size changed, leaving no weights file", async () => {
    const dir = await tmp();
    const src = path.join(dir, "pytorch_model.bin");
    await cp(path.join(PICKLES, "os_system_payload.pt"), src);
    const out = path.join(dir, "bundle");
    const err = (await stageBundle({ outDir: out, inputs: [converted(src, 100)], release }).catch(
      (e: unknown) => e,
    )) as ReleaseError;
    expect([err.code, err.category, err.location?.file]).toEqual([
      "CONVERSION_BLOCKED",
      "blocked",
      "pytorch_model.bin",
    ]);
    expect(err.message).toContain("unsafe-pickle-global");
    expect(existsSync(path.join(out, "model.safetensors"))).toBe(false);
    expect(existsSync(path.join(out, "model.safetensors.partial"))).toBe(false);

    await cp(path.join(PICKLES, "plain_state_dict.pt"), src);
    const err2 = (await stageBundle({ outDir: out, inputs: [converted(src, 100)], release }).catch(
      (e: unknown) => e,
    )) as ReleaseError;
    expect([err2.code, err2.category]).toEqual(["BUNDLE_SOURCE_CHANGED", "input"]);
    expect(existsSync(path.join(out, "model.safetensors"))).toBe(false);
  });
});

describe("verifyBundle", () => {
  async function staged(): Promise<string> {
    const { inputs } = await checkpoint();
    const out = path.join(await tmp(), "bundle");
    // Generated files only, so tampering does not touch the shared checkpoint copy through a link.
    const copies: BundleInput[] = await Promise.all(
      inputs.map(
        async (i): Promise<BundleInput> =>
          i.source.kind === "file"
            ? { ...i, source: { kind: "content", content: await readFile(i.source.absPath) } }
            : i,
      ),
    );
    await stageBundle({ outDir: out, inputs: copies, release });
    return out;
  }

  it("passes an untouched bundle", async () => {
    const r = await verifyBundle({ dir: await staged() });
    expect(r).toMatchObject({ ok: true, checked: 6, missing: [], extra: [], changed: [], contentDigestOk: true });
  });

  it("names each missing, extra and changed file", async () => {
    const out = await staged();
    await rm(path.join(out, "config.json"));
    await appendFile(path.join(out, "model-00001-of-00003.safetensors"), "x");
    await writeFile(path.join(out, "optimizer.pt"), "leftover");
    await mkdir(path.join(out, ".git"));
    await writeFile(path.join(out, ".git", "HEAD"), "ignored");
    await writeFile(path.join(out, "model.sig"), "ignored");
    const r = await verifyBundle({ dir: out });
    expect(r.ok).toBe(false);
    expect(r.missing).toEqual(["config.json"]);
    expect(r.extra).toEqual(["optimizer.pt"]);
    expect(r.changed.map((c) => [c.path, c.reason, c.actualSize - c.expectedSize])).toEqual([
      ["model-00001-of-00003.safetensors", "content", 1],
    ]);
  });

  it("catches a SHA256SUMS that disagrees with the manifest, and a manifest edited by hand", async () => {
    const out = await staged();
    const sums = await readFile(path.join(out, "SHA256SUMS"), "utf8");
    await writeFile(path.join(out, "SHA256SUMS"), sums.replace(/^[0-9a-f]{64}(?= {2}README\.md)/m, "0".repeat(64)));
    const manifest = JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8")) as {
      files: { path: string; size: number }[];
    };
    const r1 = await verifyBundle({ dir: out });
    expect(r1.changed).toMatchObject([{ path: "README.md", reason: "sha256sums" }]);
    manifest.files.pop();
    await writeFile(path.join(out, "manifest.json"), JSON.stringify(manifest));
    const r2 = await verifyBundle({ dir: out });
    expect(r2.contentDigestOk).toBe(false);
    expect(r2.extra).toEqual(["model.safetensors.index.json"]);
  });

  it("throws typed errors for a missing or malformed manifest, and for paths that leave the bundle", async () => {
    expect((await failure(verifyBundle({ dir: await tmp() }))).code).toBe("MANIFEST_MISSING");
    const d = await tmp();
    await writeFile(path.join(d, "manifest.json"), "{not json");
    expect((await failure(verifyBundle({ dir: d }))).code).toBe("MANIFEST_INVALID");
    await writeFile(
      path.join(d, "manifest.json"),
      JSON.stringify({
        schema: "model-release/manifest@1",
        files: [{ path: "../../etc/passwd", size: 1, sha256: "0".repeat(64) }],
      }),
    );
    expect((await failure(verifyBundle({ dir: d }))).code).toBe("BUNDLE_BAD_PATH");
  });
});

describe("buildRelease", () => {
  it("builds the demo release: allowlisted files only, training leftovers dropped with reasons", async () => {
    const out = path.join(await tmp(), "demo");
    const r = await buildRelease({
      configFile: path.join(REPO, "release-configs", "demo.yaml"),
      version: "v1.2.0",
      outDir: out,
    });
    expect(r.manifest.version).toBe("1.2.0");
    expect(r.manifest.tag).toBe("v1.2.0");
    expect(r.manifest.files.map((f) => `${f.path} ${f.role}`)).toEqual([
      ".eval_results/gsm8k.yaml eval",
      "LICENSE licence",
      "NOTICE licence",
      "README.ko.md card",
      "README.md card",
      "USAGE_POLICY licence",
      "assets/eval-chart.svg chart",
      "config.json config",
      "eval-results.json eval",
      "examples/curl.sh example",
      "examples/inference_client.ts example",
      "examples/transformers_convert.py example",
      "examples/vllm_openai_client.py example",
      "examples/vllm_serve.sh example",
      "generation_config.json config",
      "model-00001-of-00002.safetensors weights",
      "model-00002-of-00002.safetensors weights",
      "model.safetensors.index.json weights-index",
      "report.html report",
      "report.json report",
      "report.md report",
      "tokenizer.json tokenizer",
      "tokenizer_config.json tokenizer",
    ]);
    expect(r.plan.sanitize.dropped.map((d) => d.path)).toEqual([
      "optimizer.pt",
      "rng_state.pth",
      "trainer_state.json",
      "training_args.bin",
    ]);
    expect((await verifyBundle({ dir: out })).ok).toBe(true);
  });

  it("stages extra inputs (generated docs) beside the checkpoint files", async () => {
    const out = path.join(await tmp(), "demo");
    const r = await buildRelease({
      configFile: path.join(REPO, "release-configs", "demo.yaml"),
      version: "1.0.0",
      outDir: out,
      extraInputs: [
        { path: "README.md", role: "card", source: { kind: "content", content: "# card\n" }, origin: "generated:card" },
      ],
    });
    expect(r.manifest.files.find((f) => f.path === "README.md")).toMatchObject({
      role: "card",
      origin: "generated:card",
      size: 7,
    });
  });

  it("refuses an output folder inside the checkpoint, or around it", async () => {
    const { dir } = await checkpoint();
    const configFile = path.join(REPO, "release-configs", "demo.yaml");
    expect(
      (
        await failure(
          buildRelease({ configFile, version: "1.0.0", checkpoint: dir, outDir: path.join(dir, "release") }),
        )
      ).code,
    ).toBe("OUT_DIR_OVERLAPS_CHECKPOINT");
    expect(
      (await failure(buildRelease({ configFile, version: "1.0.0", checkpoint: dir, outDir: path.dirname(dir) }))).code,
    ).toBe("OUT_DIR_OVERLAPS_CHECKPOINT");
  });

  it("refuses a version that is not semver", async () => {
    expect(
      await failure(planBuild({ configFile: path.join(REPO, "release-configs", "demo.yaml"), version: "latest" })),
    ).toMatchInlineSnapshot(`
      {
        "code": "BAD_VERSION",
        "message": "--version "latest" is not a semantic version",
      }
    `);
  });
});

describe("verifyBundle with the build's hash cache (before publishing)", () => {
  it("trusts files provably unchanged since the build, and still catches a checkpoint rewritten in place", async () => {
    const { readHashCache } = await import("../../src/bundle/hash-cache.js");
    const { dir, inputs } = await checkpoint();
    const out = path.join(await tmp(), "bundle");
    const cacheDir = await tmp();
    await stageBundle({ outDir: out, inputs, release, cacheDir });

    const cache = await readHashCache({ dir: cacheDir });
    const fast = await verifyBundle({ dir: out, cache });
    expect(fast.ok).toBe(true);
    expect(cache.hits).toBe(5); // every linked checkpoint file; generated files are hashed

    // A hard link shares the bytes: rewriting the checkpoint file rewrites the staged one.
    const shard = "model-00002-of-00003.safetensors";
    const bytes = await readFile(path.join(dir, shard));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await writeFile(path.join(dir, shard), bytes);
    const again = await readHashCache({ dir: cacheDir });
    const r = await verifyBundle({ dir: out, cache: again });
    expect(r.ok).toBe(false);
    expect(r.changed.map((c) => c.path)).toEqual([shard]);
    expect(again.hits).toBe(4);
  });
});
