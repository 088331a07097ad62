import type { IncomingMessage, ServerResponse } from "node:http";
import { DOCUMENTATION_URL } from "./render-github-objects.js";

/** HTTP helpers shared by the GitHub stand-in's handlers: GitHub-shaped bodies and errors. */

/** Bounds JSON request bodies: release notes are the largest (GitHub caps `body` at 125,000 chars). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Thrown by handlers; the dispatcher turns it into GitHub's error body. */
export class HttpError extends Error {
  readonly status: number;
  readonly errors?: { resource?: string; field?: string; code: string; message?: string }[];
  readonly headers?: Record<string, string>;
  constructor(
    status: number,
    message: string,
    extra: {
      errors?: { resource?: string; field?: string; code: string; message?: string }[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.status = status;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

export const notFound = () => new HttpError(404, "Not Found");

/** GitHub's 422 shape: `{message: "Validation Failed", errors: [{resource, field, code}]}`. */
export const validationFailed = (resource: string, field: string, code: string, message?: string) =>
  new HttpError(422, "Validation Failed", { errors: [{ resource, field, code, message }] });

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
    "x-github-media-type": "github.v3; format=json",
    ...headers,
  });
  res.end(text);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

export function sendHttpError(res: ServerResponse, err: HttpError): void {
  sendJson(
    res,
    err.status,
    {
      message: err.message,
      errors: err.errors,
      documentation_url: DOCUMENTATION_URL,
      status: String(err.status),
    },
    err.headers,
  );
}

/** Reads and parses a JSON object body; 400 on bad JSON, like GitHub ("Problems parsing JSON"). */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES) throw new HttpError(413, "Payload Too Large", { headers: { connection: "close" } });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "Problems parsing JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HttpError(400, "Body should be a JSON object");
  return value as Record<string, unknown>;
}

/** Optional string field; 422 `invalid` when present with another type. */
export function optionalString(body: Record<string, unknown>, resource: string, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw validationFailed(resource, field, "invalid", `${field} must be a string`);
  return v;
}

export function requiredString(body: Record<string, unknown>, resource: string, field: string): string {
  const v = optionalString(body, resource, field);
  if (v === undefined || v === "") throw validationFailed(resource, field, "missing_field");
  return v;
}

export function optionalBoolean(body: Record<string, unknown>, resource: string, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw validationFailed(resource, field, "invalid", `${field} must be a boolean`);
  return v;
}

/** GitHub's pagination: `per_page` (default 30, max 100), `page` (1-based) and a Link header. */
export function paginate<T>(items: T[], url: URL): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number.parseInt(url.searchParams.get("per_page") ?? "30", 10) || 30));
  const page = Math.max(1, Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const u = new URL(url);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"), link(1, "first"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(", ") } : {},
  };
}
