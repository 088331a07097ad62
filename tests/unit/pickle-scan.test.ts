import path from "node:path";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { readPickleOps } from "../../src/checkpoint/pickle/read-pickle-ops.js";
import { scanPickle } from "../../src/checkpoint/pickle/scan-pickle.js";
import { scanTorchFile } from "../../src/checkpoint/pickle/scan-torch-file.js";
import { classifyPickleGlobal } from "../../src/checkpoint/pickle/classify-pickle-global.js";
import { extractPickleStrings, readTorchFileStrings } from "../../src/checkpoint/pickle/extract-pickle-strings.js";
import { openZip } from "../../src/checkpoint/zip/open-zip.js";
import { ReleaseError } from "../../src/errors.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/pickles");
const fx = (name: string) => path.join(fixtures, name);

/** Pickle bytes from opcodes written as a mix of strings (latin-1) and byte arrays. */
function pk(...parts: (string | number[])[]): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
}
const u = (s: string) => [0x8c, s.length, ...Buffer.from(s, "latin1")]; // SHORT_BINUNICODE
const thrown = (fn: () => unknown): ReleaseError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ReleaseError);
    return err as ReleaseError;
  }
  throw new Error("expected a ReleaseError");
};

async function dataPkl(file: string): Promise<Uint8Array> {
  const zip = await openZip(fx(file));
  try {
    const e = zip.entries.find((x) => x.name.endsWith("/data.pkl"))!;
    return await zip.readEntry(e);
  } finally {
    await zip.close();
  }
}

describe("readPickleOps", () => {
  it("disassembles a torch data.pkl like pickletools: names, offsets, arguments", async () => {
    const ops = [...readPickleOps(await dataPkl("tied_weights.pt"), { file: "tied_weights.pt" })];
    // Offsets and arguments checked against `python3 -m pickletools` on the same file.
    expect(ops.slice(0, 6).map((o) => [o.offset, o.name, o.arg])).toEqual([
      [0, "PROTO", 2],
      [2, "GLOBAL", ["collections", "OrderedDict"]],
      [27, "BINPUT", 0],
      [29, "EMPTY_TUPLE", null],
      [30, "REDUCE", null],
      [31, "BINPUT", 1],
    ]);
    expect(ops.at(-1)).toMatchObject({ name: "STOP", offset: 328 });
    expect(ops.find((o) => o.offset === 200)).toMatchObject({ name: "BINGET", arg: 13 });
  });

  it("reads protocols 0, 4 and 5 written by Python", async () => {
    for (const p of [0, 4, 5]) {
      const bytes = await readFile(fx(`training_args_p${p}.pkl`));
      const ops = [...readPickleOps(bytes, { file: "x" })];
      expect(ops.at(-1)!.name).toBe("STOP");
      expect(ops.at(-1)!.offset).toBe(bytes.length - 1);
      if (p > 0) expect(ops[0]).toMatchObject({ name: "PROTO", arg: p });
    }
  });

  it("throws located input errors for unknown opcodes, truncation and bad protocols", () => {
    const unknown = thrown(() => [...readPickleOps(pk([0x80, 2, 0xff]), { file: "a.pkl" })]);
    expect([unknown.code, unknown.category, unknown.message, unknown.location]).toMatchInlineSnapshot(`
      [
        "PICKLE_UNKNOWN_OPCODE",
        "input",
        "a.pkl: unknown pickle opcode 0xff at byte 2",
        {
          "file": "a.pkl",
          "offset": 2,
        },
      ]
    `);
    const trunc = thrown(() => [...readPickleOps(pk([0x80, 2, 0x58, 10, 0, 0, 0], "abc"), { file: "b.pkl" })]);
    expect(trunc.message).toMatchInlineSnapshot(`"b.pkl: pickle stream ends inside BINUNICODE at byte 2"`);
    expect(thrown(() => [...readPickleOps(pk([0x80, 2, 0x4e]), { file: "c" })]).message).toMatchInlineSnapshot(
      `"c: pickle stream ends inside the stream (no STOP opcode) at byte 3"`,
    );
    expect(thrown(() => [...readPickleOps(pk([0x80, 9, 0x2e]), { file: "d" })]).message).toMatchInlineSnapshot(
      `"d: invalid pickle at byte 0: unsupported pickle protocol 9"`,
    );
    expect(thrown(() => [...readPickleOps(pk("cos\nsys"), { file: "e" })]).code).toBe("PICKLE_TRUNCATED");
    expect(
      thrown(() => [...readPickleOps(pk([0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { file: "f" })]).code,
    ).toBe("PICKLE_TRUNCATED");
    expect(thrown(() => [...readPickleOps(pk([0x54, 0xff, 0xff, 0xff, 0xff]), { file: "g" })]).code).toBe(
      "PICKLE_INVALID",
    );
    expect(thrown(() => [...readPickleOps(pk("Iabc\n."), { file: "h" })]).code).toBe("PICKLE_INVALID");
  });

  it("throws PICKLE_TRUNCATED for every proper prefix of a real pickle", async () => {
    const bytes = await dataPkl("plain_state_dict.pt");
    for (let n = 0; n < bytes.length; n++) {
      const err = thrown(() => [...readPickleOps(bytes.subarray(0, n), { file: "p" })]);
      expect(err.category).toBe("input");
      expect(err.location?.offset).toBeLessThanOrEqual(n);
    }
  });
});

describe("classifyPickleGlobal", () => {
  it.each([
    ["collections", "OrderedDict", "safe"],
    ["torch._utils", "_rebuild_tensor_v2", "safe"],
    ["torch", "BFloat16Storage", "safe"],
    ["posix", "system", "dangerous"],
    ["os", "system", "dangerous"],
    ["os.path", "join", "dangerous"],
    ["builtins", "eval", "dangerous"],
    ["__builtin__", "getattr", "dangerous"],
    ["subprocess", "Popen", "dangerous"],
    ["runpy", "_run_code", "dangerous"],
    ["operator", "attrgetter", "dangerous"],
    ["torch.serialization", "load", "dangerous"],
    ["webbrowser", "open", "dangerous"],
    ["?", "?", "dangerous"],
    ["builtins", "set", "unknown"],
    ["collections", "Counter", "unknown"],
    ["numpy.core.multiarray", "_reconstruct", "unknown"],
    ["torch", "Tensor", "unknown"],
    ["ossified", "x", "unknown"],
  ] as const)("%s.%s is %s", (m, n, v) => {
    expect(classifyPickleGlobal(m, n)).toBe(v);
  });
});

describe("scanPickle", () => {
  it("resolves STACK_GLOBAL through MEMOIZE / BINGET like picklescan", () => {
    // PROTO 4, 'os' MEMOIZE, 'system' MEMOIZE, STACK_GLOBAL, then again via BINGET 0 / BINGET 1.
    const bytes = pk([0x80, 4], u("os"), [0x94], u("system"), [0x94, 0x93, 0x94], [0x68, 0, 0x68, 1, 0x93, 0x2e]);
    const scan = scanPickle({ file: "m.pkl", bytes });
    expect(scan.globals.map((g) => [g.module, g.name, g.op, g.offset, g.verdict])).toEqual([
      ["os", "system", "STACK_GLOBAL", 16, "dangerous"],
      ["os", "system", "STACK_GLOBAL", 22, "dangerous"],
    ]);
    expect(scan.findings).toHaveLength(1);
    expect(scan.findings[0]).toMatchObject({
      rule: "unsafe-pickle-global",
      severity: "block",
      file: "m.pkl",
      offset: 16,
      excerpt: "STACK_GLOBAL os.system",
    });
  });

  it("treats STACK_GLOBAL over computed operands as an unresolvable, dangerous import", () => {
    // 'collections' then NONE (not a string) then STACK_GLOBAL: the name is not a constant.
    const scan = scanPickle({ file: "e.pkl", bytes: pk([0x80, 4], u("collections"), [0x4e, 0x93, 0x2e]) });
    expect(scan.globals[0]).toMatchObject({ module: "collections", name: "?", verdict: "dangerous" });
    expect(scan.findings[0]!.message).toContain("cannot resolve");
  });

  it("reports INST, EXT codes and keeps reading consecutive pickles", () => {
    const bytes = pk("(ibuiltins\nset\n.", [0x80, 2, 0x82, 7, 0x2e], "csubprocess\ncall\n.");
    const scan = scanPickle({ file: "multi.pkl", bytes });
    expect(scan.pickles).toBe(3);
    expect(scan.globals.map((g) => `${g.op} ${g.module}.${g.name} ${g.verdict}`)).toEqual([
      "INST builtins.set unknown",
      "EXT1 ?.extension code 7 dangerous",
      "GLOBAL subprocess.call dangerous",
    ]);
    expect(scan.findings.map((f) => f.rule)).toEqual([
      "unknown-pickle-global",
      "unsafe-pickle-global",
      "unsafe-pickle-global",
    ]);
  });

  it("keeps the imports found before a parse error and adds a blocking pickle-invalid finding", () => {
    const scan = scanPickle({ file: "t.pkl", bytes: pk("cposix\nsystem\n", [0x58, 0xff]) });
    expect(scan.globals.map((g) => g.name)).toEqual(["system"]);
    expect(scan.findings.map((f) => [f.rule, f.severity, f.offset])).toEqual([
      ["pickle-invalid", "block", 14],
      ["unsafe-pickle-global", "block", 0],
    ]);
  });
});

describe("scanTorchFile over files written by Debian's python3-torch", () => {
  const verdicts = async (file: string) => {
    const s = await scanTorchFile(fx(file));
    return {
      format: s.format,
      imports: [
        ...new Set(s.pickles.flatMap((p) => p.globals.map((g) => `${g.module}.${g.name}=${g.verdict}`))),
      ].sort(),
      rules: s.findings.map((f) => f.rule),
    };
  };

  it("finds nothing to flag in plain state dicts (zip and legacy) and optimizer state", async () => {
    for (const f of [
      "plain_state_dict.pt",
      "legacy_state_dict.pt",
      "half_precision.pt",
      "tied_weights.pt",
      "module_state_dict.pt",
      "optimizer.pt",
    ]) {
      const v = await verdicts(f);
      expect(v.rules, f).toEqual([]);
      expect(
        v.imports.every((i) => i.endsWith("=safe")),
        f,
      ).toBe(true);
    }
    expect((await verdicts("legacy_state_dict.pt")).format).toBe("torch-legacy");
    expect((await verdicts("plain_state_dict.pt")).format).toBe("torch-zip");
  });

  it("flags the os.system payload in a torch zip and in a raw pickle", async () => {
    const zipped = await scanTorchFile(fx("os_system_payload.pt"), { file: "ckpt/os_system_payload.pt" });
    expect(zipped.findings).toMatchInlineSnapshot(`
      [
        {
          "excerpt": "GLOBAL posix.system",
          "file": "ckpt/os_system_payload.pt",
          "message": "Pickle in os_system_payload/data.pkl imports posix.system, which runs arbitrary code or shell commands when unpickled (GLOBAL at byte 177). Never load this file; publish weights as safetensors.",
          "offset": 177,
          "rule": "unsafe-pickle-global",
          "severity": "block",
        },
      ]
    `);
    expect(await verdicts("os_system_payload.pkl")).toEqual({
      format: "pickle",
      imports: ["posix.system=dangerous"],
      rules: ["unsafe-pickle-global"],
    });
  });

  it("flags a harmless global that is not on the allowlist as unknown", async () => {
    expect(await verdicts("unknown_global.pt")).toEqual({
      format: "torch-zip",
      imports: [
        "collections.Counter=unknown",
        "collections.OrderedDict=safe",
        "torch.FloatStorage=safe",
        "torch._utils._rebuild_tensor_v2=safe",
      ],
      rules: ["unknown-pickle-global"],
    });
  });

  it("turns a truncated checkpoint into a pickle-invalid finding, not an exception", async () => {
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(path.join(tmpdir(), "mr-pkl-"));
    try {
      const bytes = await readFile(fx("plain_state_dict.pt"));
      await writeFile(path.join(dir, "cut.pt"), bytes.subarray(0, 900));
      const s = await scanTorchFile(path.join(dir, "cut.pt"), { file: "cut.pt" });
      expect(s.findings.map((f) => [f.rule, f.excerpt])).toEqual([["pickle-invalid", "ZIP_CORRUPT"]]);
      await writeFile(path.join(dir, "cut.pkl"), (await readFile(fx("os_system_payload.pkl"))).subarray(0, 30));
      const t = await scanTorchFile(path.join(dir, "cut.pkl"), { file: "cut.pkl" });
      expect(t.findings.map((f) => f.rule).sort()).toEqual(["pickle-invalid", "unsafe-pickle-global"]);
      await writeFile(path.join(dir, "empty.pkl"), "");
      const e = await scanTorchFile(path.join(dir, "empty.pkl"), { file: "empty.pkl" });
      expect(e.findings.map((f) => [f.rule, f.message])).toEqual([
        ["pickle-invalid", "empty file: no pickle to scan."],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("extractPickleStrings", () => {
  const wanted = [
    "/home/alice/runs/llama-sft",
    "hf_FAKEfakeFAKEfakeFAKEfakeFAKEfake12",
    "alice-sft-run-7",
    "wandb",
    "logging_dir=/home/alice/runs/logs",
  ];

  it("returns every string constant with the offset of its opcode, for protocols 0, 4, 5", async () => {
    for (const p of [0, 4, 5]) {
      const bytes = await readFile(fx(`training_args_p${p}.pkl`));
      const { strings, findings } = extractPickleStrings({ file: "training_args.pkl", bytes });
      expect(findings).toEqual([]);
      for (const w of wanted)
        expect(
          strings.map((s) => s.value),
          `protocol ${p}`,
        ).toContain(w);
      for (const s of strings)
        expect([...readPickleOps(bytes, { file: "x" })].some((o) => o.offset === s.offset && o.name === s.op)).toBe(
          true,
        );
    }
  });

  it("reads the strings inside a torch zip (training_args.bin)", async () => {
    const { strings, findings } = await readTorchFileStrings(fx("training_args.bin"));
    expect(findings).toEqual([]);
    const token = strings.find((s) => s.value.startsWith("hf_"))!;
    expect(token).toMatchObject({ member: "training_args/data.pkl", op: "BINUNICODE" });
    for (const w of wanted) expect(strings.map((s) => s.value)).toContain(w);
  });

  it("decodes byte strings only when they are UTF-8 and reports where parsing stopped", () => {
    const bytes = pk([0x80, 3, 0x43, 2, 0xff, 0xfe, 0x43, 3], "abc", [0x58, 9, 0, 0, 0], "trunc");
    const r = extractPickleStrings({ file: "s.pkl", bytes });
    expect(r.strings).toEqual([{ value: "abc", offset: 6, op: "SHORT_BINBYTES" }]);
    expect(r.findings.map((f) => [f.rule, f.offset])).toEqual([["pickle-invalid", 11]]);
  });
});
