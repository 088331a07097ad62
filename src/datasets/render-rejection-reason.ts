// Fixed text per rejection code: the report and stderr are public, and a rejected record's
// folder, file name, line, statement or parser message is exactly what must not be published.
const REJECTION_REASONS: Record<string, string> = {
  PAIR_INCOMPLETE: "a pair folder without exactly one job file and one DRL program",
  PROGRAM_TOO_LARGE: "a program larger than the size limit",
  RECORD_TOO_LARGE: "a JSONL line longer than the size limit",
  INVALID_ENCODING: "text that is neither UTF-8 nor the configured encoding",
  BINARY_CONTENT: "binary content, not a program",
  RECORD_NOT_JSON: "a JSONL line that is not JSON",
  RECORD_NOT_OBJECT: "a JSONL line that is not a JSON object",
  RECORD_MISSING_FIELD: "a JSONL record without the mapped program fields",
  PROGRAM_UNPARSEABLE: "a program that does not parse in its dialect",
  SENSITIVE_VALUE_IN_STATEMENT: "a sensitive value inside a statement, where it cannot be replaced",
  REDACTION_CHANGED_PROGRAM: "redaction would have changed the instructions",
  REDACTION_UNSTABLE: "a second redaction pass still found values",
  DUPLICATE_ID: "two records with the same source id",
};

/** The published reason of a rejection code: fixed text, never anything of the record. Pure. */
export function rejectionReason(code: string): string {
  return REJECTION_REASONS[code] ?? "rejected";
}
