import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectCheckpoint } from "../../src/checkpoint/inspect-checkpoint.js";
import { sniffPickleStream } from "../../src/checkpoint/pickle/sniff-pickle-stream.js";
import { sniffFormat } from "../../src/checkpoint/sniff-format.js";
import type { SanitizeConfig } from "../../src/config/schema.js";
import { isBlocking, type Finding } from "../../src/findings.js";
import { planSanitize } from "../../src/sanitize/plan-sanitize.js";
import { planScan } from "../../src/sanitize/plan-scan.js";
import { encodeSafetensors } from "../fixtures/lib/write-safetensors.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/typed-files");
const HF_CANARY = "hf_TypedFilesCanary0123456789abcdefghijXY";
const config: SanitizeConfig = {
  allow: [],
  drop: [],
  patterns: [{ name: "customer-name", values: ["Kanary Motors"], severity: "block" }],
  allow_findings: [],
};
let tmp = "";
let n = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "typed-files-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** A small published checkpoint plus `extra` files (name → fixture file or content). */
async function checkpoint(
  extra: Record<string, string | Uint8Array | { fixture: string }>,
  weights = true,
): Promise<string> {
  const dir = path.join(tmp, `ck${n++}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "config.json"), JSON.stringify({ model_type: "llama", hidden_size: 8 }));
  if (weights)
    await writeFile(path.join(dir, "model.safetensors"), encodeSafetensors([{ name: "w", dtype: "F32", shape: [2] }]));
  for (const [name, v] of Object.entries(extra)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    if (typeof v === "object" && "fixture" in v) await copyFile(path.join(fixtures, v.fixture), path.join(dir, name));
    else await writeFile(path.join(dir, name), v);
  }
  return dir;
}

/** The verdict of `scan` (planScan) and of `build` (planSanitize over inspectCheckpoint) on one folder. */
async function verdicts(dir: string): Promise<{ scan: Finding[]; build: Finding[] }> {
  const scan = (await planScan({ dir, config, secretlint: false })).blocking;
  const inventory = await inspectCheckpoint({ dir });
  const build = (await planSanitize({ inventory, config, secretlint: false })).findings.filter(isBlocking);
  return { scan, build };
}

const rules = (fs: Finding[], file?: string) =>
  [...new Set(fs.filter((f) => file === undefined || f.file === file).map((f) => f.rule))].sort();

describe("pickles of any protocol are pickles, whatever their name", () => {
  it("sniffs protocol 0 and 1 streams (no PROTO opcode) as pickles", async () => {
    for (const name of ["p0_os_system.pkl", "p1_os_system.pkl"]) {
      const b = await readFile(path.join(fixtures, name));
      expect(b[0]).not.toBe(0x80);
      expect(sniffFormat({ head: b, size: b.length, text: "shape" })).toBe("pickle");
    }
  });

  it("does not take text for a pickle", () => {
    const texts = [
      '{"model_type": "llama"}',
      "{% for m in messages %}{{ m.content }}{% endfor %}",
      "#version: 0.2\nĠ t\nĠ a\n",
      "MIT License\n\nCopyright (c) 2024\n",
      "N.",
      "(a)",
      "cat\ndog\nbird\n",
      "I1\n.",
      "[PAD]\n[UNK]\n[CLS]\n",
      "def f(x):\n    return x\n",
      "Apache License\nVersion 2.0, January 2004\n",
      "0.5 0.25\n",
      "S'hello'\n",
    ];
    const hits = texts.filter((t) => sniffPickleStream(Buffer.from(t), true));
    // "N.", "I1\n." and "S'hello'\n" + STOP-less text: only complete, well-nested streams count.
    expect(hits).toEqual(["N.", "I1\n."]);
  });

  it.each([
    ["tokenizer.model", "p0_os_system.pkl"],
    ["chat_template.jinja", "p1_os_system.pkl"],
    ["merges.txt", "p0_os_system.pkl"],
  ])("a payload pickle named %s blocks in scan and in build", async (name, fixture) => {
    const dir = await checkpoint({ [name]: { fixture } });
    const v = await verdicts(dir);
    // The policy refuses any pickle content (`pickle-file`), and the scan names its payload.
    expect(rules(v.scan, name)).toEqual(["pickle-file", "unsafe-pickle-global"]);
    expect(rules(v.build, name)).toEqual(rules(v.scan, name));
  });
});

describe("files must parse as the type their name claims", () => {
  it.each([
    ["tokenizer.model", "sentencepiece_clean.model", []],
    ["tokenizer.model", "sentencepiece_token.model", ["hf-token"]],
    ["tokenizer.model", "sentencepiece_path.model", ["user-path"]],
    ["tokenizer.model", "scrambled.model", ["name-content-mismatch"]],
    ["tokenizer.model", "template_gzip.jinja", ["name-content-mismatch"]],
    ["vocab.tiktoken", "vocab_clean.tiktoken", []],
    ["vocab.tiktoken", "vocab_token.tiktoken", ["hf-token"]],
    ["vocab.tiktoken", "template_clean.jinja", ["name-content-mismatch"]],
    ["chat_template.jinja", "template_clean.jinja", []],
    ["chat_template.jinja", "template_broken.jinja", ["name-content-mismatch"]],
    ["chat_template.jinja", "template_utf16.jinja", ["name-content-mismatch"]],
    ["chat_template.jinja", "template_gzip.jinja", ["name-content-mismatch"]],
  ])("%s holding %s blocks on %j", async (name, fixture, want) => {
    const dir = await checkpoint({ [name]: { fixture } });
    const v = await verdicts(dir);
    expect(rules(v.scan, name)).toEqual(want);
    expect(rules(v.build, name)).toEqual(want);
    expect(JSON.stringify(v)).not.toContain(HF_CANARY);
  });

  it("checks the templates inside chat_template.json", async () => {
    const good = await checkpoint({ "chat_template.json": JSON.stringify({ chat_template: "{{ messages }}" }) });
    expect((await verdicts(good)).scan).toEqual([]);
    const bad = await checkpoint({ "chat_template.json": JSON.stringify({ chat_template: "{% if %}" }) });
    expect(rules((await verdicts(bad)).scan)).toEqual(["name-content-mismatch"]);
  });
});

describe("shipped JSON is strict", () => {
  it("blocks duplicate keys (the scrubber would see only the last value)", async () => {
    const dir = await checkpoint({
      "generation_config.json": '{"_name_or_path": "/home/typedcanary/run7", "_name_or_path": "org/base"}',
    });
    const v = await verdicts(dir);
    expect(rules(v.scan, "generation_config.json")).toEqual(["json-duplicate-key"]);
    expect(rules(v.build, "generation_config.json")).toEqual(["json-duplicate-key"]);
    // Also where nothing is scrubbed: tokenizer.json.
    const tok = await checkpoint({ "tokenizer.json": '{"model": {"vocab": {"a": 1, "a": 2}}}' });
    expect(rules((await verdicts(tok)).scan)).toEqual(["json-duplicate-key"]);
  });

  it("blocks a tokenizer.json nested 100,000 levels deep", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const dir = await checkpoint({ "tokenizer.json": `{"model": ${deep}}` });
    const v = await verdicts(dir);
    expect(rules(v.scan)).toEqual(["json-too-deep"]);
    expect(rules(v.build)).toEqual(["json-too-deep"]);
  });
});

describe("keys and names are content", () => {
  it("removes members of scrubbed metadata whose keys name local paths, without showing the key", async () => {
    const keys = [
      "../typedcanary/run7",
      "C:\\Users\\typedcanary\\x",
      "/opt/typedcanary/ckpt",
      "/scratch/typedcanary/a",
    ];
    const dir = await checkpoint({
      "tokenizer_config.json": JSON.stringify({ model_max_length: 8, ...Object.fromEntries(keys.map((k) => [k, 1])) }),
    });
    const plan = await planSanitize({ inventory: await inspectCheckpoint({ dir }), config, secretlint: false });
    const rewrite = plan.rewrites.find((r) => r.path === "tokenizer_config.json")!;
    expect(JSON.parse(rewrite.content as string)).toEqual({ model_max_length: 8 });
    expect(rewrite.diff).not.toContain("typedcanary");
    expect(plan.findings.filter(isBlocking)).toEqual([]);
  });

  it.each([
    [`${HF_CANARY}.json`, "hf-token"],
    ["typed.canary@example-corp.com/config.txt", "email"],
    ["Kanary_Motors/notes.txt", "customer-name"],
  ])("blocks the file or folder name %s", async (name, rule) => {
    const dir = await checkpoint({ [name]: "{}" });
    const v = await verdicts(dir);
    expect(v.scan.map((f) => f.rule)).toContain(rule);
    expect(v.build.map((f) => f.rule)).toContain(rule);
    const f = v.scan.find((x) => x.rule === rule)!;
    expect(f.message).toContain("in the name of");
    // The name is the finding's location (`file`), redacted where findings are rendered; the
    // message and excerpt never repeat it.
    expect(`${f.message}${f.excerpt ?? ""}`).not.toContain(name.split("/")[0]!.slice(0, 12));
  });

  it("blocks secrets and paths as safetensors tensor names and as index weight_map keys", async () => {
    const tensor = await checkpoint({
      "model-00001-of-00001.safetensors": encodeSafetensors([
        { name: `layers.${HF_CANARY}.w`, dtype: "F32", shape: [2] },
      ]),
    });
    expect(rules((await verdicts(tensor)).scan, "model-00001-of-00001.safetensors")).toEqual(["hf-token"]);
    expect(rules((await verdicts(tensor)).build, "model-00001-of-00001.safetensors")).toEqual(["hf-token"]);
    const email = "typed.canary@example-corp.com";
    const index = await checkpoint(
      {
        "model-00001-of-00001.safetensors": encodeSafetensors([{ name: email, dtype: "F32", shape: [2] }]),
        "model.safetensors.index.json": JSON.stringify({
          metadata: { total_size: 8 },
          weight_map: { [email]: "model-00001-of-00001.safetensors" },
        }),
      },
      false,
    );
    const v = await verdicts(index);
    expect(rules(v.scan, "model.safetensors.index.json")).toContain("email");
    expect(rules(v.build, "model.safetensors.index.json")).toContain("email");
    // An index's keys are never removed by the scrubber (that would break the index): they block.
    const plan = await planSanitize({ inventory: await inspectCheckpoint({ dir: index }), config, secretlint: false });
    expect(plan.rewrites.find((r) => r.path === "model.safetensors.index.json")).toBeUndefined();
  });

  it("a sensitive name in a dropped file's path warns", async () => {
    const dir = await checkpoint({ [`runs/${HF_CANARY}/events.out.tfevents.1`]: "x" });
    const v = await planScan({ dir, config, secretlint: false });
    expect(v.blocking).toEqual([]);
    expect(v.findings.map((f) => [f.rule, f.severity])).toContainEqual(["hf-token", "warn"]);
  });
});

describe("one decision engine: scan and build agree on torch zips", () => {
  const torchFixtures = ["torch_clean.pt", "torch_extra_member.pt", "torch_second_pickle.pt"];
  const haveTorch = torchFixtures.every((f) => existsSync(path.join(fixtures, f)));

  it.runIf(haveTorch)(
    "converts a clean torch zip, blocks an extra payload member and a pickle after STOP",
    async () => {
      // No safetensors weights: the build converts pytorch_model.bin (with them, it would drop it).
      const clean = await checkpoint({ "pytorch_model.bin": { fixture: "torch_clean.pt" } }, false);
      const c = await verdicts(clean);
      expect([c.scan, c.build]).toEqual([[], []]);
      for (const bad of ["torch_extra_member.pt", "torch_second_pickle.pt"]) {
        const dir = await checkpoint({ "pytorch_model.bin": { fixture: bad } }, false);
        const v = await verdicts(dir);
        expect(rules(v.scan)).toEqual(["unsafe-pickle-global"]);
        expect(rules(v.build)).toEqual(["unsafe-pickle-global"]);
        const plan = await planSanitize({ inventory: await inspectCheckpoint({ dir }), config, secretlint: false });
        expect(plan.findings.filter(isBlocking).length).toBeGreaterThan(0);
      }
    },
  );
});
