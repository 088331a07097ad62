import { detectSecrets } from "../sanitize/detect-secrets.js";
import type { RedactionCategory } from "./dataset-config-schema.js";

/**
 * Generic (format-independent) detectors: the sanitizer's `detectSecrets` (tokens, keys,
 * credentials, e-mails, IP addresses, internal host names, user and cluster paths, bucket URLs),
 * plus two rules robot programs need and checkpoints do not: URLs of any host (controller web
 * APIs, OPC UA endpoints) and MAC addresses of fieldbus devices.
 */

export interface GenericDetection {
  rule: string;
  category: RedactionCategory;
  start: number;
  end: number;
}

/** The shape of the sanitizer's `detectSecrets(text, opts)` result that the redactor needs. */
export type SecretDetector = (text: string) => { rule: string; start: number; end: number }[];

/** Placeholder category of a sanitizer rule id (tokens and keys become SECRET). */
export function categoryOfSanitizeRule(rule: string): RedactionCategory {
  switch (rule) {
    case "ip-address":
      return "IP";
    case "email":
      return "EMAIL";
    case "internal-hostname":
      return "HOST";
    case "user-path":
    case "internal-path":
      return "PATH";
    case "bucket-url":
      return "URL";
    default:
      return "SECRET";
  }
}

interface RobotRule {
  rule: string;
  category: RedactionCategory;
  re: RegExp;
}

const ROBOT_RULES: RobotRule[] = [
  { rule: "url", category: "URL", re: /\b(?:https?|ftp|sftp|opc\.tcp|smb|mqtt|ws|wss):\/\/[^\s"'<>)\]]+/gi },
  {
    rule: "mac-address",
    category: "SERIAL",
    re: /(?<![0-9A-Fa-f:-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])/g,
  },
];

/** The sanitizer's detectors plus the robot-specific rules. Pure. */
export function detectGenericSensitive(text: string): GenericDetection[] {
  const out = fromSecretDetector((t) => detectSecrets(t))(text);
  for (const r of ROBOT_RULES) {
    r.re.lastIndex = 0;
    for (const m of text.matchAll(r.re))
      out.push({ rule: r.rule, category: r.category, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Adapts the sanitizer's detector to generic detections. */
export function fromSecretDetector(detect: SecretDetector): (text: string) => GenericDetection[] {
  return (text) =>
    detect(text).map((d) => ({ rule: d.rule, category: categoryOfSanitizeRule(d.rule), start: d.start, end: d.end }));
}
