import type { RecallReport } from "./measure-redaction-recall.js";

/** Counts only: the report never holds a sensitive value, a source path or program text. */
export interface RedactionReport {
  schema: "model-release/redaction-report@1";
  dataset: string;
  version: string;
  /** Where the pseudonym key came from; the key itself is never recorded. */
  keySource: "env" | "random";
  records: { source: number; selected: number; published: number; rejected: number; sourceRejected: number };
  splits: Record<string, number>;
  byRule: Record<string, number>;
  byCategory: Record<string, number>;
  /** Per output field, per rule. */
  byField: Record<string, Record<string, number>>;
  rejectedByCode: Record<string, number>;
  /** Rejected records by code: a count and a fixed reason, never a name, line, excerpt or id. */
  rejected: { code: string; reason: string; count: number }[];
  /** Comments dropped by the comment allowlist (`redaction.comments.mode: allowlist`). */
  commentsDropped: number;
  /** Recall of the redaction on built-in probes of every class, measured in this build with its own rules, per place. */
  recall: RecallReport;
  /**
   * Redaction recall on the values planted in the source for testing: distinct values, how many
   * still appear verbatim in a published record, by category. Counts only, never the values.
   */
  plantedRecall?: { values: number; leaked: number; recall: number; leakedByCategory: Record<string, number> };
}
