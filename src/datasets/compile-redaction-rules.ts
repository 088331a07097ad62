import { usageError } from "../errors.js";
import type { RedactionCategory, RedactionConfig } from "./dataset-config-schema.js";
import { detectGenericSensitive, type GenericDetection } from "./detect-generic-sensitive.js";

/**
 * The redaction rules of one dataset build, compiled once. Three kinds:
 * - value rules find the sensitive value itself (list entries, part-number patterns, IPs, dates,
 *   serials after `S/N`, Windows paths, cycle times after `cycle target`);
 * - label rules find the value that follows a label in a comment (`Customer : …`, `Taught by: …`,
 *   `작업자: …`), for values no list knows; value rules win inside them, so a known customer keeps
 *   its own consistent placeholder;
 * - code rules rename identifiers in statements that encode sensitive data (`gLoop<timestamp>`).
 */
export interface RedactionRules {
  value: ValueRule[];
  label: ValueRule[];
  code: CodeRule[];
  /** Only applied to job headers (robot model in mech_type). */
  header: ValueRule[];
  generic: (text: string) => GenericDetection[];
}

export interface ValueRule {
  id: string;
  category: RedactionCategory;
  re: RegExp;
  /** Capture group holding the sensitive part; 0 = the whole match. */
  group: number;
}

export interface CodeRule {
  id: string;
  /** Identifier prefix kept in the replacement, so the name stays readable and valid. */
  prefix: string;
  re: RegExp;
}

// Letters and digits in any script: list values match as whole words, also in Hangul text.
const wordBoundaryStart = "(?<![\\p{L}\\p{N}])";
const wordBoundaryEnd = "(?![\\p{L}\\p{N}])";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// A label's value runs to two spaces or the end of the comment (the layout of TP header blocks).
const LABEL_VALUE = "(\\S(?:.*?\\S)?)(?=\\s{2,}|\\s*$)";
/** `ab|c` → `[aA][bB]|[cC]`: case-insensitive letters inside an otherwise case-sensitive regex. */
const anyCase = (alts: string) => alts.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
// Person names: capitalised words, romanised Korean given names with a hyphen, initials.
const NAME = "(\\p{Lu}\\p{Ll}+(?:-\\p{Ll}+)?(?:\\s(?:\\p{Lu}\\p{Ll}+(?:-\\p{Ll}+)?|\\p{Lu}\\.))+)";

/** Built-in rules that know where robot programs keep sensitive values. Ids appear in the report. */
const BUILTIN_VALUE: ValueRule[] = [
  { id: "windows-path", category: "PATH", re: /[A-Za-z]:\\{1,2}(?:[^\\\n"'<>|]*\\{1,2})*[^\s"'<>|\\]*/g, group: 0 },
  { id: "unc-path", category: "PATH", re: /\\\\{1,2}[\w.-]+\\{1,2}[^\s"'<>|]+/g, group: 0 },
  {
    id: "timestamp",
    category: "DATE",
    re: /(?<!\d)(?:\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{4}\.\d{2}\.\d{2}|\d{2}\/\d{2}\/\d{4})(?!\d)/g,
    group: 0,
  },
  {
    id: "serial-number",
    category: "SERIAL",
    re: /\b(?:S\/N|SN|serial(?:\s*(?:no\.?|number))?)\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{4,})/gi,
    group: 1,
  },
  {
    id: "phone",
    category: "PHONE",
    re: /\b(?:ext\.?|tel\.?|phone|mobile)\s*:?\s*\+?\d(?:[\d-]|[ ](?=\d)){2,18}\d/gi,
    group: 0,
  },
  {
    id: "cycle-time",
    category: "CYCLE_TIME",
    re: /\b(?:cycle|tact|takt|CT)(?:\s*(?:time|target|budget))?\s*[:=]?\s*(\d+(?:\.\d+)?\s*(?:s|sec|seconds)\b)/gi,
    group: 1,
  },
  {
    id: "program-id",
    category: "PROGRAM_ID",
    re: /\b(?:OEM program|program id|program no\.?|toolpath name)\s*[:=]?\s*([A-Z0-9][A-Z0-9_-]*\d[A-Z0-9_-]*)/gi,
    group: 1,
  },
  {
    id: "fieldbus-name",
    category: "HOST",
    re: /\b(?:PROFINET|EtherNet\/IP|device)\s+name\s*[:=]?\s*"?([\w.-]+)"?/gi,
    group: 1,
  },
];

const BUILTIN_LABEL: ValueRule[] = [
  {
    id: "label-customer",
    category: "CUSTOMER",
    re: new RegExp(`\\b(?:customer|client|kunde|end user)\\s*:\\s*${LABEL_VALUE}`, "giu"),
    group: 1,
  },
  {
    id: "label-customer",
    category: "CUSTOMER",
    re: new RegExp(`(?:고객사?|업체)\\s*:\\s*${LABEL_VALUE}`, "gu"),
    group: 1,
  },
  {
    id: "label-plant",
    category: "PLANT",
    re: new RegExp(`\\b(?:plant|werk|site|factory)\\s*:\\s*${LABEL_VALUE}`, "giu"),
    group: 1,
  },
  { id: "label-plant", category: "PLANT", re: new RegExp(`공장\\s*:\\s*${LABEL_VALUE}`, "gu"), group: 1 },
  {
    id: "label-line",
    category: "LINE",
    re: new RegExp(`\\b(?:line|cell|station)\\s*:\\s*${LABEL_VALUE}`, "giu"),
    group: 1,
  },
  {
    id: "label-part",
    category: "PART",
    re: /\b(?:part\s*(?:no\.?|number|#)|p\/n|sku|품번)\s*[:#]?\s*([A-Z0-9][A-Z0-9./_-]*\d[A-Z0-9./_-]*)/giu,
    group: 1,
  },
  {
    id: "label-integrator",
    category: "ORG",
    re: new RegExp(`\\b(?:integrator|contractor|vendor)\\s*:\\s*${LABEL_VALUE}`, "giu"),
    group: 1,
  },
  // Case-insensitive keywords but a case-sensitive name: JS has no inline (?i:), so spell it out.
  {
    id: "label-person",
    category: "PERSON",
    re: new RegExp(
      `\\b(?:${anyCase("taught by|converted by|programmed by|operator|programmer|author|engineer|shift lead|contact|by|ask|call")})\\s*:?\\s*${NAME}`,
      "gu",
    ),
    group: 1,
  },
  { id: "label-person", category: "PERSON", re: /(?:작업자|담당자|작성자|교시자)\s*:?\s*([가-힣]{2,4})/gu, group: 1 },
  {
    id: "label-title",
    category: "PROGRAM_ID",
    re: new RegExp(`^\\s*(?:title)\\s*:\\s*${LABEL_VALUE}`, "giu"),
    group: 1,
  },
];

const BUILTIN_CODE: CodeRule[] = [
  // DART/TP exports name loop counters after the creation time (`gLoop211203046`).
  { id: "timestamp-identifier", prefix: "gLoop", re: /\bgLoop\d{6,}\b/g },
];

const ROBOT_MODEL: ValueRule = { id: "robot-model", category: "ROBOT_MODEL", re: /\d+\(([A-Za-z0-9-]+)\)/g, group: 1 };

/** Ids of every built-in rule, for `redaction.disable` and the card. */
export const REDACTION_BUILTIN_RULE_IDS = [
  ...new Set([...BUILTIN_VALUE, ...BUILTIN_LABEL, ...BUILTIN_CODE, ROBOT_MODEL].map((r) => r.id)),
];

/**
 * Compiles the config's lists and patterns with the built-in rules. Pure.
 *
 * @throws ReleaseError `DATASET_REDACTION_RULE_INVALID` (usage) for a regex that does not compile.
 */
export function compileRedactionRules(
  config: RedactionConfig,
  opts: { generic?: (text: string) => GenericDetection[] } = {},
): RedactionRules {
  const disabled = new Set(config.disable);
  const value: ValueRule[] = [];
  const list = (id: string, category: RedactionCategory, values: readonly string[]) => {
    if (values.length === 0) return;
    // Longest first, so "Vantor Castings Co., Ltd." wins over "Vantor".
    const alts = [...values].sort((a, b) => b.length - a.length).map((v) => escape(v.trim()).replace(/\s+/g, "\\s+"));
    value.push({
      id,
      category,
      re: new RegExp(`${wordBoundaryStart}(?:${alts.join("|")})${wordBoundaryEnd}`, "giu"),
      group: 0,
    });
  };
  list("list-customers", "CUSTOMER", config.customers);
  list("list-plants", "PLANT", config.plants);
  list("list-lines", "LINE", config.lines);
  list("list-people", "PERSON", config.people);
  config.part_number_patterns.forEach((p, i) =>
    value.push({
      id: "part-number-pattern",
      category: "PART",
      re: compile(p, `redaction.part_number_patterns.${i}`),
      group: 0,
    }),
  );
  config.patterns.forEach((p, i) => {
    if (p.values) list(p.name, p.category, p.values);
    if (p.regex !== undefined)
      value.push({ id: p.name, category: p.category, re: compile(p.regex, `redaction.patterns.${i}.regex`), group: 0 });
  });
  value.push(...BUILTIN_VALUE.filter((r) => !disabled.has(r.id)));
  return {
    value,
    label: BUILTIN_LABEL.filter((r) => !disabled.has(r.id)),
    code: BUILTIN_CODE.filter((r) => !disabled.has(r.id)),
    header: config.robot_model && !disabled.has(ROBOT_MODEL.id) ? [ROBOT_MODEL] : [],
    generic: opts.generic ?? detectGenericSensitive,
  };
}

function compile(source: string, field: string): RegExp {
  try {
    return new RegExp(source, "gu");
  } catch (cause) {
    throw usageError(
      "DATASET_REDACTION_RULE_INVALID",
      `redaction rule ${field} is not a valid regular expression: ${(cause as Error).message}`,
      {
        hint: "write a JavaScript regular expression (Unicode mode), e.g. '\\b[A-Z]{2}-\\d{5}\\b'",
        location: { field },
        cause,
      },
    );
  }
}
