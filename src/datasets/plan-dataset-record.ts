import type { DatasetConfig } from "./dataset-config-schema.js";
import type { RedactionRules } from "./compile-redaction-rules.js";
import type { Pseudonymizer } from "./create-pseudonymizer.js";
import { decodeProgram } from "./decode-program.js";
import {
  detectHyundaiDialect,
  parseRobotProgram,
  INSTRUCTION_KINDS,
  type ParsedProgram,
} from "./parse-robot-program.js";
import type { RejectedRecord, SourceProgram, SourceRecord } from "./read-dataset-source.js";
import { redactProgram, type RedactionHit } from "./redact-program.js";
import { renderFileName } from "./render-file-name.js";
import type { ProgramDialect } from "./scan-program-regions.js";

/** One source pair after decoding, parsing and redaction: its published texts and hits, or why it was rejected. */
export type PlannedRecord =
  | { reject: RejectedRecord }
  | {
      dialect: "hi5-job" | "hi6-job";
      hyundaiText: string;
      hyundaiFile: string;
      drlText: string;
      drlFile: string;
      commentsDropped: number;
      hits: {
        hyundai_program: RedactionHit[];
        hyundai_file: RedactionHit[];
        drl_program: RedactionHit[];
        drl_file: RedactionHit[];
      };
    };

/**
 * Decodes, parses and redacts both programs of one pair, then checks that redaction kept each
 * program's instruction counts and that a second pass finds nothing. Pure.
 */
export function planDatasetRecord(
  rec: SourceRecord,
  rules: RedactionRules,
  pseudo: Pseudonymizer,
  config: DatasetConfig,
): PlannedRecord {
  const reject = (
    prog: SourceProgram,
    code: string,
    message: string,
    programLine?: number,
    offset?: number,
  ): PlannedRecord => {
    // A JSONL record is located by its line in the JSONL file, and the program line goes into the message.
    const inJsonl = prog.line !== undefined;
    const line = inJsonl ? prog.line : programLine;
    const msg = inJsonl && programLine !== undefined ? `${message} (program line ${programLine})` : message;
    return {
      reject: {
        sourceId: rec.sourceId,
        file: prog.origin,
        line,
        offset: inJsonl ? undefined : offset,
        code,
        message: msg,
      },
    };
  };
  const programs: { prog: SourceProgram; field: "hyundai_program" | "drl_program" }[] = [
    { prog: rec.hyundai, field: "hyundai_program" },
    { prog: rec.drl, field: "drl_program" },
  ];
  const texts: string[] = [];
  for (const { prog } of programs) {
    const d = decodeProgram(prog.content, config.source.encoding);
    if (!d.ok) return reject(prog, d.code, d.message, d.line, d.offset);
    texts.push(d.text);
  }
  const [hyText] = texts as [string, string];
  const dialect = detectHyundaiDialect(hyText);
  if (!dialect)
    return reject(
      rec.hyundai,
      "PROGRAM_UNPARSEABLE",
      "not a Hyundai job: line 1 is neither a Hi5 'Program File Format Version' nor a Hi6 'Hyundai Robot Job File' header",
      1,
    );
  const out: string[] = [];
  const hits: Record<string, RedactionHit[]> = {};
  let commentsDropped = 0;
  for (const [i, { prog, field }] of programs.entries()) {
    const text = texts[i]!;
    const d: ProgramDialect = i === 0 ? dialect : "drl";
    const before = parseRobotProgram(text, d);
    if (before.issues.length > 0) {
      const first = before.issues[0]!;
      return reject(
        prog,
        "PROGRAM_UNPARSEABLE",
        `${dialectName(d)}: ${first.message}${before.issues.length > 1 ? ` (and ${before.issues.length - 1} more issue${before.issues.length > 2 ? "s" : ""})` : ""}`,
        first.line,
      );
    }
    const red = redactProgram({ text, dialect: d, rules, pseudonymizer: pseudo });
    if (red.leaks.length > 0) {
      const l = red.leaks[0]!;
      return reject(
        prog,
        "SENSITIVE_VALUE_IN_STATEMENT",
        `a ${l.category} value (rule ${l.rule}) sits in a statement, where it cannot be replaced without changing the program`,
        l.line,
      );
    }
    const after = parseRobotProgram(red.text, d);
    const changed = sameCounts(before, after)
      ? undefined
      : INSTRUCTION_KINDS.find((k) => before.counts[k] !== after.counts[k]);
    if (changed !== undefined || after.issues.length > 0) {
      return reject(
        prog,
        "REDACTION_CHANGED_PROGRAM",
        changed
          ? `redaction changed the number of ${changed} instructions (${before.counts[changed]} -> ${after.counts[changed]})`
          : `redacted program does not parse: ${after.issues[0]!.message}`,
        after.issues[0]?.line,
      );
    }
    // Redacting the result again must find nothing: otherwise a rule produced or left a match.
    const again = redactProgram({ text: red.text, dialect: d, rules, pseudonymizer: pseudo });
    if (again.hits.length > 0 || again.leaks.length > 0)
      return reject(
        prog,
        "REDACTION_UNSTABLE",
        `a second redaction pass still found ${again.hits.length + again.leaks.length} value(s)`,
      );
    out.push(red.text);
    hits[field] = red.hits;
    commentsDropped += red.commentsDropped;
  }
  const mode = config.redaction.file_names;
  const hyFile = renderFileName({ name: rec.hyundai.name, mode, rules, pseudonymizer: pseudo });
  const drlFile = renderFileName({ name: rec.drl.name, mode, rules, pseudonymizer: pseudo });
  return {
    dialect,
    hyundaiText: out[0]!,
    drlText: out[1]!,
    hyundaiFile: hyFile.text,
    drlFile: drlFile.text,
    commentsDropped,
    hits: {
      hyundai_program: hits.hyundai_program!,
      drl_program: hits.drl_program!,
      hyundai_file: hyFile.hits,
      drl_file: drlFile.hits,
    },
  };
}

const dialectName = (d: ProgramDialect) => (d === "hi5-job" ? "Hi5 JOB" : d === "hi6-job" ? "Hi6 HRScript" : "DRL");
const sameCounts = (a: ParsedProgram, b: ParsedProgram) => INSTRUCTION_KINDS.every((k) => a.counts[k] === b.counts[k]);
