/**
 * Typed errors. Every error the library throws on purpose is a `ReleaseError`: a stable `code`,
 * a message that says what happened and where, a `hint` that says how to fix it, and an exit
 * category that the CLI maps to an exit code (see `src/cli/exit-codes.ts`).
 *
 * Library code throws these and never prints or exits. Third-party errors (octokit, the Hub
 * client) are translated at the adapter boundary into `RemoteError` without request headers,
 * because they carry the token.
 */

import { omitUndefined } from "./omit-undefined.js";

/** What kind of failure this is; the CLI maps each to one exit code. */
export const ErrorCategory = {
  /** Bad flags, bad config file, bad identifiers. */
  usage: "usage",
  /** The checkpoint, bundle or data is malformed (bad header, truncated file). */
  input: "input",
  /** The release is blocked by a policy finding (secret, unsafe pickle, licence). */
  blocked: "blocked",
  /** The Hub or GitHub refused or failed (auth, 4xx, 5xx after retries). */
  remote: "remote",
  /** A published version exists with different content, or a concurrent publish won. */
  conflict: "conflict",
  /** Verification found files that differ from the manifest or signature. */
  verify: "verify",
  /** A bug. */
  internal: "internal",
  /** The run was stopped by SIGINT/SIGTERM; a re-run resumes. */
  interrupted: "interrupted",
} as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

/** Where in a file something went wrong; any subset may be known. */
export interface ErrorLocation {
  file?: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Byte offset from the start of the file. */
  offset?: number;
  /** Dotted config field or JSON pointer. */
  field?: string;
}

export interface ReleaseErrorOptions {
  code: string;
  category: ErrorCategory;
  hint?: string;
  location?: ErrorLocation;
  /** Extra machine-readable facts for `--json` output. Never put a secret here. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ReleaseError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly hint?: string;
  readonly location?: ErrorLocation;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: ReleaseErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ReleaseError";
    this.code = options.code;
    this.category = options.category;
    this.hint = options.hint;
    this.location = options.location;
    this.details = options.details;
  }

  /** A plain object for `--json` output and reports. */
  toJSON(): Record<string, unknown> {
    // Also read whole by renderSafeValue and reports: absent fields are left out, not undefined.
    return omitUndefined({
      code: this.code,
      category: this.category,
      message: this.message,
      hint: this.hint || undefined,
      location: this.location,
      details: this.details,
    });
  }
}

export function isReleaseError(err: unknown): err is ReleaseError {
  // Checked by shape as well as by class: two copies of this module (a bundler, a linked
  // checkout) would make `instanceof` silently false.
  return (
    err instanceof ReleaseError ||
    (typeof err === "object" &&
      err !== null &&
      (err as { name?: unknown }).name === "ReleaseError" &&
      typeof (err as { code?: unknown }).code === "string")
  );
}

/** `file:line:column` or `file@offset`, whichever is known, for the first line of a message. */
export function formatLocation(loc: ErrorLocation | undefined): string {
  if (!loc) return "";
  let out = loc.file ?? "";
  if (loc.line !== undefined) out += `:${loc.line}${loc.column !== undefined ? `:${loc.column}` : ""}`;
  else if (loc.offset !== undefined) out += `${out ? " " : ""}at byte ${loc.offset}`;
  if (loc.field) out += `${out ? " " : ""}(${loc.field})`;
  return out;
}

/** Shorthand constructors, so call sites stay one line. */
export const usageError = (code: string, message: string, extra: Omit<ReleaseErrorOptions, "code" | "category"> = {}) =>
  new ReleaseError(message, { code, category: "usage", ...extra });
export const inputError = (code: string, message: string, extra: Omit<ReleaseErrorOptions, "code" | "category"> = {}) =>
  new ReleaseError(message, { code, category: "input", ...extra });
export const blockedError = (
  code: string,
  message: string,
  extra: Omit<ReleaseErrorOptions, "code" | "category"> = {},
) => new ReleaseError(message, { code, category: "blocked", ...extra });
export const remoteError = (
  code: string,
  message: string,
  extra: Omit<ReleaseErrorOptions, "code" | "category"> = {},
) => new ReleaseError(message, { code, category: "remote", ...extra });
export const conflictError = (
  code: string,
  message: string,
  extra: Omit<ReleaseErrorOptions, "code" | "category"> = {},
) => new ReleaseError(message, { code, category: "conflict", ...extra });
export const verifyError = (
  code: string,
  message: string,
  extra: Omit<ReleaseErrorOptions, "code" | "category"> = {},
) => new ReleaseError(message, { code, category: "verify", ...extra });
