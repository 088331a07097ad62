import path from "node:path";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { convertTorchToSafetensors } from "../../src/checkpoint/pickle/convert-torch-to-safetensors.js";
import { readTorchConversionPlan } from "../../src/checkpoint/pickle/read-torch-conversion-plan.js";
import { openZip } from "../../src/checkpoint/zip/open-zip.js";
import { encodeZip } from "../fixtures/lib/encode-zip.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/pickles");
const fx = (name: string) => path.join(fixtures, name);
/** Per tensor dtype, shape and sha256 of its bytes, recorded by generate.py from torch itself. */
const expected = JSON.parse(await readFile(fx("expected.json"), "utf8")) as Record<
  string,
  Record<string, { dtype: string; shape: number[]; sha256: string }>
>;

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "mr-conv-"));
  temps.push(d);
  return d;
}
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

const BITS: Record<string, number> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  I16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  F32: 32,
  I64: 64,
  F64: 64,
};

/** The reference implementation's checks (safetensors tensor.rs `read_metadata` / `validate`). */
function parseSafetensors(buf: Buffer) {
  const n = Number(buf.readBigUInt64LE(0));
  expect(n).toBeLessThanOrEqual(100_000_000);
  expect(n % 8).toBe(0);
  const text = buf.subarray(8, 8 + n).toString("utf8");
  expect(text[0]).toBe("{");
  const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const { __metadata__: meta, ...tensors } = header as Record<string, never>;
  const sorted = Object.entries(
    tensors as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>,
  ).sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let end = 0;
  for (const [name, t] of sorted) {
    expect(t.data_offsets[0], name).toBe(end);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    expect(t.data_offsets[1] - t.data_offsets[0], name).toBe((numel * BITS[t.dtype]!) / 8);
    end = t.data_offsets[1];
  }
  expect(8 + n + end).toBe(buf.length);
  const data = buf.subarray(8 + n);
  const hashes = Object.fromEntries(
    sorted.map(([name, t]) => [
      name,
      {
        dtype: t.dtype,
        shape: t.shape,
        sha256: createHash("sha256").update(data.subarray(t.data_offsets[0], t.data_offsets[1])).digest("hex"),
      },
    ]),
  );
  return { meta, hashes, order: sorted.map(([name]) => name) };
}

describe("convertTorchToSafetensors on files written by python3-torch", () => {
  it.each([
    "plain_state_dict.pt",
    "legacy_state_dict.pt",
    "half_precision.pt",
    "tied_weights.pt",
    "module_state_dict.pt",
  ])("%s converts to a valid safetensors file whose tensors equal torch's", async (name) => {
    const dir = await tempDir();
    const dest = path.join(dir, "model.safetensors");
    const r = await convertTorchToSafetensors({ source: fx(name), dest });
    expect(r.written).toBe(true);
    expect(r.plan.findings.filter((f) => f.severity === "block")).toEqual([]);
    const parsed = parseSafetensors(await readFile(dest));
    expect(parsed.meta).toEqual({ format: "pt" });
    expect(parsed.hashes).toEqual(expected[name]);
    expect(r.sha256).toEqual(Object.fromEntries(Object.entries(expected[name]!).map(([k, v]) => [k, v.sha256])));
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
  });

  it("writes F16, BF16 and integer dtypes, wider dtypes first, then by name (reference writer order)", async () => {
    const plan = await readTorchConversionPlan(fx("half_precision.pt"));
    expect(plan.tensors.map((t) => `${t.name}:${t.dtype}:${JSON.stringify(t.shape)}`)).toEqual([
      "w_f64:F64:[2,2]",
      "i32:I32:[2]",
      "i16:I16:[2]",
      "w_bf16:BF16:[2,4]",
      "w_f16:F16:[5]",
      "i8:I8:[3]",
      "u8:U8:[2]",
    ]);
  });

  it("is deterministic: two conversions give identical bytes", async () => {
    const dir = await tempDir();
    await convertTorchToSafetensors({ source: fx("plain_state_dict.pt"), dest: path.join(dir, "a.safetensors") });
    await convertTorchToSafetensors({ source: fx("plain_state_dict.pt"), dest: path.join(dir, "b.safetensors") });
    expect(
      (await readFile(path.join(dir, "a.safetensors"))).equals(await readFile(path.join(dir, "b.safetensors"))),
    ).toBe(true);
  });

  it("copies the bytes of tied weights and views, with a warning", async () => {
    const plan = await readTorchConversionPlan(fx("tied_weights.pt"));
    expect(plan.findings.map((f) => [f.rule, f.severity])).toEqual([["pickle-shared-storage", "warn"]]);
    const byName = Object.fromEntries(plan.tensors.map((t) => [t.name, t.storageBytes]));
    expect(byName).toEqual({
      "embed.weight": [0, 48],
      "lm_head.weight": [0, 48],
      "row.weight": [8, 16],
      "tail.weight": [24, 48],
    });
  });

  it.each([
    ["non_contiguous.pt", "pickle-unsupported-tensor", 'tensor "t" is not contiguous (size [4, 3], stride [1, 4])'],
    ["optimizer.pt", "pickle-not-state-dict", 'not a plain state dict: "state" holds a dict, not a tensor'],
    ["os_system_payload.pt", "unsafe-pickle-global", "Pickle in os_system_payload/data.pkl imports posix.system"],
    ["unknown_global.pt", "unknown-pickle-global", "Pickle in unknown_global/data.pkl imports collections.Counter"],
    ["training_args.bin", "unknown-pickle-global", "imports _codecs.encode"],
    ["training_args_p4.pkl", "pickle-not-state-dict", "A raw pickle, not a torch.save checkpoint"],
  ])("refuses %s with a blocking %s finding and writes nothing", async (name, rule, message) => {
    const dir = await tempDir();
    const r = await convertTorchToSafetensors({ source: fx(name), dest: path.join(dir, "out.safetensors") });
    expect(r.written).toBe(false);
    const blocking = r.plan.findings.filter((f) => f.severity === "block");
    expect(blocking.map((f) => f.rule)).toEqual([rule]);
    expect(blocking[0]!.message).toContain(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it("reports the os.system import in a raw pickle, not only that it cannot be converted", async () => {
    const plan = await readTorchConversionPlan(fx("os_system_payload.pkl"));
    expect(plan.findings.map((f) => f.rule)).toEqual(["unsafe-pickle-global", "pickle-not-state-dict"]);
  });

  it("reads deflated and ZIP64 archives the same as torch's stored entries", async () => {
    const zip = await openZip(fx("plain_state_dict.pt"));
    const entries = await Promise.all(zip.entries.map(async (e) => ({ name: e.name, data: await zip.readEntry(e) })));
    await zip.close();
    const dir = await tempDir();
    for (const [variant, opts, deflate] of [
      ["deflate", {}, true],
      ["zip64", { zip64: true }, false],
      ["zip64-deflate", { zip64: true }, true],
    ] as const) {
      await writeFile(
        path.join(dir, `${variant}.pt`),
        encodeZip(
          entries.map((e) => ({ ...e, deflate })),
          opts,
        ),
      );
      const r = await convertTorchToSafetensors({
        source: path.join(dir, `${variant}.pt`),
        dest: path.join(dir, `${variant}.safetensors`),
      });
      expect(r.written, variant).toBe(true);
      expect(parseSafetensors(await readFile(path.join(dir, `${variant}.safetensors`))).hashes).toEqual(
        expected["plain_state_dict.pt"],
      );
    }
  });

  it("refuses a tensor named __metadata__, the key safetensors reserves", async () => {
    const zip = await openZip(fx("plain_state_dict.pt"));
    const entries = await Promise.all(zip.entries.map(async (e) => ({ name: e.name, data: await zip.readEntry(e) })));
    await zip.close();
    // Same length as "embed.weight", so every offset in the pickle stays valid.
    const pkl = entries.find((e) => e.name.endsWith("data.pkl"))!;
    pkl.data = Buffer.from(Buffer.from(pkl.data).toString("latin1").replace("embed.weight", "__metadata__"), "latin1");
    const dir = await tempDir();
    await writeFile(path.join(dir, "meta.pt"), encodeZip(entries));
    const r = await convertTorchToSafetensors({
      source: path.join(dir, "meta.pt"),
      dest: path.join(dir, "out.safetensors"),
      file: "meta.pt",
    });
    expect(r.written).toBe(false);
    expect(r.plan.findings.map((f) => [f.rule, f.message.split(".")[0]])).toEqual([
      ["pickle-not-state-dict", 'not a plain state dict: a tensor is named "__metadata__", which safetensors reserves'],
    ]);
  });

  it("takes the state dict from a top-level key (DeepSpeed model_states: `module`)", async () => {
    const source = path.resolve(
      import.meta.dirname,
      "../fixtures/checkpoints/deepspeed/global_step10/mp_rank_00_model_states.pt",
    );
    const dir = await tempDir();
    const whole = await convertTorchToSafetensors({ source, dest: path.join(dir, "a.safetensors"), file: "ds.pt" });
    expect(whole.plan.findings.map((f) => f.message.split(".")[0])).toEqual([
      'not a plain state dict: "module" holds a dict, not a tensor',
    ]);
    const r = await convertTorchToSafetensors({
      source,
      dest: path.join(dir, "b.safetensors"),
      stateDictKey: "module",
    });
    expect(r.written).toBe(true);
    expect(r.plan.tensors.length).toBeGreaterThan(0);
    parseSafetensors(await readFile(path.join(dir, "b.safetensors")));
    const missing = await readTorchConversionPlan(source, { file: "ds.pt", stateDictKey: "model" });
    expect(missing.findings[0]!.message).toMatch(
      /^no top-level key "model" to take the state dict from\. Top-level keys: "module", /,
    );
  });

  it("honours the byteorder record newer torch versions write", async () => {
    const zip = await openZip(fx("plain_state_dict.pt"));
    const entries = await Promise.all(zip.entries.map(async (e) => ({ name: e.name, data: await zip.readEntry(e) })));
    await zip.close();
    const dir = await tempDir();
    const results: Record<string, unknown> = {};
    for (const order of ["little", "big"]) {
      const file = path.join(dir, `${order}.pt`);
      await writeFile(file, encodeZip([...entries, { name: "plain_state_dict/byteorder", data: Buffer.from(order) }]));
      const r = await convertTorchToSafetensors({ source: file, dest: `${file}.safetensors`, file: `${order}.pt` });
      results[order] = r.written || r.plan.findings.map((f) => `${f.rule}: ${f.message}`);
    }
    expect(results).toEqual({
      little: true,
      big: [
        "pickle-invalid: storages are big-endian; safetensors is little-endian. Re-save the checkpoint on a little-endian machine.",
      ],
    });
  });

  it("turns corrupt archives into pickle-invalid findings: missing storage, wrong storage size, truncated legacy data", async () => {
    const zip = await openZip(fx("plain_state_dict.pt"));
    const entries = await Promise.all(zip.entries.map(async (e) => ({ name: e.name, data: await zip.readEntry(e) })));
    await zip.close();
    const dir = await tempDir();
    const cases: [string, Buffer][] = [
      ["missing.pt", encodeZip(entries.filter((e) => e.name !== "plain_state_dict/data/0"))],
      [
        "short.pt",
        encodeZip(entries.map((e) => (e.name === "plain_state_dict/data/0" ? { ...e, data: e.data.subarray(4) } : e))),
      ],
      ["legacy-cut.pt", (await readFile(fx("legacy_state_dict.pt"))).subarray(0, 1000)],
      ["garbage.pt", Buffer.from("PK\x03\x04 not really a zip at all")],
    ];
    const got: Record<string, string[]> = {};
    for (const [name, bytes] of cases) {
      await writeFile(path.join(dir, name), bytes);
      const r = await convertTorchToSafetensors({
        source: path.join(dir, name),
        dest: path.join(dir, `${name}.safetensors`),
      });
      expect(r.written).toBe(false);
      got[name] = r.plan.findings.map((f) => `${f.rule}: ${f.excerpt}`);
    }
    expect(got).toEqual({
      "missing.pt": ["pickle-invalid: TORCH_STORAGE_MISSING"],
      "short.pt": ["pickle-invalid: TORCH_STORAGE_SIZE"],
      "legacy-cut.pt": ["pickle-invalid: TORCH_STORAGE_SHORT"],
      "garbage.pt": ["pickle-invalid: ZIP_CORRUPT"],
    });
  });
});
