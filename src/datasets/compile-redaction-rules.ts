import { usageError } from "../errors.js";
import type { RedactionCategory, RedactionConfig } from "./dataset-config-schema.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import {
  createDatasetDetector,
  DATASET_DETECTOR_RULE_IDS,
  type GenericDetection,
  type SecretDetector,
} from "./create-dataset-detector.js";

/**
 * The redaction rules of one dataset build, compiled once. Values are found by one engine
 * (`detect`: the sanitizer's detectors with the project's lists and patterns, plus the robot
 * rules of `createDatasetDetector`) and by the placement rules that only robot programs need:
 * - value rules that know where programs keep values (Windows and UNC paths, timestamps, phone
 *   numbers after a label, cycle times after `cycle target`, OEM program ids, fieldbus names);
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
  /** The engine: every value-finding rule that does not depend on placement. */
  generic: (text: string) => GenericDetection[];
  /** Comment policy: `allowlist` drops every comment that matches none of `keep` (whole comment, trimmed). */
  comments: { mode: "redact" | "allowlist"; keep: RegExp[] };
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

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

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
    id: "phone",
    category: "PHONE",
    re: /(?:\b(?:ext\.?|tel\.?|fax|phone|mobile|cell|H\.P\.?|HP)|휴대폰|핸드폰|전화(?:번호)?|연락처|내선)\s*[:.]?\s*\+?\d(?:[\d-]|[ .](?=\d)){2,18}\d/giu,
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
  ...new Set([
    ...[...BUILTIN_VALUE, ...BUILTIN_LABEL, ...BUILTIN_CODE, ROBOT_MODEL].map((r) => r.id),
    ...DATASET_DETECTOR_RULE_IDS,
  ]),
];

// Invisible characters a name can hide behind (soft hyphen, zero-width and bidi controls, BOM).
const INVISIBLE = "[\\u00ad\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\ufeff]*";
// Between the words of a listed value: any spacing or punctuation, or none (`Hong_Gildong`, `*VANTORPICK`).
const BETWEEN_WORDS = "[^\\p{L}\\p{N}]{0,3}";

/**
 * The source of a listed value's pattern: its letters and digits in order, each also full-width
 * and (Hangul) decomposed, with invisible characters allowed after each, and anything or nothing
 * between words. The engine's own normalisation covers more; this is what a listed name must
 * never escape, whatever the engine does.
 */
export function listValueSource(value: string): string {
  const words = value.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words
    .map((w) =>
      [...w.normalize("NFC")]
        .map((c) => {
          const forms = new Set([escapeRegExp(c)]);
          const code = c.charCodeAt(0);
          if (code >= 0x21 && code <= 0x7e) forms.add(String.fromCharCode(code - 0x21 + 0xff01));
          const nfd = c.normalize("NFD");
          const cls = `[${[...forms].join("")}]`;
          return `${nfd !== c ? `(?:${cls}|${escapeRegExp(nfd)})` : cls}${INVISIBLE}`;
        })
        .join(""),
    )
    .join(BETWEEN_WORDS);
}

/**
 * Compiles the config's lists and patterns with the built-in rules. The lists and patterns go to
 * the engine as project patterns, so its normalisation (Unicode forms, full-width letters,
 * invisible characters) applies to them; they match anywhere, also inside labels, identifiers
 * and before Korean particles. Pure.
 *
 * @throws ReleaseError `DATASET_REDACTION_RULE_INVALID` (usage) for a regex that does not compile.
 */
export function compileRedactionRules(config: RedactionConfig, opts: { engine?: SecretDetector } = {}): RedactionRules {
  const disabled = new Set(config.disable);
  const patterns: SecretPattern[] = [];
  const categoryOf = new Map<string, RedactionCategory>();
  const list = (id: string, category: RedactionCategory, values: readonly string[]) => {
    const vs = values.map((v) => v.trim()).filter((v) => v.length > 0);
    if (vs.length === 0) return;
    categoryOf.set(id, category);
    // Longest first, so "Vantor Castings Co., Ltd." wins over "Vantor".
    const alts = [...vs].sort((a, b) => b.length - a.length).map(listValueSource);
    patterns.push({ name: id, values: vs }, { name: id, regex: `/(?:${alts.join("|")})/giu` });
  };
  list("list-customers", "CUSTOMER", config.customers);
  list("list-plants", "PLANT", config.plants);
  list("list-lines", "LINE", config.lines);
  list("list-people", "PERSON", config.people);
  config.part_number_patterns.forEach((p, i) => {
    compile(p, `redaction.part_number_patterns.${i}`);
    categoryOf.set("part-number-pattern", "PART");
    patterns.push({ name: "part-number-pattern", regex: `/${p}/gu` });
  });
  config.patterns.forEach((p, i) => {
    if (p.values) list(p.name, p.category, p.values);
    if (p.regex !== undefined) {
      compile(p.regex, `redaction.patterns.${i}.regex`);
      categoryOf.set(p.name, p.category);
      patterns.push({ name: p.name, regex: `/${p.regex}/gu` });
    }
  });
  const keep = config.comments.keep.map((k, i) => compile(k, `redaction.comments.keep.${i}`));
  return {
    value: BUILTIN_VALUE.filter((r) => !disabled.has(r.id)),
    label: BUILTIN_LABEL.filter((r) => !disabled.has(r.id)),
    code: BUILTIN_CODE.filter((r) => !disabled.has(r.id)),
    header: config.robot_model && !disabled.has(ROBOT_MODEL.id) ? [ROBOT_MODEL] : [],
    generic: createDatasetDetector({
      patterns,
      categoryOf,
      disable: config.disable,
      engine: opts.engine,
    }),
    comments: { mode: config.comments.mode, keep },
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
