import type { PublishStep } from "./publish-journal.js";

/**
 * Progress of publish and pull as plain events; the CLI renders them (bar on a terminal, lines
 * otherwise, NDJSON with --json). Never carries a token.
 */
export type ProgressEvent =
  | {
      type: "step";
      step: PublishStep | "plan" | "code-push" | "download" | "verify";
      status: "start" | "done" | "skipped";
      detail?: string;
    }
  | { type: "totals"; files: number; bytes: number }
  | {
      type: "file";
      path: string;
      /** `verifying`: read before publishing because the build's hash cache cannot vouch for it. */
      state: "verifying" | "hashing" | "uploading" | "downloading" | "done";
      bytes: number;
      size: number;
    }
  | { type: "retry"; url: string; method: string; attempt: number; status?: number; delayMs: number }
  | { type: "warning"; message: string };

export type ProgressSink = (event: ProgressEvent) => void;
