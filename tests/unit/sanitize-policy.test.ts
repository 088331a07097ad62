import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InventoryFile } from "../../src/checkpoint/types.js";
import type { SanitizeConfig } from "../../src/config/schema.js";
import { isBlocking } from "../../src/findings.js";
import { applySanitizeRewrite } from "../../src/sanitize/apply-sanitize-rewrite.js";
import { classifyCheckpointFile } from "../../src/sanitize/classify-checkpoint-file.js";
import { matchGlob } from "../../src/sanitize/match-glob.js";
import { planSanitize } from "../../src/sanitize/plan-sanitize.js";
import { planSafetensorsHeader } from "../../src/sanitize/plan-safetensors-header.js";
import { planWeightPickleTarget } from "../../src/sanitize/plan-weight-pickle-target.js";
import { readCheckpointFiles } from "../../src/sanitize/read-checkpoint-files.js";
import { renderBuildReport } from "../../src/sanitize/render-build-report.js";
import { scrubJsonMetadata } from "../../src/sanitize/scrub-json-metadata.js";
import { encodeSafetensors } from "../fixtures/lib/write-safetensors.js";

const empty: SanitizeConfig = { allow: [], drop: [], patterns: [], allow_findings: [] };
const tmp = await mkdtemp(path.join(os.tmpdir(), "sanitize-policy-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const file = (p: string, format: InventoryFile["format"]): InventoryFile => ({
  path: p,
  absPath: `/x/${p}`,
  size: 10,
  format,
});
const decide = (p: string, format: InventoryFile["format"], config = empty, has = true) =>
  classifyCheckpointFile(file(p, format), config, { hasSafetensorsWeights: has });

async function checkpoint(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(tmp, name);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

describe("classifyCheckpointFile", () => {
  it.each([
    ["model.safetensors", "safetensors", "weights"],
    ["model-00001-of-00002.safetensors", "safetensors", "weights"],
    ["model.safetensors.index.json", "json", "weights-index"],
    ["config.json", "json", "config"],
    ["generation_config.json", "json", "config"],
    ["tokenizer.json", "json", "tokenizer"],
    ["tokenizer.model", "binary", "tokenizer"],
    ["merges.txt", "text", "tokenizer"],
    ["chat_template.jinja", "text", "tokenizer"],
    ["preprocessor_config.json", "json", "processor"],
    ["LICENSE", "text", "licence"],
    ["USE_POLICY.md", "text", "licence"],
    ["USAGE_POLICY", "text", "licence"],
  ] as const)("publishes %s (%s) as %s", (p, format, role) => {
    expect(decide(p, format)).toMatchObject({ action: "publish", role });
  });

  it.each([
    ["optimizer.pt", "torch-zip"],
    ["scheduler.pt", "pickle"],
    ["scaler.pt", "pickle"],
    ["rng_state_3.pth", "torch-zip"],
    ["trainer_state.json", "json"],
    ["training_args.bin", "torch-zip"],
    ["runs/May01_host/events.out.tfevents.1.host", "binary"],
    ["wandb/run-1/files/config.yaml", "text"],
    ["global_step10/mp_rank_00_model_states.pt", "torch-zip"],
    ["latest", "text"],
    ["zero_to_fp32.py", "text"],
    ["pytorch_model_fsdp_0/__0_0.distcp", "binary"],
    ["pytorch_model_fsdp_0/.metadata", "pickle"],
    ["iter_0000100/mp_rank_00/model_optim_rng.pt", "torch-zip"],
    ["random_states_0.pkl", "pickle"],
    ["model.nemo", "tar"],
    ["samples_gsm8k_2024.jsonl", "text"],
    [".env", "text"],
    ["train.log", "text"],
    ["profile/gpu-node-07_4711.1733480000123.pt.trace.json", "json"],
    ["profile/gpu-node-07_4711.1733480000123.pt.trace.json.gz", "binary"],
    ["report.nsys-rep", "binary"],
    ["core", "binary"],
    ["core.4711", "binary"],
    ["core.gpu-node-07.4711", "binary"],
    ["checkpoint-500/model.safetensors", "safetensors"],
    ["pytorch_model.bin", "torch-zip"],
  ] as const)("drops %s with a reason", (p, format) => {
    const d = decide(p, format);
    expect(d.action).toBe("drop");
    expect(d.action === "drop" && d.reason.length).toBeGreaterThan(5);
  });

  it("decides by content, not by name: a pickle named config.json blocks", () => {
    expect(decide("config.json", "pickle")).toMatchObject({ action: "block", rule: "pickle-file" });
    expect(decide("config.json", "binary")).toMatchObject({ action: "block", rule: "name-content-mismatch" });
    expect(decide("weights.bin", "safetensors")).toMatchObject({ action: "block", rule: "name-content-mismatch" });
  });

  it("blocks unknown files; converts weight pickles without a safetensors copy, blocks other pickles", () => {
    expect(decide("notes/customers.csv", "text")).toMatchObject({ action: "block", rule: "unknown-file" });
    // Names near the core-dump rule are not core dumps.
    expect(decide("core.py", "text")).toMatchObject({ action: "block", rule: "unknown-file" });
    expect(decide("pytorch_model.bin", "torch-zip", empty, false)).toEqual({
      action: "convert",
      role: "weights",
      target: "model.safetensors",
    });
    expect(decide("sub/pytorch_model.bin", "torch-zip", empty, false)).toMatchObject({
      action: "block",
      rule: "pickle-file",
    });
    expect(decide("notes.pkl", "pickle", empty, false)).toMatchObject({ action: "block", rule: "pickle-file" });
    expect(decide("pytorch_model.bin.index.json", "json", empty, false)).toMatchObject({ action: "drop" });
    expect(decide("pytorch_model.bin.index.json", "json", empty, true)).toMatchObject({
      action: "drop",
      reason: "index of the pickle weights (the safetensors weights are published instead)",
    });
    // Training state is dropped by name before the weight rule is asked.
    expect(decide("optimizer.pt", "torch-zip", empty, false)).toMatchObject({
      action: "drop",
      reason: "optimizer state",
    });
    expect(decide("training_args.bin", "torch-zip", empty, false)).toMatchObject({ action: "drop" });
  });
});

describe("planWeightPickleTarget", () => {
  it.each([
    ["pytorch_model.bin", ["pytorch_model.bin", "config.json"], "model.safetensors"],
    [
      "pytorch_model-00001-of-00002.bin",
      ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"],
      "model-00001-of-00002.safetensors",
    ],
    ["adapter_model.bin", ["adapter_model.bin", "adapter_config.json"], "adapter_model.safetensors"],
    ["model.pt", ["model.pt"], "model.safetensors"],
    ["model.pth", ["model.pth", "optimizer.pt"], "model.safetensors"],
    // A lone torch file is the model weights; training state beside it does not count.
    ["best.pt", ["best.pt", "optimizer.pt", "scheduler.pt", "rng_state.pth", "config.json"], "model.safetensors"],
  ] as const)("%s → %s", (p, paths, target) => {
    expect(planWeightPickleTarget(p, paths)).toBe(target);
  });

  it.each([
    // Two candidates for model.safetensors: ambiguous, neither is nominated.
    ["a.pt", ["a.pt", "b.pt"]],
    ["model.pt", ["model.pt", "pytorch_model.bin"]],
    ["ema.pt", ["ema.pt", "model.pt"]],
    ["ema.pt", ["ema.pt", "pytorch_model-00001-of-00002.bin"]],
    // Only the top level is published; training state is never weights.
    ["sub/pytorch_model.bin", ["sub/pytorch_model.bin"]],
    ["optimizer.pt", ["optimizer.pt"]],
    ["pytorch_model.ckpt", ["pytorch_model.ckpt"]],
    ["weights.bin", ["weights.bin"]],
    ["pytorch_model-1-of-2.bin", ["pytorch_model-1-of-2.bin"]],
  ] as const)("%s among %j is not converted", (p, paths) => {
    expect(planWeightPickleTarget(p, paths)).toBeUndefined();
  });
});

describe("planSanitize of pickle weights", () => {
  const pickles = path.resolve(import.meta.dirname, "../fixtures/pickles");
  const ckpt = async (name: string, files: Record<string, string>) => {
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    for (const [rel, src] of Object.entries(files))
      await writeFile(path.join(dir, rel), await readFile(path.join(pickles, src)));
    return planSanitize({ inventory: { files: await readCheckpointFiles(dir) }, config: empty, secretlint: false });
  };

  it("plans a conversion with the tensor list and output size, and writes nothing", async () => {
    const plan = await ckpt("conv-plain", { "pytorch_model.bin": "plain_state_dict.pt" });
    expect(plan.findings.filter(isBlocking)).toEqual([]);
    expect(plan.publish).toEqual([]);
    expect(plan.conversions).toHaveLength(1);
    const c = plan.conversions![0]!;
    expect({
      ...c,
      absPath: path.basename(c.absPath),
      tensors: c.tensors.map((t) => `${t.name}:${t.dtype}:${t.bytes}`),
    }).toEqual({
      path: "model.safetensors",
      from: "pytorch_model.bin",
      absPath: "pytorch_model.bin",
      role: "weights",
      format: "torch-zip",
      tensors: [
        "counts:I64:24",
        "embed.weight:F32:48",
        "empty:F32:0",
        "layer.0.bias:F32:12",
        "layer.0.weight:F32:36",
        "scalar:F32:4",
        "mask:BOOL:3",
      ],
      size: c.size,
      reason: "plain state dict converted to safetensors without running the pickle (7 tensors)",
    });
    expect(await readdir(path.join(tmp, "conv-plain"))).toEqual(["pytorch_model.bin"]);
  });

  it("blocks an os.system payload with the pickle's own finding (rule, file, byte offset) and converts nothing", async () => {
    const plan = await ckpt("conv-evil", { "pytorch_model.bin": "os_system_payload.pt" });
    expect(plan.conversions).toEqual([]);
    const f = plan.findings.filter(isBlocking);
    expect(f.map((x) => [x.rule, x.file, x.offset])).toEqual([["unsafe-pickle-global", "pytorch_model.bin", 177]]);
    expect(f[0]!.message).toContain("posix.system");
  });

  it.each([
    ["optimizer state under a weight name", "optimizer.pt", "pickle-not-state-dict"],
    ["a non-allowlisted global (collections.Counter)", "unknown_global.pt", "unknown-pickle-global"],
    ["a non-contiguous tensor", "non_contiguous.pt", "pickle-unsupported-tensor"],
    ["a raw pickle", "os_system_payload.pkl", "unsafe-pickle-global"],
  ])("blocks %s", async (_what, src, rule) => {
    const plan = await ckpt(`conv-${src}`, { "adapter_model.bin": src });
    expect(plan.conversions).toEqual([]);
    expect(plan.findings.filter(isBlocking).map((x) => [x.rule, x.file])).toContainEqual([rule, "adapter_model.bin"]);
  });

  it("converts a PEFT adapter_model.bin and a lone best.pt beside training state", async () => {
    const peft = await ckpt("conv-peft", { "adapter_model.bin": "module_state_dict.pt" });
    expect(peft.conversions!.map((c) => [c.from, c.path, c.tensors.length])).toEqual([
      ["adapter_model.bin", "adapter_model.safetensors", 4],
    ]);
    const lone = await ckpt("conv-lone", { "best.pt": "half_precision.pt", "optimizer.pt": "optimizer.pt" });
    expect(lone.conversions!.map((c) => [c.from, c.path])).toEqual([["best.pt", "model.safetensors"]]);
    expect(lone.dropped).toEqual([{ path: "optimizer.pt", reason: "optimizer state" }]);
    const two = await ckpt("conv-two", { "a.pt": "half_precision.pt", "b.pt": "plain_state_dict.pt" });
    expect(two.conversions).toEqual([]);
    expect(two.findings.filter(isBlocking).map((f) => [f.rule, f.file])).toEqual([
      ["pickle-file", "a.pt"],
      ["pickle-file", "b.pt"],
    ]);
  });

  it("drops the pickle when safetensors weights are published instead", async () => {
    const dir = path.join(tmp, "conv-counterpart");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "pytorch_model.bin"), await readFile(path.join(pickles, "plain_state_dict.pt")));
    await writeFile(path.join(dir, "model.safetensors"), encodeSafetensors([{ name: "w", dtype: "F32", shape: [1] }]));
    const plan = await planSanitize({
      inventory: { files: await readCheckpointFiles(dir) },
      config: empty,
      secretlint: false,
    });
    expect(plan.conversions).toEqual([]);
    expect(plan.dropped).toEqual([
      { path: "pytorch_model.bin", reason: "pickle weights (the safetensors weights are published instead)" },
    ]);
  });

  it("converts when the only safetensors weights are in a dropped Trainer checkpoint", async () => {
    const dir = path.join(tmp, "conv-trainer");
    await mkdir(path.join(dir, "checkpoint-500"), { recursive: true });
    await writeFile(path.join(dir, "pytorch_model.bin"), await readFile(path.join(pickles, "plain_state_dict.pt")));
    await writeFile(
      path.join(dir, "checkpoint-500", "model.safetensors"),
      encodeSafetensors([{ name: "w", dtype: "F32", shape: [1] }]),
    );
    const plan = await planSanitize({
      inventory: { files: await readCheckpointFiles(dir) },
      config: empty,
      secretlint: false,
    });
    expect(plan.conversions!.map((c) => c.path)).toEqual(["model.safetensors"]);
    expect(plan.dropped.map((d) => d.path)).toEqual(["checkpoint-500/model.safetensors"]);
  });

  it("regenerates the shard index from the converted headers and checks the pickle index against them", async () => {
    const files = {
      "pytorch_model-00001-of-00002.bin": "sharded/pytorch_model-00001-of-00002.bin",
      "pytorch_model-00002-of-00002.bin": "sharded/pytorch_model-00002-of-00002.bin",
      "pytorch_model.bin.index.json": "sharded/pytorch_model.bin.index.json",
    };
    const plan = await ckpt("conv-sharded", files);
    expect(plan.findings.filter(isBlocking)).toEqual([]);
    expect(plan.conversions!.map((c) => [c.from, c.path])).toEqual([
      ["pytorch_model-00001-of-00002.bin", "model-00001-of-00002.safetensors"],
      ["pytorch_model-00002-of-00002.bin", "model-00002-of-00002.safetensors"],
    ]);
    expect(plan.dropped.map((d) => d.path)).toEqual(["pytorch_model.bin.index.json"]);
    const index = plan.rewrites.find((r) => r.path === "model.safetensors.index.json")!;
    const original = JSON.parse(await readFile(path.join(pickles, "sharded/pytorch_model.bin.index.json"), "utf8")) as {
      metadata: { total_size: number };
      weight_map: Record<string, string>;
    };
    expect(JSON.parse(index.content as string)).toEqual({
      metadata: { total_size: original.metadata.total_size },
      weight_map: Object.fromEntries(
        Object.entries(original.weight_map).map(([k, v]) => [
          k,
          v.replace(/^pytorch_model-(.*)\.bin$/, "model-$1.safetensors"),
        ]),
      ),
    });

    // One shard missing: the index would point at nothing.
    const missing = await ckpt("conv-sharded-missing", {
      "pytorch_model-00001-of-00002.bin": files["pytorch_model-00001-of-00002.bin"],
    });
    expect(missing.findings.filter(isBlocking).map((f) => [f.rule, f.file])).toEqual([
      ["weights-shard-missing", "pytorch_model-00002-of-00002.bin"],
    ]);

    // A pickle index that disagrees with the shards.
    const dir = path.join(tmp, "conv-sharded-lying");
    await mkdir(dir, { recursive: true });
    for (const [rel, src] of Object.entries(files))
      await writeFile(path.join(dir, rel), await readFile(path.join(pickles, src)));
    const lying = {
      ...original,
      weight_map: { ...original.weight_map, "lm_head.weight": "pytorch_model-00001-of-00002.bin" },
    };
    await writeFile(path.join(dir, "pytorch_model.bin.index.json"), JSON.stringify(lying));
    const bad = await planSanitize({
      inventory: { files: await readCheckpointFiles(dir) },
      config: empty,
      secretlint: false,
    });
    expect(bad.findings.filter(isBlocking).map((f) => [f.rule, f.file, f.message])).toEqual([
      [
        "weights-index-mismatch",
        "pytorch_model.bin.index.json",
        'weight_map names 1 tensor(s) not in the shard it says, e.g. "lm_head.weight"',
      ],
    ]);
  });
});

describe("classifyCheckpointFile overrides", () => {
  it("honours config overrides with their reasons", () => {
    const config = {
      ...empty,
      allow: [{ path: "docs/*.md", reason: "public usage notes reviewed by legal" }],
      drop: [{ path: "extra/**", reason: "scratch output of the export job" }],
    };
    expect(decide("docs/usage.md", "text", config)).toEqual({
      action: "publish",
      role: "other",
      overrideReason: "public usage notes reviewed by legal",
      scrub: "none",
    });
    expect(decide("extra/a/b.txt", "text", config)).toMatchObject({
      action: "drop",
      reason: "config: scratch output of the export job",
    });
  });

  it("matches globs", () => {
    expect(matchGlob("**/*.pt", "a/b/c.pt")).toBe(true);
    expect(matchGlob("*.pt", "a/c.pt")).toBe(true);
    expect(matchGlob("a/*.pt", "a/b/c.pt")).toBe(false);
    expect(matchGlob("logs/", "logs/x/y.txt")).toBe(true);
  });
});

describe("scrubJsonMetadata", () => {
  it("rewrites local *_name_or_path to the base model and removes paths, hosts and IPs", () => {
    const text = JSON.stringify({
      _name_or_path: "/home/ann/base",
      model_type: "llama",
      tokenizer_file: "/tmp/x/tokenizer.json",
      note: "node 10.1.2.3",
      ok: "https://huggingface.co/a/b",
      list: ["/fsx/proj/x", "fine"],
    });
    const r = scrubJsonMetadata(text, { file: "config.json", baseModel: "org/base" });
    expect(JSON.parse(r.content)).toEqual({
      _name_or_path: "org/base",
      model_type: "llama",
      ok: "https://huggingface.co/a/b",
      list: [null, "fine"],
    });
    expect(r.diff).toMatchInlineSnapshot(`
      "--- config.json (checkpoint)
      +++ config.json (published)
      - /_name_or_path: (14 characters: user-path)
      + /_name_or_path: "org/base"
        # local path replaced by the public base model id
      - /list/0: (11 characters: internal-path)
        # value holds path on a cluster file system
      - /note: (13 characters: ip-address)
        # value holds IP address
      - /tokenizer_file: (21 characters)
        # path to a local file removed
      "
    `);
  });

  it("keeps a Hub id and leaves a clean file byte-identical", () => {
    const text = '{"_name_or_path": "org/base", "x": 1}';
    expect(scrubJsonMetadata(text, { file: "config.json", baseModel: "org/base" })).toMatchObject({
      changed: false,
      content: text,
    });
  });

  it("removes a local path when no base model is known", () => {
    const r = scrubJsonMetadata('{"base_model_name_or_path": "./models/base"}', { file: "adapter_config.json" });
    expect(JSON.parse(r.content)).toEqual({});
  });
});

describe("safetensors header rewrite", () => {
  it("drops non-allowlisted metadata in place: same length, tensor data untouched", async () => {
    const tensors = [{ name: "w", dtype: "F32" as const, shape: [4, 4] }];
    const bytes = encodeSafetensors(tensors, { format: "pt", ss_dataset_dirs: "/data/private/set" });
    const src = path.join(tmp, "in.safetensors");
    await writeFile(src, bytes);
    const plan = await planSafetensorsHeader(src, "in.safetensors");
    expect(plan.rewrite?.inPlace).toBe(true);
    const out = path.join(tmp, "out.safetensors");
    await applySanitizeRewrite(
      {
        path: "in.safetensors",
        from: src,
        role: "weights",
        content: plan.rewrite!.header,
        diff: "",
        reason: "",
        tail: { absPath: src, offset: plan.rewrite!.dataOffset, length: plan.rewrite!.dataLength, inPlace: true },
      },
      out,
    );
    const got = await readFile(out);
    expect(got.length).toBe(bytes.length);
    const n = Number(got.readBigUInt64LE(0));
    expect(JSON.parse(got.subarray(8, 8 + n).toString())).toEqual({
      __metadata__: { format: "pt" },
      w: { dtype: "F32", shape: [4, 4], data_offsets: [0, 64] },
    });
    expect(got.subarray(8 + n).equals(Buffer.from(bytes).subarray(8 + n))).toBe(true);
    expect(got.includes(Buffer.from("/data/private"))).toBe(false);
  });

  it("leaves a clean header alone", async () => {
    const src = path.join(tmp, "clean.safetensors");
    await writeFile(src, encodeSafetensors([{ name: "w", dtype: "F32", shape: [2] }], { format: "pt" }));
    expect((await planSafetensorsHeader(src, "clean.safetensors")).rewrite).toBeUndefined();
  });
});

describe("planSanitize", () => {
  it("blocks a secret left in a published file, and accepts it only with a written reason", async () => {
    const dir = await checkpoint("secret-in-config", {
      "config.json": JSON.stringify({ model_type: "llama", api_key: "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH" }),
      "model.safetensors": encodeSafetensors([{ name: "w", dtype: "F32", shape: [2] }]),
      "notes.txt": "hello",
    });
    const inventory = { files: await readCheckpointFiles(dir) };
    const plan = await planSanitize({ inventory, config: empty, secretlint: false });
    expect(plan.findings.filter(isBlocking).map((f) => [f.rule, f.file, f.pointer])).toEqual([
      ["hf-token", "config.json", "/api_key"],
      ["unknown-file", "notes.txt", undefined],
    ]);
    const accepted = await planSanitize({
      inventory,
      config: {
        ...empty,
        allow: [{ path: "notes.txt", reason: "public greeting reviewed" }],
        allow_findings: [{ rule: "hf-token", path: "config.json", reason: "revoked test token, see ticket 12" }],
      },
      secretlint: false,
    });
    expect(accepted.findings.filter(isBlocking)).toEqual([]);
    expect(accepted.publish.find((p) => p.path === "notes.txt")?.overrideReason).toBe("public greeting reviewed");
    const report = renderBuildReport(accepted);
    expect(report.report.summary).toMatchObject({ blocking: 0, accepted: 1 });
    expect(report.json).not.toContain("hf_abcdefghij");
    expect(report.markdown).toContain("accepted (revoked test token, see ticket 12)");
  });

  it("a bad config regex is a usage error naming the field", async () => {
    await expect(
      planSanitize({
        inventory: { files: [] },
        config: { ...empty, patterns: [{ name: "x", regex: "/(/", severity: "block" }] },
      }),
    ).rejects.toMatchObject({
      code: "PATTERN_INVALID",
      location: { field: "sanitize.patterns.0.regex" },
    });
  });
});

describe("assertSanitizePlanClean", () => {
  it("throws SANITIZE_BLOCKED with located findings, and passes accepted ones", async () => {
    const { assertSanitizePlanClean } = await import("../../src/sanitize/assert-sanitize-plan-clean.js");
    const plan = {
      publish: [],
      dropped: [],
      rewrites: [],
      findings: [
        {
          rule: "hf-token",
          severity: "block" as const,
          file: "config.json",
          pointer: "/token",
          line: 3,
          message: "Hugging Face access token",
        },
      ],
    };
    expect(() => assertSanitizePlanClean(plan)).toThrowErrorMatchingInlineSnapshot(`
      [ReleaseError: The release is blocked by 1 finding(s):
        hf-token in config.json (line 3, /token): Hugging Face access token]
    `);
    plan.findings[0] = { ...plan.findings[0]!, acceptedReason: "revoked token, ticket 12" } as never;
    expect(() => assertSanitizePlanClean(plan)).not.toThrow();
  });
});

describe("renderBuildReport (published in the bundle)", () => {
  const plan = {
    publish: [{ path: "config.json", absPath: "/x/config.json", role: "config" as const }],
    dropped: [
      {
        path: "runs/Nov22_05-00-00_gpu-17/events.out.tfevents.1700000000.gpu-17.kanary.local.123.0",
        reason: "TensorBoard logs",
      },
    ],
    rewrites: [],
    findings: [
      {
        rule: "email",
        severity: "warn" as const,
        file: "train.log",
        line: 2,
        excerpt: "Kanary Motors ops: [REDACTED:email]",
        message: "e-mail address (in a dropped file)",
      },
    ],
  };

  it("omits excerpts and masks host names and project patterns in paths", () => {
    const r = renderBuildReport(plan, { patterns: [{ name: "customer-name", values: ["Kanary"] }] });
    expect(r.report.findings[0]).not.toHaveProperty("excerpt");
    expect(r.report.dropped[0]!.path).toBe("runs/Nov22_05-00-00_[host]/events.out.tfevents.1700000000.[host]");
    expect(r.json + r.markdown).not.toMatch(/kanary|gpu-17/i);
  });

  it("shows excerpts when asked (local output)", () => {
    expect(renderBuildReport(plan, { excerpts: true }).report.findings[0]!.excerpt).toBe(
      "Kanary Motors ops: [REDACTED:email]",
    );
  });
});
