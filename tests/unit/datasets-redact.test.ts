import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRedactionRules } from "../../src/datasets/compile-redaction-rules.js";
import { createPseudonymizer } from "../../src/datasets/create-pseudonymizer.js";
import { parseDatasetConfig } from "../../src/datasets/read-dataset-config.js";
import { redactFreeText, redactProgram } from "../../src/datasets/redact-program.js";
import { parseRobotProgram } from "../../src/datasets/parse-robot-program.js";
import { categoryOfSanitizeRule, fromSecretDetector } from "../../src/datasets/create-dataset-detector.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/robot-programs");
const read = (f: string) => readFileSync(path.join(fixtures, f), "utf8");
const key = new Uint8Array(32).fill(42);
const pseudo = createPseudonymizer(key);

// The lists a project would keep for the reference examples (robot-formats.md §5).
const config = parseDatasetConfig(`name: t
pretty_name: test data
summary: Test pairs of robot programs.
source: { kind: pairs, path: p }
hub: { repo: org/t }
redaction:
  customers: ["Vantor Castings Co., Ltd.", Vantor, Skarholm Dairy AB, Kestrel Seating Systems GmbH, Kestrel]
  plants: [Ulsan Plant 2, Ulsan2, Tessby, Werk Vellbach]
  lines: [CNC-LINE-07, CNC07, PAL-2, SEAL-1, SEAL1]
  people: [Hong Gil-dong, Kim Min-jun, Park J.]
  part_number_patterns: ['\\b[A-Z]{2}-\\d{5}-[A-Z]\\d\\b', '\\b\\d{4}-\\d{4}-\\d{2}\\b']
`);
const rules = compileRedactionRules(config.redaction);

// Every sensitive value of the three reference examples (their redaction-test checklist).
const SENSITIVE = [
  "Vantor",
  "Ulsan",
  "CNC-LINE-07",
  "VC-44810-A7",
  "203.0.113.57",
  "203.0.113.58",
  "HI5A-C-2019-004417",
  "HS220-03-1807-0093",
  "Hong Gil-dong",
  "2231",
  "2024-05-14",
  "07:42",
  "D:\\Customers",
  "DRCF-2203-118842",
  "H2017-2206-0311",
  "11.2 s",
  "Skarholm",
  "Tessby",
  "PAL-2",
  "lee.seoyeon@integrator.example",
  "Kim Min-jun",
  "HI6T-22A-001958",
  "198.51.100.23",
  "198.51.100.1 ",
  "198.51.100.40",
  "pal2-robot",
  "7311-0420-12",
  "Park J.",
  "2024-10-30",
  "M1013-2211-40527",
  "198.51.100.24",
  "DIP-2291",
  "Kestrel",
  "Vellbach",
  "SEAL-1",
  "C:\\Users\\hgd",
  "192.0.2.77",
  "38.5 s",
];

describe("program redaction", () => {
  const cases = [
    ["example-a-0001.JOB", "hi5-job"],
    ["example-a-job_0001.drl", "drl"],
    ["example-b-0002_pal.job", "hi6-job"],
    ["example-b-pal2_stack.drl", "drl"],
    ["example-c-0003.JOB", "hi5-job"],
    ["example-c-seal1_door_inner.drl", "drl"],
  ] as const;

  it.each(cases)("redacts %s: nothing sensitive left, same instructions, stable", async (file, dialect) => {
    const text = read(file);
    const red = redactProgram({ text, dialect, rules, pseudonymizer: pseudo });
    expect(red.leaks).toEqual([]);
    for (const v of SENSITIVE) expect(red.text.toLowerCase(), v).not.toContain(v.toLowerCase());
    const before = parseRobotProgram(text, dialect);
    const after = parseRobotProgram(red.text, dialect);
    expect(after.issues).toEqual([]);
    expect(after.counts).toEqual(before.counts);
    expect(redactProgram({ text: red.text, dialect, rules, pseudonymizer: pseudo }).hits).toEqual([]);
    await expect(red.text).toMatchFileSnapshot(`__snapshots__/redacted-${file}`);
  });

  it("gives the same value the same placeholder in the job and in the DRL program, and a different one under another key", () => {
    const job = redactProgram({
      text: read("example-a-0001.JOB"),
      dialect: "hi5-job",
      rules,
      pseudonymizer: pseudo,
    }).text;
    const drl = redactProgram({
      text: read("example-a-job_0001.drl"),
      dialect: "drl",
      rules,
      pseudonymizer: pseudo,
    }).text;
    const customer = pseudo.placeholder("CUSTOMER", "Vantor Castings Co., Ltd.");
    expect(customer).toMatch(/^<CUSTOMER_[0-9a-f]{8}>$/);
    expect(job).toContain(`Customer : ${customer} (${pseudo.placeholder("PLANT", "Ulsan Plant 2")})`);
    expect(drl).toContain(`Customer : ${customer} (`);
    // Case and spacing do not make another value.
    expect(pseudo.placeholder("CUSTOMER", "vantor  castings co., ltd.")).toBe(customer);
    const other = createPseudonymizer(new Uint8Array(32).fill(7));
    expect(other.placeholder("CUSTOMER", "Vantor Castings Co., Ltd.")).not.toBe(customer);
  });

  it("keeps known values' own placeholders inside a labelled value and redacts the unknown rest", () => {
    const r = redactFreeText({
      text: "Customer : Vantor Castings Co., Ltd. (Gimhae Annex)  Line : CNC-LINE-07",
      rules,
      pseudonymizer: pseudo,
    });
    expect(r.text).toBe(
      `Customer : ${pseudo.placeholder("CUSTOMER", "Vantor Castings Co., Ltd.")} (${pseudo.placeholder("CUSTOMER", "Gimhae Annex")})  Line : ${pseudo.placeholder("LINE", "CNC-LINE-07")}`,
    );
    expect(r.hits.map((h) => h.rule)).toEqual(["list-customers", "label-customer", "list-lines"]);
  });

  it("redacts addresses in socket, HTTP and upload statements, and TP export titles", () => {
    const hi6 = [
      'Hyundai Robot Job File; { version: 2.0, mech_type: "", total_axis: -1, aux_axis: -1 }',
      '     cli.ip_addr="192.168.1.172"',
      '     var url="http://192.168.1.200:8888/api/job"',
      '     var up="ftp://robot:s3cr3t-pass@198.51.100.9/jobs"',
      "     end",
    ].join("\n");
    const red = redactProgram({ text: hi6, dialect: "hi6-job", rules, pseudonymizer: pseudo });
    expect(red.leaks).toEqual([]);
    expect(red.text).not.toMatch(/192\.168|198\.51|s3cr3t/);
    expect(red.text).toContain(`cli.ip_addr="${pseudo.placeholder("IP", "192.168.1.172")}"`);
    const drl =
      "# Title : Vellbach door line\n# Time : 2025-07-29 21:12:03\nProgSendRobot('198.51.100.9', '/jobs', 'robot', password='s3cr3t-pass')\n";
    const r2 = redactProgram({ text: drl, dialect: "drl", rules, pseudonymizer: pseudo });
    expect(r2.text).not.toMatch(/Vellbach|2025-07-29|198\.51|s3cr3t/);
    expect(parseRobotProgram(r2.text, "drl").issues).toEqual([]);
  });

  it("redacts the robot model in headers only when the config asks for it", () => {
    const job = read("example-a-0001.JOB");
    expect(redactProgram({ text: job, dialect: "hi5-job", rules, pseudonymizer: pseudo }).text).toContain(
      "MechType: 693(HS220-03)",
    );
    const strict = compileRedactionRules({ ...config.redaction, robot_model: true });
    const red = redactProgram({ text: job, dialect: "hi5-job", rules: strict, pseudonymizer: pseudo }).text;
    expect(red.split("\n")[0]).toBe(
      `Program File Format Version : 1.6  MechType: 693(${pseudo.placeholder("ROBOT_MODEL", "HS220-03")})  TotalAxis: 6  AuxAxis: 0`,
    );
    expect(parseRobotProgram(red, "hi5-job").issues).toEqual([]);
  });

  it("redacts Korean labels and leaves ordinary comments alone", () => {
    const r = redactFreeText({ text: "작업자: 김민준  그리퍼 닫기 / gripper close", rules, pseudonymizer: pseudo });
    expect(r.text).toBe(`작업자: ${pseudo.placeholder("PERSON", "김민준")}  그리퍼 닫기 / gripper close`);
  });

  it("renames a timestamp identifier consistently, keeping the program valid", () => {
    const drl =
      "gLoop211203046 = 0\nwhile gLoop211203046 < 3:\n    wait(0.1)\n    gLoop211203046 = gLoop211203046 + 1\n";
    const red = redactProgram({ text: drl, dialect: "drl", rules, pseudonymizer: pseudo });
    const id = pseudo.identifier("gLoop", "gLoop211203046");
    expect(id).toMatch(/^gLoop_[0-9a-f]{8}$/);
    expect(red.text).toBe(drl.replaceAll("gLoop211203046", id));
    expect(parseRobotProgram(red.text, "drl").counts).toEqual(parseRobotProgram(drl, "drl").counts);
  });

  it("renames an identifier that carries a listed value consistently, and reports any other value in a statement", () => {
    const drl =
      'VANTOR_HOME = posj(0, 0, 90, 0, 90, 0)\nmovej(VANTOR_HOME, vel=30, acc=60)\nset_tool("TW_GRIP")  # Vantor\n';
    const red = redactProgram({ text: drl, dialect: "drl", rules, pseudonymizer: pseudo });
    expect(red.leaks).toEqual([]);
    const id = pseudo.identifier("CUSTOMER", "VANTOR");
    expect(red.text).toBe(
      `${id}_HOME = posj(0, 0, 90, 0, 90, 0)\nmovej(${id}_HOME, vel=30, acc=60)\nset_tool("TW_GRIP")  # ${pseudo.placeholder("CUSTOMER", "Vantor")}\n`,
    );
    expect(parseRobotProgram(red.text, "drl").counts).toEqual(parseRobotProgram(drl, "drl").counts);
    const leaky = redactProgram({ text: "x = 0 if 2024-05-14 else 1\n", dialect: "drl", rules, pseudonymizer: pseudo });
    expect(leaky.leaks).toEqual([{ line: 1, rule: "timestamp", category: "DATE" }]);
  });

  it("uses the sanitizer's detector when one is passed in", () => {
    const detect = (text: string) =>
      [...text.matchAll(/hf_[A-Za-z0-9]{10,}/g)].map((m) => ({
        rule: "hf-token",
        start: m.index,
        end: m.index + m[0].length,
      }));
    const withSanitizer = compileRedactionRules(config.redaction, { engine: fromSecretDetector(detect) });
    const r = redactFreeText({ text: "token hf_abcdefghijklmnop used", rules: withSanitizer, pseudonymizer: pseudo });
    expect(r.text).toBe(`token ${pseudo.placeholder("SECRET", "hf_abcdefghijklmnop")} used`);
  });

  it("names the placeholder category of each sanitizer rule", () => {
    expect(categoryOfSanitizeRule("us-social-security-number")).toBe("NATIONAL_ID");
    expect(categoryOfSanitizeRule("kr-driver-licence-number")).toBe("NATIONAL_ID");
    expect(categoryOfSanitizeRule("kr-resident-registration-number")).toBe("NATIONAL_ID");
    expect(categoryOfSanitizeRule("payment-card-number")).toBe("SECRET");
    expect(categoryOfSanitizeRule("iban")).toBe("SECRET");
    expect(categoryOfSanitizeRule("http-auth-header")).toBe("SECRET");
    expect(categoryOfSanitizeRule("unc-path")).toBe("PATH");
    expect(categoryOfSanitizeRule("kr-phone-number")).toBe("PHONE");
  });

  it("never changes instructions, whatever a comment or string holds", () => {
    const base = read("example-b-0002_pal.job").split("\n");
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 80 }).filter((s) => !/[\r\n"]/.test(s)),
        fc.integer({ min: 2, max: 8 }),
        (s, at) => {
          const lines = [...base];
          lines.splice(at, 0, `     # ${s}`, `     print "${s}"`);
          const text = lines.join("\n");
          const before = parseRobotProgram(text, "hi6-job");
          const red = redactProgram({ text, dialect: "hi6-job", rules, pseudonymizer: pseudo });
          const after = parseRobotProgram(red.text, "hi6-job");
          expect(after.counts).toEqual(before.counts);
          expect(after.issues).toEqual(before.issues);
          expect(redactProgram({ text: red.text, dialect: "hi6-job", rules, pseudonymizer: pseudo }).hits).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("redaction key", () => {
  it("decodes hex, accepts long text, and refuses a short key without echoing it", async () => {
    const { parseRedactionKey } = await import("../../src/datasets/parse-redaction-key.js");
    expect(parseRedactionKey("00".repeat(32))).toEqual(new Uint8Array(32));
    expect(parseRedactionKey("a long enough passphrase")).toHaveLength(24);
    let err: unknown;
    try {
      parseRedactionKey("hunter2");
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "REDACTION_KEY_TOO_SHORT", category: "usage" });
    expect(JSON.stringify((err as { toJSON(): unknown }).toJSON())).not.toContain("hunter2");
  });
});

describe("placement on top of the engine", () => {
  const cfg = (extra: string) =>
    parseDatasetConfig(`name: t
pretty_name: test data
summary: Test pairs of robot programs.
source: { kind: pairs, path: p }
hub: { repo: org/t }
redaction:
  customers: [Brightwater Foundry, Brightwater, 한빛정밀]
  people: [Quillan Marchetti, 정하늘]
${extra}`);
  const r = compileRedactionRules(cfg("").redaction);
  const red = (text: string, dialect: "drl" | "hi6-job" = "drl", rules = r) =>
    redactProgram({ text, dialect, rules, pseudonymizer: pseudo });

  it("finds a listed name split over two comment lines or two concatenated literals, and keeps the program", () => {
    const drl = '# converted by Quillan\n# Marchetti on site\ntp_log("for Bright" + "water Foundry")\n';
    const out = red(drl);
    expect(out.text).not.toMatch(/Quillan|Marchetti|Bright|water/);
    expect(out.leaks).toEqual([]);
    expect(parseRobotProgram(out.text, "drl").counts).toEqual(parseRobotProgram(drl, "drl").counts);
  });

  it("finds listed names before particles, in NFD, full width, with invisible characters, in labels", () => {
    const hi6 = [
      'Hyundai Robot Job File; { version: 2.0, mech_type: "", total_axis: 6, aux_axis: 0 }',
      "     # 한빛정밀님 요청",
      `     # 담당 ${"정하늘".normalize("NFD")}`,
      "     # Ｂｒｉｇｈｔｗａｔｅｒ and Bright\u200bwater",
      "*BRIGHTWATERPICK",
      "     end",
    ].join("\n");
    const out = red(hi6, "hi6-job");
    expect(out.leaks).toEqual([]);
    expect(
      out.text
        .normalize("NFKC")
        .replace(/\u200b/g, "")
        .toLowerCase(),
    ).not.toMatch(/한빛정밀|정하늘|brightwater/);
    expect(out.text).toContain(`*${pseudo.identifier("CUSTOMER", "BRIGHTWATER")}PICK`);
  });

  it("allowlist mode empties every comment that matches no safe pattern, and counts them", () => {
    const strict = compileRedactionRules(cfg('  comments: { mode: allowlist, keep: ["(?:move|wait) .*"] }').redaction);
    const drl =
      "# move to the pick pose\n# ask Minji about this\nmovej(posj(0, 0, 90, 0, 90, 0), vel=30, acc=30)  # wait for Quillan Marchetti\n";
    const out = red(drl, "drl", strict);
    // Kept comments are still redacted.
    expect(out.text).toBe(
      `# move to the pick pose\n#\nmovej(posj(0, 0, 90, 0, 90, 0), vel=30, acc=30)  # wait for ${pseudo.placeholder("PERSON", "Quillan Marchetti")}\n`,
    );
    expect(out.commentsDropped).toBe(1);
  });
});
