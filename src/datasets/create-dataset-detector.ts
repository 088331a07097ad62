import { detectSecrets, type SecretPattern } from "../sanitize/detect-secrets.js";
import type { RedactionCategory } from "./dataset-config-schema.js";

/**
 * The one detection engine of a dataset build: the sanitizer's `detectSecrets` (tokens, keys,
 * credentials, e-mails, IP addresses, hosts, paths, personal data, and the project's lists and
 * patterns, with the sanitizer's normalisation), plus the few rules that only robot programs need:
 * URLs of any host (controller web APIs, OPC UA endpoints), MAC addresses of fieldbus devices,
 * forward-slash share paths (`//nas-02/robotjobs/…`), controller serial numbers with or without
 * a label, cell host names without a domain (`mes-srv01`) and any domain name (`gpu01.example.co.kr`:
 * a robot program has no reason to name a public host either).
 */

export interface GenericDetection {
  rule: string;
  category: RedactionCategory;
  start: number;
  end: number;
}

/** The shape of the sanitizer's `detectSecrets(text, opts)` result that the redactor needs. */
export type SecretDetector = (
  text: string,
  opts: { patterns?: SecretPattern[] },
) => { rule: string; start: number; end: number }[];

/** Placeholder category of a sanitizer rule id (tokens and keys become SECRET). */
export function categoryOfSanitizeRule(rule: string): RedactionCategory {
  // Credentials first: `database-url-password` is a secret, not a URL.
  if (/pass|secret|token|key|credential|auth|jwt/i.test(rule)) return "SECRET";
  if (/email|e-mail/i.test(rule)) return "EMAIL";
  if (/^ip|ip-?address|ipv[46]/i.test(rule)) return "IP";
  if (/phone|mobile|landline/i.test(rule)) return "PHONE";
  if (/resident|rrn|registration|passport|foreigner|national-id|ssn|social-security|licen[cs]e/i.test(rule))
    return "NATIONAL_ID";
  if (/host|domain/i.test(rule)) return "HOST";
  if (/path/i.test(rule)) return "PATH";
  if (/url|bucket/i.test(rule)) return "URL";
  return "SECRET";
}

interface RobotRule {
  rule: string;
  category: RedactionCategory;
  re: RegExp;
  /** Capture group holding the sensitive part; 0 = the whole match. */
  group?: number;
  accept?: (value: string) => boolean;
}

// Labels of host names in cell documentation and programs; a host after them has any shape.
const HOST_WORDS = "srv|server|host|node|plc|hmi|mes|scada|nas|db|gw|pc|ws|vm|rc|ctrl|controller|robot|edge|opc";

const ROBOT_RULES: RobotRule[] = [
  { rule: "url", category: "URL", re: /\b(?:https?|ftp|sftp|opc\.tcp|smb|mqtt|ws|wss):\/\/[^\s"'<>)\]]+/gi },
  {
    rule: "mac-address",
    category: "SERIAL",
    re: /(?<![0-9A-Fa-f:-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])/g,
  },
  // SMB shares written with forward slashes; `://` is a URL, not a share.
  { rule: "share-path", category: "PATH", re: /(?<![\w:/])\/\/[A-Za-z0-9][\w.-]*\/[^\s"'<>|]*/g },
  {
    rule: "serial-number",
    category: "SERIAL",
    re: /(?:\b(?:S\/N|SN|serial(?:\s*(?:no\.?|number|#))?|ser\.\s*no\.?|controller\s*(?:no\.?|id))|제조\s*번호|일련\s*번호|시리얼(?:\s*번호)?|기기\s*번호|본체\s*번호|제품\s*번호)\s*[:#.]?\s*([A-Za-z0-9][A-Za-z0-9-]{4,})/giu,
    group: 1,
  },
  // A controller or robot serial without a label: letter-led, three or more dash-separated groups,
  // a run of four or more digits and six digits in all (HI5A-C-2019-004417, DRCF-2203-118842).
  {
    rule: "controller-serial",
    category: "SERIAL",
    re: /(?<![\w-])[A-Z][A-Z0-9]{0,7}(?:-[A-Z0-9]{1,8}){2,4}(?![\w-])/g,
    accept: (v) => /\d{4}/.test(v) && (v.match(/\d/g)?.length ?? 0) >= 6,
  },
  {
    rule: "host-name",
    category: "HOST",
    re: new RegExp(
      `(?<![\\w.-])(?:(?:${HOST_WORDS})\\d*(?:-[a-z0-9]+)+|[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:${HOST_WORDS})\\d*(?:-[a-z0-9]+)*)(?![\\w-])`,
      "gi",
    ),
    accept: (v) => /\d/.test(v),
  },
  {
    rule: "host-name",
    category: "HOST",
    re: /\b(?:host(?:name)?|server)\s*[:=]\s*"?([A-Za-z][\w-]*)/gi,
    group: 1,
  },
  {
    rule: "domain-name",
    category: "HOST",
    re: /(?<![\w.@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:com|net|org|io|ai|co|kr|jp|cn|de|se|fr|uk|us|eu|biz|info|local|lan|corp|internal|intra|intranet|example)(?![\w-])/gi,
  },
];

/** Rule ids of the dataset-specific rules, for `redaction.disable` and the card. */
export const DATASET_DETECTOR_RULE_IDS = [...new Set(ROBOT_RULES.map((r) => r.rule))];

/**
 * Builds the detector of one dataset build: the engine with the project's lists and patterns,
 * then the robot rules. `categoryOf` names the placeholder category of the project's own rule
 * ids. Pure.
 */
export function createDatasetDetector(params: {
  patterns: SecretPattern[];
  categoryOf: ReadonlyMap<string, RedactionCategory>;
  disable?: readonly string[];
  engine?: SecretDetector;
}): (text: string) => GenericDetection[] {
  const engine = params.engine ?? ((t, o) => detectSecrets(t, o));
  const disabled = new Set(params.disable ?? []);
  const rules = ROBOT_RULES.filter((r) => !disabled.has(r.rule));
  return (text) => {
    const out: GenericDetection[] = [];
    for (const d of engine(text, { patterns: params.patterns })) {
      if (disabled.has(d.rule)) continue;
      out.push({
        rule: d.rule,
        category: params.categoryOf.get(d.rule) ?? categoryOfSanitizeRule(d.rule),
        start: d.start,
        end: d.end,
      });
    }
    for (const r of rules) {
      r.re.lastIndex = 0;
      for (const m of text.matchAll(r.re)) {
        const value = m[r.group ?? 0];
        if (!value || (r.accept && !r.accept(value))) continue;
        const start = m.index + (r.group ? m[0].lastIndexOf(value) : 0);
        out.push({ rule: r.rule, category: r.category, start, end: start + value.length });
      }
    }
    return out;
  };
}

/** Adapts a plain detector (`text => detections`) to the engine's signature, for tests and callers. */
export function fromSecretDetector(
  detect: (text: string) => { rule: string; start: number; end: number }[],
): SecretDetector {
  return (text) => detect(text);
}
