import { ReleaseError } from "../errors.js";

/**
 * The run was interrupted (SIGINT/SIGTERM): every request was aborted, nothing later was sent,
 * and the journal holds every step that finished. The CLI exits 130 (143 for SIGTERM).
 */
export function interruptedError(during: string): ReleaseError {
  return new ReleaseError(`during ${during}; nothing was sent after the signal`, {
    code: "INTERRUPTED",
    category: "interrupted",
    hint: "run the same command again to resume",
    details: { during },
  });
}
