import type { IncomingMessage, ServerResponse } from "node:http";

/** An error answered as the Hub answers it: JSON `{error}` plus `X-Error-Code`/`X-Error-Message`. */
export class HttpError extends Error {
  readonly status: number;
  readonly errorCode?: string;
  readonly headers: Record<string, string>;
  /** Fields the Hub adds to the JSON body beside `error` (e.g. `url` on a 409 from create). */
  readonly extra: Record<string, unknown>;
  constructor(
    status: number,
    message: string,
    errorCode?: string,
    headers: Record<string, string> = {},
    extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.errorCode = errorCode;
    this.headers = headers;
    this.extra = extra;
  }
}

export const repoNotFound = () => new HttpError(404, "Repository not found", "RepoNotFound");
export const revisionNotFound = (rev: string) => new HttpError(404, `Invalid rev id: ${rev}`, "RevisionNotFound");
export const entryNotFound = (path: string, commit?: string) =>
  new HttpError(404, `Entry not found: ${path}`, "EntryNotFound", commit ? { "x-repo-commit": commit } : {});

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * `X-Error-Code` for errors that carry no specific one. Clients dispatch only on the four
 * documented codes (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo); these say which
 * class of refusal it was, so scripts that branch on the header never see it missing.
 */
const DEFAULT_ERROR_CODES: Record<number, string> = {
  401: "Unauthorized",
  403: "Forbidden",
  409: "Conflict",
  412: "PreconditionFailed",
};

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...err.headers };
  const code = err.errorCode ?? DEFAULT_ERROR_CODES[err.status];
  if (code) headers["x-error-code"] = code;
  // Header values must be latin1 without newlines; messages are ours, but paths come from clients.
  headers["x-error-message"] = err.message.replace(/[^\x20-\x7e]/g, "?").slice(0, 500);
  sendJson(res, err.status, { ...err.extra, error: err.message }, headers);
}

/** Reads a whole request body, refusing more than `maxBytes` (413) without buffering the excess. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(413, `Request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `Request body exceeds the limit of ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON object body (400 when it is not JSON or not an object). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const buf = await readBody(req, maxBytes);
  if (buf.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, "Request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

/**
 * Parses a single-range `Range` header against a size. Returns undefined for no/ignored Range,
 * "unsatisfiable" for a 416. Multi-range requests are answered with the whole body (allowed by RFC 9110).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === "" && b === "") return undefined;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return "unsatisfiable";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
