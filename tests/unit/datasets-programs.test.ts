import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectHyundaiDialect, parseRobotProgram } from "../../src/datasets/parse-robot-program.js";
import { generateSyntheticPairs } from "../../src/datasets/generate-synthetic-pairs.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/robot-programs");
const read = (f: string) => readFileSync(path.join(fixtures, f), "utf8");
const scratch = mkdtempSync(path.join(tmpdir(), "mr-drl-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Compiles DRL files as Python in one process; throws with the compiler's message on a syntax error. */
function pyCompile(programs: { name: string; text: string }[]): void {
  const files = programs.map((p, i) => {
    const f = path.join(scratch, `${i}-${p.name.replace(/[^\w.-]/g, "_")}.py`);
    writeFileSync(f, p.text);
    return f;
  });
  execFileSync("python3", ["-m", "py_compile", ...files], { stdio: "pipe" });
}

describe("robot program parsers", () => {
  // Counted by hand from robot-formats.md §5.
  it.each([
    [
      "example-a-0001.JOB",
      "hi5-job",
      { motion: 5, io: 4, wait: 2, delay: 1, call: 1, tool: 0, frame: 0, flow: 1, other: 0 },
    ],
    [
      "example-a-job_0001.drl",
      "drl",
      { motion: 5, io: 4, wait: 2, delay: 1, call: 1, tool: 2, frame: 0, flow: 0, other: 1 },
    ],
    [
      "example-b-0002_pal.job",
      "hi6-job",
      { motion: 6, io: 4, wait: 2, delay: 1, call: 0, tool: 0, frame: 1, flow: 7, other: 7 },
    ],
    [
      "example-c-0003.JOB",
      "hi5-job",
      { motion: 9, io: 2, wait: 0, delay: 0, call: 0, tool: 0, frame: 2, flow: 1, other: 0 },
    ],
  ] as const)("counts the instructions of %s", (file, dialect, counts) => {
    const text = read(file);
    if (dialect !== "drl") expect(detectHyundaiDialect(text)).toBe(dialect);
    const parsed = parseRobotProgram(text, dialect);
    expect(parsed.issues).toEqual([]);
    expect(parsed.counts).toEqual(counts);
  });

  it("parses every generated pair without an issue, and python compiles every DRL program", () => {
    const pairs = generateSyntheticPairs({ seed: "parser-test", count: 30 });
    expect(new Set(pairs.map((p) => p.dialect))).toEqual(new Set(["hi5-job", "hi6-job"]));
    for (const p of pairs) {
      const hy = parseRobotProgram(p.hyundaiText, p.dialect);
      const drl = parseRobotProgram(p.drlText, "drl");
      expect(hy.issues, p.id).toEqual([]);
      expect(drl.issues, p.id).toEqual([]);
      // Same task on both sides: the same number of motion instructions, except that a Hyundai
      // circular move takes two steps where DRL's movec takes one.
      expect(hy.counts.motion - (p.hyundaiText.match(/move C/gi)?.length ?? 0) / 2).toBe(drl.counts.motion);
      expect(hy.counts.delay).toBe(drl.counts.delay);
      expect(hy.counts.call).toBe(drl.counts.call);
    }
    pyCompile([
      ...pairs.map((p) => ({ name: p.drlFile, text: p.drlText })),
      ...readdirSync(fixtures)
        .filter((f) => f.endsWith(".drl"))
        .map((f) => ({ name: f, text: read(f) })),
    ]);
  });

  it("the python check is real: it rejects a DRL syntax error", () => {
    expect(() => pyCompile([{ name: "bad.drl", text: "movej(HOME, vel=60\n" }])).toThrow();
  });

  it("reports what is wrong in a Hi5 job, with lines", () => {
    const job = [
      "Program File Format Version : 1.6  MechType: 693(HS220-03)  TotalAxis: 6  AuxAxis: 0",
      "S1   MOVE P,S=60%,A=9,T=1  (0.000,90.000,0.000,0.000,-90.000,0.000)A",
      "S1   MOVE L,A=0,T=40  (1.000,2.000,3.000,0.000,0.000,0.000",
      "     FROB 12",
      "     IF V1%<2 THEN *NOWHERE",
      "     IF V1%>3 THEN",
      "     END",
    ].join("\n");
    expect(parseRobotProgram(job, "hi5-job").issues).toMatchInlineSnapshot(`
      [
        {
          "line": 2,
          "message": "accuracy 9 is outside 0-7",
        },
        {
          "line": 3,
          "message": "step S1 does not follow S1",
        },
        {
          "line": 3,
          "message": "tool 40 is outside 0-31",
        },
        {
          "line": 3,
          "message": "move without a speed (S= / spd=)",
        },
        {
          "line": 3,
          "message": "unbalanced brackets in the pose",
        },
        {
          "line": 4,
          "message": "unknown statement 'FROB 12'",
        },
        {
          "line": 5,
          "message": "jump to undefined label '*nowhere'",
        },
        {
          "line": 6,
          "message": "'if' block is never closed",
        },
      ]
    `);
  });

  it("reports a Hi6 job without its header and with an unbalanced block", () => {
    const job = [
      "     move P,spd=60%,accu=3,tool=1  [0,90,0,0,-90,0]",
      "     for i=1 to 3",
      "     delay 0.1",
      "     endif",
      '     print "unterminated',
    ].join("\n");
    expect(parseRobotProgram(job, "hi6-job").issues.map((i) => `${i.line}: ${i.message}`)).toMatchInlineSnapshot(`
      [
        "1: missing Hi6 job header 'Hyundai Robot Job File; { version: …, mech_type: "…", total_axis: …, aux_axis: … }'",
        "4: 'endif' without a matching 'if'",
        "5: unterminated string literal",
      ]
    `);
  });

  it("reports DRL indentation and bracket errors", () => {
    const drl = ["movej(HOME, vel=60", "while n < 3:", "set_digital_output(1, ON)", "  wait(0.2)", "tp_log('x')"].join(
      "\n",
    );
    expect(parseRobotProgram(drl, "drl").issues.map((i) => `${i.line}: ${i.message}`)).toMatchInlineSnapshot(`
      [
        "1: '(' is never closed",
      ]
    `);
    const drl2 = ["while n < 3:", "set_digital_output(1, ON)", "if x", "    wait(1)", "  wait(2)"].join("\n");
    expect(parseRobotProgram(drl2, "drl").issues.map((i) => `${i.line}: ${i.message}`)).toMatchInlineSnapshot(`
      [
        "2: expected an indented block after line 1",
        "3: 'if' statement without ':'",
        "4: unexpected indent",
        "5: unexpected indent",
      ]
    `);
  });
});
