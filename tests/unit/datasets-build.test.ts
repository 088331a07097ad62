import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { parquetReadObjects } from "hyparquet";
import { afterAll, describe, expect, it } from "vitest";
import { readDatasetConfig, parseDatasetConfig } from "../../src/datasets/read-dataset-config.js";
import { readDatasetSource, parseJsonlSource } from "../../src/datasets/read-dataset-source.js";
import { planDatasetBuild, type DatasetBuildPlan } from "../../src/datasets/plan-dataset-build.js";
import { createPseudonymizer } from "../../src/datasets/create-pseudonymizer.js";
import { parseRobotProgram } from "../../src/datasets/parse-robot-program.js";
import { generateSyntheticPairs, type PlantedValue } from "../../src/datasets/generate-synthetic-pairs.js";

const root = path.resolve(import.meta.dirname, "../..");
const sampleDir = path.join(root, "datasets/robot-jobfiles-sample");
const key = new Uint8Array(32).fill(3);
const scratch = mkdtempSync(path.join(tmpdir(), "mr-dataset-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const contentOf = (plan: DatasetBuildPlan) =>
  plan.inputs.map((i) => {
    if (i.source.kind !== "content") throw new Error("dataset bundles are generated content only");
    return { path: i.path, bytes: Buffer.from(i.source.content as string, "utf8") };
  });

let defaultPlan: ReturnType<typeof planSampleUncached> | undefined;
/** The default plan is computed once and shared: every test only reads it. */
function planSample(overrides: { seed?: string; key?: Uint8Array } = {}) {
  if (overrides.seed || overrides.key) return planSampleUncached(overrides);
  defaultPlan ??= planSampleUncached({});
  return defaultPlan;
}

async function planSampleUncached(overrides: { seed?: string; key?: Uint8Array }) {
  const loaded = await readDatasetConfig(path.join(sampleDir, "dataset.yaml"));
  const config = overrides.seed
    ? { ...loaded.config, sample: { ...loaded.config.sample, seed: overrides.seed } }
    : loaded.config;
  const source = await readDatasetSource({ config, baseDir: loaded.baseDir });
  return {
    config,
    source,
    plan: planDatasetBuild({ config, source, version: "1.0.0", key: overrides.key ?? key, keySource: "env" }),
  };
}

describe("dataset build plan on the shipped sample", () => {
  it("the committed sample is what the generator makes from its seed", () => {
    const meta = JSON.parse(readFileSync(path.join(sampleDir, "planted.json"), "utf8")) as {
      seed: string;
      count: number;
    };
    for (const p of generateSyntheticPairs({ seed: meta.seed, count: meta.count })) {
      expect(readFileSync(path.join(sampleDir, "pairs", p.id, p.hyundaiFile), "utf8")).toBe(p.hyundaiText);
      expect(readFileSync(path.join(sampleDir, "pairs", p.id, p.drlFile), "utf8")).toBe(p.drlText);
    }
  });

  it("no planted sensitive value appears in any byte of any output file", async () => {
    const { plan } = await planSample();
    const planted = JSON.parse(readFileSync(path.join(sampleDir, "planted.json"), "utf8")).planted as Record<
      string,
      PlantedValue[]
    >;
    const values = [
      ...new Set(
        Object.values(planted)
          .flat()
          .map((p) => p.value),
      ),
    ];
    expect(values.length).toBeGreaterThan(200);
    const files = contentOf(plan);
    expect(files.map((f) => f.path)).toEqual([
      "data/train.jsonl",
      "data/test.jsonl",
      "README.md",
      "redaction-report.json",
    ]);
    for (const f of files) {
      // Compare bytes, case-insensitively, and also as JSON escapes them (paths carry backslashes).
      const hay = f.bytes.toString("latin1").toLowerCase();
      for (const v of values) {
        for (const form of new Set([v, JSON.stringify(v).slice(1, -1)])) {
          expect(
            hay.includes(Buffer.from(form.toLowerCase(), "utf8").toString("latin1")),
            `${f.path} contains a planted ${form}`,
          ).toBe(false);
        }
      }
    }
  });

  it("every published program still parses, with the instruction counts of its source; python compiles every DRL program", async () => {
    const { source, plan } = await planSample();
    const pseudo = createPseudonymizer(key);
    const bySourceId = new Map(source.records.map((r) => [pseudo.recordId(r.sourceId), r]));
    const drls: string[] = [];
    const records = plan.splits.flatMap((s) => s.records);
    expect(records).toHaveLength(18);
    for (const rec of records) {
      const src = bySourceId.get(rec.id!)!;
      const dialect = rec.hyundai_dialect as "hi5-job" | "hi6-job";
      const hyBefore = parseRobotProgram(Buffer.from(src.hyundai.content).toString("utf8"), dialect);
      const hyAfter = parseRobotProgram(rec.hyundai_program!, dialect);
      expect(hyAfter.issues).toEqual([]);
      expect(hyAfter.counts).toEqual(hyBefore.counts);
      const drlBefore = parseRobotProgram(Buffer.from(src.drl.content).toString("utf8"), "drl");
      const drlAfter = parseRobotProgram(rec.drl_program!, "drl");
      expect(drlAfter.counts).toEqual(drlBefore.counts);
      drls.push(rec.drl_program!);
    }
    const files = drls.map((t, i) => {
      const f = path.join(scratch, `published-${i}.py`);
      writeFileSync(f, t);
      return f;
    });
    execFileSync("python3", ["-m", "py_compile", ...files], { stdio: "pipe" });
  });

  it("writes a card whose metadata parses back and points at the split files", async () => {
    const { plan } = await planSample();
    const m = /^---\n([\s\S]*?)\n---\n/.exec(plan.card);
    expect(m).not.toBeNull();
    const meta = parseYaml(m![1]!) as Record<string, unknown>;
    expect(meta).toEqual(plan.cardMetadata);
    expect(meta).toMatchObject({
      pretty_name: "Robot job files, Hyundai to Doosan DRL (synthetic sample)",
      license: "apache-2.0",
      language: ["en", "ko"],
      task_categories: ["text-generation", "translation"],
      size_categories: ["n<1K"],
      configs: [
        {
          config_name: "default",
          data_files: [
            { split: "train", path: "data/train.jsonl" },
            { split: "test", path: "data/test.jsonl" },
          ],
        },
      ],
    });
    expect(plan.card).toContain("#### Personal and Sensitive Information");
    expect(plan.findings).toEqual([]);
    await expect(plan.card).toMatchFileSnapshot("__snapshots__/robot-jobfiles-sample.README.md");
  });

  it("is deterministic for a key and seed; the seed and the key change the sample, the key also ids and placeholders", async () => {
    const a = await planSample();
    const b = await planSampleUncached({});
    expect(contentOf(a.plan)).toEqual(contentOf(b.plan));
    const otherSeed = await planSample({ seed: "another-seed" });
    const ids = (p: DatasetBuildPlan) => p.splits.flatMap((s) => s.records.map((r) => r.id)).sort();
    expect(ids(otherSeed.plan)).not.toEqual(ids(a.plan));
    const otherKey = await planSample({ key: new Uint8Array(32).fill(9) });
    expect(ids(otherKey.plan)).not.toEqual(ids(a.plan));
    // Sampling is keyed: the same seed under another key selects other source records.
    const sourceIdsOf = async (k: Uint8Array, p: DatasetBuildPlan) => {
      const { source } = await planSample();
      const pseudo = createPseudonymizer(k);
      const kept = new Set(ids(p));
      return source.records.filter((r) => kept.has(pseudo.recordId(r.sourceId))).map((r) => r.sourceId);
    };
    expect(await sourceIdsOf(new Uint8Array(32).fill(9), otherKey.plan)).not.toEqual(await sourceIdsOf(key, a.plan));
  });

  it("reports counts per rule and per field", async () => {
    const { plan } = await planSample();
    expect(plan.report.records).toEqual({ source: 24, selected: 18, published: 18, rejected: 0, sourceRejected: 0 });
    expect(plan.report.byField.hyundai_program!["list-customers"]).toBeGreaterThan(0);
    expect(plan.report.byField.drl_program!["timestamp-identifier"]).toBeGreaterThan(0);
    expect(Object.values(plan.report.byRule).reduce((a, b) => a + b, 0)).toBe(
      Object.values(plan.report.byCategory).reduce((a, b) => a + b, 0),
    );
  });
});

it("writes Parquet split files that read back as the same records", async () => {
  const { config, source, plan } = await planSample();
  const pq = planDatasetBuild({
    config: { ...config, format: "parquet" },
    source,
    version: "1.0.0",
    key,
    keySource: "env",
  });
  expect(pq.inputs.map((i) => i.path)).toEqual([
    "data/train.parquet",
    "data/test.parquet",
    "README.md",
    "redaction-report.json",
  ]);
  expect(pq.cardMetadata.configs).toEqual([
    {
      config_name: "default",
      data_files: [
        { split: "train", path: "data/train.parquet" },
        { split: "test", path: "data/test.parquet" },
      ],
    },
  ]);
  for (const [i, split] of plan.splits.entries()) {
    const input = pq.inputs[i]!;
    if (input.source.kind !== "content" || typeof input.source.content === "string") throw new Error("expected bytes");
    const bytes = input.source.content;
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x41, 0x52, 0x31]); // "PAR1"
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    });
    expect(rows).toEqual(split.records);
  }
});

it("finds a placeholder left in the summary, so the build is blocked", async () => {
  const { config, source } = await planSample().then((x) => x);
  const plan = planDatasetBuild({
    config: { ...config, summary: "TODO: describe the pairs." },
    source,
    version: "1.0.0",
    key,
    keySource: "env",
  });
  expect(plan.findings.map((f) => `${f.rule} ${f.line}`)).toEqual(["card-placeholder 32"]);
});

describe("bad records", () => {
  const config = parseDatasetConfig(`name: t
pretty_name: test data
summary: Test pairs of robot programs.
source: { kind: pairs, path: pairs }
hub: { repo: org/t }
redaction:
  customers: [Vantor]
`);
  const hi5 = generateSyntheticPairs({ seed: "bad-records", count: 6 }).find((p) => p.dialect === "hi5-job")!;
  const base = path.join(scratch, "bad");
  const pair = (id: string, files: Record<string, string | Uint8Array>) => {
    mkdirSync(path.join(base, "pairs", id), { recursive: true });
    for (const [n, c] of Object.entries(files)) writeFileSync(path.join(base, "pairs", id, n), c);
  };
  pair("a-good", { [hi5.hyundaiFile]: hi5.hyundaiText, [hi5.drlFile]: hi5.drlText });
  pair("b-binary", {
    "0001.JOB": Buffer.concat([Buffer.from(hi5.hyundaiText.slice(0, 200)), Buffer.from([0, 1, 2, 3])]),
    "a.drl": hi5.drlText,
  });
  // EUC-KR bytes of "작업자" in a comment on line 3: not UTF-8, decoded as EUC-KR.
  const lines = hi5.hyundaiText.split("\r\n");
  pair("c-euc-kr", {
    "0002.JOB": Buffer.concat([
      Buffer.from(`${lines.slice(0, 2).join("\r\n")}\r\n     ' `),
      Buffer.from([0xc0, 0xdb, 0xbe, 0xf7, 0xc0, 0xda]),
      Buffer.from(`\r\n${lines.slice(2).join("\r\n")}`),
    ]),
    "a.drl": hi5.drlText,
  });
  pair("d-unparseable", {
    "0003.JOB": hi5.hyundaiText.replace("     END", "     JUMP_TO_MOON 3\r\n     END"),
    "a.drl": hi5.drlText,
  });
  pair("e-drl-syntax", { [hi5.hyundaiFile]: hi5.hyundaiText, "a.drl": hi5.drlText.replace("while ", "while (") });
  pair("f-no-drl", { [hi5.hyundaiFile]: hi5.hyundaiText });
  pair("g-leak", {
    [hi5.hyundaiFile]: hi5.hyundaiText,
    "a.drl": `${hi5.drlText}VANTOR_HOME = posj(0, 0, 90, 0, 90, 0)\n`,
  });
  pair("h-not-a-job", { "0004.JOB": "hello\n", "a.drl": hi5.drlText });

  it("excludes bad records leaving only a count and a fixed reason, decodes EUC-KR, renames identifiers, publishes the rest", async () => {
    const source = await readDatasetSource({ config, baseDir: base });
    const plan = planDatasetBuild({ config, source, version: "0.1.0", key, keySource: "random" });
    expect(plan.report.records).toMatchObject({ source: 8, published: 3, rejected: 4, sourceRejected: 1 });
    expect(plan.report.rejected).toEqual([
      { code: "BINARY_CONTENT", reason: "binary content, not a program", count: 1 },
      { code: "PAIR_INCOMPLETE", reason: "a pair folder without exactly one job file and one DRL program", count: 1 },
      { code: "PROGRAM_UNPARSEABLE", reason: "a program that does not parse in its dialect", count: 3 },
    ]);
    // Nothing of a rejected record: no folder or file name, no statement, no line.
    const published = contentOf(plan)
      .map((f) => f.bytes.toString("utf8"))
      .join("\n");
    for (const trace of [
      "b-binary",
      "d-unparseable",
      "e-drl-syntax",
      "f-no-drl",
      "h-not-a-job",
      "JUMP_TO_MOON",
      "0003.JOB",
      "0004.JOB",
    ])
      expect(published, trace).not.toContain(trace);
    // The EUC-KR comment was decoded and its labelled name redacted; the VANTOR identifier renamed.
    const all = plan.splits.flatMap((sp) => sp.records);
    expect(all.some((r) => r.hyundai_program!.includes("작업자"))).toBe(true);
    expect(all.some((r) => /CUSTOMER_[0-9a-f]{8}_HOME = posj/.test(r.drl_program!))).toBe(true);
    expect(plan.card).toContain("rejected records: 5 (BINARY_CONTENT: 1, PAIR_INCOMPLETE: 1, PROGRAM_UNPARSEABLE: 3)");
  });

  it("rejects JSONL lines that are not JSON, lack a field or are not UTF-8, by line", () => {
    const ok = JSON.stringify({
      id: "r1",
      hyundai_program: hi5.hyundaiText,
      drl_program: hi5.drlText,
      hyundai_file: "0001.JOB",
    });
    const bytes = Buffer.concat([
      Buffer.from(`${ok}\n{not json\n${JSON.stringify({ id: "r3", hyundai_program: "x" })}\n\n`),
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a]),
      Buffer.from(`${JSON.stringify({ id: "r6", hyundai_program: "S1 BAD", drl_program: "movej(" })}\n`),
    ]);
    const src = parseJsonlSource(bytes, "pairs.jsonl", config.fields.source, "utf-8");
    expect(src.records.map((r) => r.sourceId)).toEqual(["r1", "r6"]);
    expect(src.rejected.map((r) => `${r.file}:${r.line} ${r.code}`)).toEqual([
      "pairs.jsonl:2 RECORD_NOT_JSON",
      "pairs.jsonl:3 RECORD_MISSING_FIELD",
      "pairs.jsonl:5 INVALID_ENCODING",
    ]);
    const plan = planDatasetBuild({
      config: { ...config, source: { kind: "jsonl", path: "pairs.jsonl", encoding: "utf-8" } },
      source: src,
      version: "0.1.0",
      key,
      keySource: "env",
    });
    expect(plan.report.records.published).toBe(1);
    expect(plan.report.rejected).toEqual([
      { code: "INVALID_ENCODING", reason: "text that is neither UTF-8 nor the configured encoding", count: 1 },
      { code: "PROGRAM_UNPARSEABLE", reason: "a program that does not parse in its dialect", count: 1 },
      { code: "RECORD_MISSING_FIELD", reason: "a JSONL record without the mapped program fields", count: 1 },
      { code: "RECORD_NOT_JSON", reason: "a JSONL line that is not JSON", count: 1 },
    ]);
    const report = JSON.stringify(plan.report);
    for (const trace of ["r3", "r6", "pairs.jsonl", "Unexpected token", "not json"])
      expect(report, trace).not.toContain(trace);
  });
});

describe("file names and encodings", () => {
  it("pseudonymises file names by default, redacts or drops them when the config says so", async () => {
    const { config, source } = await planSample();
    const names = (mode: "pseudonymize" | "redact" | "drop") =>
      planDatasetBuild({
        config: { ...config, redaction: { ...config.redaction, file_names: mode } },
        source,
        version: "1.0.0",
        key,
        keySource: "env",
      }).splits.flatMap((s) => s.records.map((r) => [r.hyundai_file, r.drl_file]));
    const pseudo = names("pseudonymize");
    expect(pseudo.flat().every((n) => /^file_[0-9a-f]{8}\.(?:job|drl)$/i.test(n!))).toBe(true);
    const sourceNames = new Set(source.records.flatMap((r) => [r.hyundai.name, r.drl.name]));
    expect(
      names("redact")
        .flat()
        .some((n) => sourceNames.has(n!)),
    ).toBe(true);
    expect(
      names("drop")
        .flat()
        .every((n) => n === undefined),
    ).toBe(true);
  });

  it("decodes EUC-KR in auto mode, and refuses it when the config says UTF-8", async () => {
    const { decodeProgram } = await import("../../src/datasets/decode-program.js");
    const euc = new Uint8Array([0x27, 0x20, 176, 237, 176, 180, 0x0a]);
    expect(decodeProgram(euc)).toEqual({ ok: true, text: "' 고객\n" });
    expect(decodeProgram(euc, "euc-kr")).toEqual({ ok: true, text: "' 고객\n" });
    expect(decodeProgram(euc, "utf-8")).toMatchObject({ ok: false, code: "INVALID_ENCODING", offset: 2 });
  });
});
