import { describe, expect, it } from "vitest";
import { createCodeSecretScan } from "../../../src/publish/create-code-secret-scan.js";
import { decodeCodeFile, encodeCodeText } from "../../../src/publish/decode-code-file.js";
import { detectCodeSecrets, renderScanView } from "../../../src/publish/detect-code-secrets.js";
import { planCodeExport } from "../../../src/publish/plan-code-export.js";
import { stripInternalBlocks } from "../../../src/publish/strip-internal-blocks.js";
import { releaseErrorOf } from "../../lib/release-error-of.js";
import { gzipSync } from "node:zlib";
import { encodeZip } from "../../fixtures/lib/encode-zip.js";

const HF = ["hf_", "Zq8Lm3Np6Rs9Tv2Wx5Yz", "Ab4Cd7Ef0Gh3Jk6Lm"].join("");
const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const scan = createCodeSecretScan([]);

describe("internal blocks", () => {
  it("accepts BEGIN-INTERNAL, BEGIN_INTERNAL and BEGIN INTERNAL in any case", () => {
    for (const [b, e] of [
      ["BEGIN-INTERNAL", "END-INTERNAL"],
      ["BEGIN_INTERNAL", "END_INTERNAL"],
      ["BEGIN INTERNAL", "END INTERNAL"],
      ["begin-internal", "end-internal"],
    ])
      expect(stripInternalBlocks(`a\n# ${b}\nsecret\n# ${e}\nb`).text).toBe("a\nb");
  });

  it("refuses unknown spellings, nesting and unbalanced markers, without quoting the line", () => {
    for (const [text, code] of [
      ["# BEGIN-INTERNAL-ONLY\nx\n# END-INTERNAL", "INTERNAL_MARKER_UNKNOWN"],
      ["# BEGININTERNAL\nx", "INTERNAL_MARKER_UNKNOWN"],
      ["# START-INTERNAL\nx", "INTERNAL_MARKER_UNKNOWN"],
      ["# BEGIN-CONFIDENTIAL\nx", "INTERNAL_MARKER_UNKNOWN"],
      ["# BEGIN-INTERNAL\n# BEGIN-INTERNAL\n# END-INTERNAL", "INTERNAL_BLOCK_UNBALANCED"],
      ["a\n# END INTERNAL", "INTERNAL_BLOCK_UNBALANCED"],
      ["# BEGIN_INTERNAL\nx", "INTERNAL_BLOCK_UNBALANCED"],
    ] as const) {
      const err = releaseErrorOf(() => stripInternalBlocks(text, "t.py"));
      expect(err.code, text).toBe(code);
      expect(err.message).not.toContain("ONLY");
    }
    expect(stripInternalBlocks("the internal API\ninternal use only").removedLines).toBe(0);
  });
});

describe("files as bytes", () => {
  it("keeps other binary files byte for byte and scans their printable strings", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x80, 0x00, 0xc3, 0x28]);
    const plan = planCodeExport({ files: [{ path: "a/logo.png", content: png }], allow: ["**"], scan });
    expect(plan.files[0]!.content).toBe(png);
    const leaky = new Uint8Array([0x89, 0x50, 0, 0xff, ...Buffer.from(`key ${HF} end`), 0]);
    expect(
      releaseErrorOf(() => planCodeExport({ files: [{ path: "a/x.bin", content: leaky }], allow: ["**"], scan })).code,
    ).toBe("CODE_SECRET_FOUND");
  });

  it("blocks pickles, archives, compressed streams, weights and data files by their bytes, naming file and rule only", () => {
    const cases: [string, Uint8Array, string][] = [
      // A protocol-2 pickle of {"a": 1}, named like an image.
      [
        "train/cache.png",
        new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x58, 0x01, 0, 0, 0, 0x61, 0x4b, 0x01, 0x73, 0x2e]),
        "code-pickle",
      ],
      [
        "train/ckpt.pt",
        encodeZip([{ name: "archive/data.pkl", data: Buffer.from([0x80, 0x02, 0x4e, 0x2e]) }]),
        "code-pickle",
      ],
      [
        "train/configs.zip",
        encodeZip([{ name: ".env", data: Buffer.from(`HF_TOKEN=${HF}\n`), deflate: true }]),
        "code-archive",
      ],
      ["train/log.gz", gzipSync(Buffer.from(`token ${HF}\n`)), "code-archive"],
      ["train/runs.db", new Uint8Array(Buffer.from("SQLite format 3\0 rows")), "code-data-file"],
      [
        "data/train.parquet",
        new Uint8Array([...Buffer.from("PAR1"), 0x15, 0x04, 0x15, 0x00, 0xff, ...Buffer.from("PAR1")]),
        "code-data-file",
      ],
      [
        "train/x.npy",
        new Uint8Array([0x93, ...Buffer.from("NUMPY"), 1, 0, 0x10, 0, ...Buffer.from("{'descr': '|O'}")]),
        "code-data-file",
      ],
    ];
    for (const [path, content, rule] of cases) {
      const err = releaseErrorOf(() => planCodeExport({ files: [{ path, content }], allow: ["**"], scan }));
      expect(err.code, path).toBe("CODE_SECRET_FOUND");
      const findings = (err.details as { findings: { rule: string; file: string; message: string }[] }).findings;
      expect(
        findings.map((f) => f.rule),
        path,
      ).toContain(rule);
      expect(findings.find((f) => f.rule === rule)!.file).toBe(path);
      expect(err.message + JSON.stringify(findings)).not.toContain(HF);
    }
  });

  it("blocks robot programs and training data records, which go out only through the dataset release", () => {
    const table = (rows: number) => ["x,y", ...Array.from({ length: rows }, (_, i) => `${i},${i * 2}`)].join("\n");
    const cases: [string, string, string][] = [
      [
        "train/samples/weld.txt",
        "Program File Format Version : 1.6  MechType: 370(HX165-02)\nS1 MOVE P,S=60%,A=0,T=1\nEND\n",
        "code-robot-program",
      ],
      [
        "train/fixtures/job0001.JOB",
        "Hyundai Robot Job File; { version: 1.6 }\nmove SP,spd=60%\n",
        "code-robot-program",
      ],
      ["train/fixtures/pick.drl", "movej(posj(0,0,90,0,90,0), vel=30, acc=30)\n", "code-robot-program"],
      ["train/data/pairs.txt", '{"id": 1, "job": "S1 MOVE"}\n{"id": 2, "job": "S2 MOVE"}\n', "code-data-file"],
      ["train/data/pairs.jsonl", '{"id": 1}\n', "code-data-file"],
      ["train/data/samples.csv", table(60), "code-data-file"],
    ];
    for (const [path, text, rule] of cases) {
      const err = releaseErrorOf(() =>
        planCodeExport({ files: [{ path, content: bytes(text) }], allow: ["**"], scan }),
      );
      const findings = (err.details as { findings: { rule: string; file: string }[] }).findings;
      expect(findings, path).toContainEqual(expect.objectContaining({ rule, file: path }));
      expect(err.message).not.toContain("MOVE");
    }
    // A small lookup table, a JSON config and a notebook are code.
    const plan = planCodeExport({
      files: [
        { path: "train/labels.csv", content: bytes(table(5)) },
        { path: "train/config.json", content: bytes('{\n  "lr": 0.0001\n}\n') },
        { path: "train/one-line.json", content: bytes('{"lr": 0.0001}\n') },
      ],
      allow: ["**"],
      scan,
    });
    expect(plan.files.map((f) => f.path)).toEqual(["train/config.json", "train/labels.csv", "train/one-line.json"]);
  });

  it("publishes figures without their metadata (EXIF in a JPEG, text chunks in a PNG)", () => {
    const seg = (marker: number, data: Buffer) => {
      const h = Buffer.from([0xff, marker, 0, 0]);
      h.writeUInt16BE(data.length + 2, 2);
      return Buffer.concat([h, data]);
    };
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      seg(0xe1, Buffer.from("Exif\0\0GPS 35.5384N 129.3114E owner Kim Min-jun", "latin1")),
      seg(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
      seg(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
      Buffer.from([0x00, 0xff, 0xd9]),
    ]);
    const plan = planCodeExport({ files: [{ path: "docs/cell.jpg", content: jpeg }], allow: ["**"], scan });
    const out = Buffer.from(plan.files[0]!.content as Uint8Array);
    expect(out.toString("latin1")).not.toContain("129.3114");
    expect(out.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
  });

  it("decodes UTF-16 (BOM or NUL pattern), scans it, and writes a stripped file back in UTF-16", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`$t = "${HF}"\r\n`, "utf16le")]);
    expect(decodeCodeFile(le, "run.ps1")).toMatchObject({ kind: "text", encoding: "utf-16le", bom: true });
    expect(decodeCodeFile(Buffer.from("print(1)\n", "utf16le"), "x.py")).toMatchObject({
      encoding: "utf-16le",
      bom: false,
    });
    expect(
      releaseErrorOf(() => planCodeExport({ files: [{ path: "run.ps1", content: le }], allow: ["**"], scan })).code,
    ).toBe("CODE_SECRET_FOUND");
    const src = "a\r\n# BEGIN-INTERNAL\r\nx\r\n# END-INTERNAL\r\nb\r\n";
    const file = encodeCodeText(src, "utf-16le", true);
    const plan = planCodeExport({ files: [{ path: "run.ps1", content: file }], allow: ["**"], scan });
    expect(Buffer.from(plan.files[0]!.content as Uint8Array)).toEqual(
      Buffer.from(encodeCodeText("a\r\nb\r\n", "utf-16le", true)),
    );
  });

  it("never exports compiled files, whatever their name, nor .envrc and credential files", () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
    const plan = planCodeExport({
      files: [
        { path: "train/ops.bin", content: elf },
        { path: "train/__pycache__/x.cpython-311.pyc", content: bytes("x") },
        { path: "train/x.pyc", content: bytes("x") },
        { path: "train/fast.so.1", content: bytes("x") },
        { path: ".envrc", content: bytes("export X=1") },
        { path: "train/.netrc", content: bytes("machine x") },
        { path: "train/ok.py", content: bytes("print(1)\n") },
      ],
      allow: ["**", ".envrc"],
      scan,
    });
    expect(plan.files.map((f) => f.path)).toEqual(["train/ok.py"]);
  });

  it("ignores a large file outside paths; one inside names its relative path in the hint", () => {
    const files = [
      { path: "data/huge.bin", size: 6_000_000 },
      { path: "train/ok.py", content: bytes("print(1)\n") },
    ];
    expect(planCodeExport({ files, allow: ["train/**"], scan }).files.map((f) => f.path)).toEqual(["train/ok.py"]);
    const err = releaseErrorOf(() => planCodeExport({ files, allow: ["**"], scan, maxFileBytes: 5 * 1024 * 1024 }));
    expect([err.code, err.message, err.hint]).toEqual([
      "CODE_FILE_TOO_LARGE",
      "data/huge.bin is 6000000 bytes; code files above 5242880 bytes are not exported",
      "narrow github.code.paths so that it no longer matches data/huge.bin, or publish the file as a release asset",
    ]);
  });

  it("warns about an exported file importing a module that stays out, without naming the module", () => {
    const plan = planCodeExport({
      files: [
        {
          path: "train/run.py",
          content: bytes("import os\nfrom internal.vantor_cell import login\nfrom . import util\n"),
        },
        { path: "train/util.py", content: bytes("x = 1\n") },
        { path: "internal/vantor_cell.py", content: bytes("def login(): pass\n") },
        { path: "web/app.ts", content: bytes('import { a } from "../internal/tool";\n') },
        { path: "internal/tool.ts", content: bytes("export const a = 1;\n") },
      ],
      allow: ["train/**", "web/**"],
      scan,
    });
    expect(plan.findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`)).toEqual([
      "warn import-not-exported train/run.py:2",
      "warn import-not-exported web/app.ts:1",
    ]);
    expect(JSON.stringify(plan.findings)).not.toContain("vantor");
  });
});

describe("notebooks", () => {
  const nb = (outputs: unknown[]) =>
    bytes(
      JSON.stringify({
        cells: [
          { cell_type: "code", execution_count: 1, metadata: {}, source: ["print(1)"], outputs },
          { cell_type: "code", execution_count: 2, metadata: {}, source: ["# BEGIN-INTERNAL\n", "x = 1"], outputs: [] },
          {
            cell_type: "code",
            execution_count: 3,
            metadata: {},
            source: ["x\n", "# END-INTERNAL\n", "y = 2"],
            outputs: [{ output_type: "stream", name: "stdout", text: ["internal-out\n"] }],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
  const out = [
    { output_type: "stream", name: "stdout", text: ["\u001b[0;32m/fsx/team/run7\u001b[0m on dgx-h100-n042\n"] },
  ];

  it("strips every output by default and the cells and outputs of internal blocks", () => {
    const plan = planCodeExport({ files: [{ path: "n.ipynb", content: nb(out) }], allow: ["**"], scan });
    const text = Buffer.from(plan.files[0]!.content as Uint8Array).toString();
    const parsed = JSON.parse(text);
    expect(
      parsed.cells.map((c: { source: string[]; outputs: unknown[] }) => [c.source.join(""), c.outputs.length]),
    ).toEqual([
      ["print(1)", 0],
      ["y = 2", 0],
    ]);
    expect(text).not.toMatch(/fsx|dgx|internal-out|x = 1/);
  });

  it("keeps outputs when the config asks, and scans them like code (ANSI escapes removed first)", () => {
    const err = releaseErrorOf(() =>
      planCodeExport({ files: [{ path: "n.ipynb", content: nb(out) }], allow: ["**"], scan, notebookOutputs: "keep" }),
    );
    const rules = (err.details!.findings as { rule: string }[]).map((f) => f.rule).sort();
    expect(rules).toEqual(["cluster-node", "internal-path"]);
    const clean = planCodeExport({
      files: [{ path: "n.ipynb", content: nb([{ output_type: "stream", name: "stdout", text: ["loss 0.1\n"] }]) }],
      allow: ["**"],
      scan,
      notebookOutputs: "keep",
    });
    expect(Buffer.from(clean.files[0]!.content as Uint8Array).toString()).toContain("loss 0.1");
  });
});

describe("code placement rules and excerpts", () => {
  const rulesIn = (text: string) =>
    detectCodeSecrets(renderScanView(text)).map((d) => [d.rule, text.slice(d.start, d.end)]);

  it("finds credentials by where code puts them", () => {
    expect(rulesIn('os.environ["WANDB_API_KEY"] = "9f3c2a7d1e8b4f6a0c5d"\n')).toEqual([
      ["code-credential-assignment", "9f3c2a7d1e8b4f6a0c5d"],
    ]);
    expect(rulesIn("data:\n  HF_TOKEN: aGZfUHc0UnQ3WXUwSW8zUGE2\n")).toEqual([
      ["code-credential-assignment", "aGZfUHc0UnQ3WXUwSW8zUGE2"],
    ]);
    expect(rulesIn('db:\n  pass: "Tr0ub4dor-77"\n')).toEqual([["code-credential-assignment", "Tr0ub4dor-77"]]);
    expect(rulesIn('u = "mysql://app:S3cretPw9@db:3306/x"\n')).toEqual([["url-credentials", "S3cretPw9"]]);
    expect(rulesIn("ssh -J bastion.corp.co.kr dgx-h100-n042\n").map((r) => r[1])).toEqual([
      "dgx-h100-n042",
      "bastion.corp.co.kr",
      "dgx-h100-n042",
    ]);
  });

  it("leaves vocabulary, placeholders, variables and prose alone", () => {
    for (const ok of [
      'tokenizer.pad_token = tokenizer.eos_token\npad_token: "<pad>"\nmax_new_tokens = 512\n',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder, on purpose
      'token = os.environ["HF_TOKEN"]\npassword = "${DB_PASSWORD}"\napi_key: your-api-key\n',
      "TOKEN_VAR = HF_TOKEN\nsecret = getpass()\nssh into the node or login with ssh\n",
      'url = "https://user:pass@example.com"  # doc example\nmode: secret\n',
    ])
      expect(rulesIn(ok), ok).toEqual([]);
  });

  it("an excerpt holds no part of a value, not even the other half of a split token", () => {
    const a = HF.slice(0, 18);
    const b = HF.slice(18);
    const err = releaseErrorOf(() =>
      planCodeExport({ files: [{ path: "t.py", content: bytes(`TOKEN = "${a}" + "${b}"\n`) }], allow: ["**"], scan }),
    );
    const text = JSON.stringify(err.toJSON());
    expect(text).not.toContain(a);
    expect(text).not.toContain(b.slice(0, 6));
    expect((err.details!.findings as { excerpt: string }[])[0]!.excerpt).toMatch(/^TOKEN = "\[REDACTED:[a-z-]+\]"/);
  });
});
