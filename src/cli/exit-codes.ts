import type { ErrorCategory } from "../errors.js";

/**
 * The one table of exit codes. Scripts and CI depend on these numbers: never renumber.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | internal error (a bug: please report it) |
 * | 2 | usage: bad flags or an invalid config file |
 * | 3 | blocked: a finding (secret, unsafe pickle, licence, regression) stops the release |
 * | 4 | remote: the Hub or GitHub refused or failed (auth, network, 5xx after retries) |
 * | 5 | conflict: the version exists with other content, or a concurrent publish won |
 * | 6 | verify: files differ from the manifest or the signature |
 * | 7 | input: a malformed checkpoint, bundle or data file |
 * | 130 | interrupted by SIGINT (Ctrl-C); 143 for SIGTERM (128 + the signal, as shells report it) |
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  blocked: 3,
  remote: 4,
  conflict: 5,
  verify: 6,
  input: 7,
  interrupted: 130,
} as const satisfies Record<ErrorCategory | "ok", number>;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(category: ErrorCategory): ExitCode {
  return ExitCode[category];
}
