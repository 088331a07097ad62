import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * A small validator of HTTP responses against GitHub's official OpenAPI 3.0 description
 * (`@octokit/openapi`), for the GitHub stand-in's tests. It supports the keywords GitHub's
 * schemas use: $ref, type, nullable, enum, format (date-time, uri), properties, required,
 * additionalProperties, items, allOf, anyOf, oneOf (with discriminator).
 */

type Schema = Record<string, unknown>;
export interface OpenApi {
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, Schema> }>>;
  components: Record<string, Record<string, Schema>>;
}

let cached: OpenApi | undefined;
export function loadGitHubOpenApi(): OpenApi {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
    cached = JSON.parse(readFileSync(file, "utf8")) as OpenApi;
  }
  return cached;
}

export interface MatchedOperation {
  operationId: string;
  template: string;
  responses: Record<string, Schema>;
}

/** Finds the operation for a method and an API path (without the base URL); literal segments win. */
export function findOperation(spec: OpenApi, method: string, path: string): MatchedOperation | undefined {
  let best: { op: MatchedOperation; literals: number } | undefined;
  for (const [template, ops] of Object.entries(spec.paths)) {
    const op = ops[method.toLowerCase()];
    if (!op?.operationId) continue;
    const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}/?$`);
    if (!re.test(path)) continue;
    const literals = template.split("/").filter((s) => s && !s.startsWith("{")).length;
    if (!best || literals > best.literals)
      best = { op: { operationId: op.operationId, template, responses: op.responses }, literals };
  }
  return best?.op;
}

const resolve = (spec: OpenApi, s: Schema): Schema => {
  let cur = s;
  for (let i = 0; typeof cur.$ref === "string" && i < 20; i++) {
    const parts = (cur.$ref as string).replace(/^#\//, "").split("/");
    let node: unknown = spec;
    for (const p of parts) node = (node as Record<string, unknown>)[p];
    cur = node as Schema;
  }
  return cur;
};

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Validates `value` against `schema`; returns error strings (empty when valid). */
export function validateSchema(spec: OpenApi, schema: Schema, value: unknown, at = "$"): string[] {
  const s = resolve(spec, schema);
  const errors: string[] = [];
  if (value === null) {
    if (s.nullable === true) return [];
    const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (branches?.some((b) => validateSchema(spec, b, value, at).length === 0)) return [];
    if (s.type !== undefined || s.properties || s.items) return [`${at}: null is not allowed`];
  }
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf as Schema[]) errors.push(...validateSchema(spec, sub, value, at));
  if (Array.isArray(s.anyOf)) {
    const results = (s.anyOf as Schema[]).map((sub) => validateSchema(spec, sub, value, at));
    if (!results.some((r) => r.length === 0))
      errors.push(`${at}: matches no anyOf branch (${results.map((r) => r[0]).join(" | ")})`);
  }
  if (Array.isArray(s.oneOf)) {
    const disc = s.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
    const tag =
      disc && typeof value === "object" && value ? (value as Record<string, unknown>)[disc.propertyName] : undefined;
    if (disc?.mapping && typeof tag === "string" && disc.mapping[tag]) {
      errors.push(...validateSchema(spec, { $ref: disc.mapping[tag] }, value, at));
    } else {
      const results = (s.oneOf as Schema[]).map((sub) => validateSchema(spec, sub, value, at));
      const ok = results.filter((r) => r.length === 0).length;
      if (ok !== 1)
        errors.push(`${at}: matches ${ok} oneOf branches, expected 1 (${results.map((r) => r[0]).join(" | ")})`);
    }
  }
  if (Array.isArray(s.enum) && !s.enum.includes(value))
    errors.push(`${at}: ${JSON.stringify(value)} not in enum ${JSON.stringify(s.enum)}`);
  const type = s.type as string | undefined;
  if (type) {
    const ok =
      type === "integer"
        ? Number.isInteger(value)
        : type === "number"
          ? typeof value === "number"
          : type === "array"
            ? Array.isArray(value)
            : type === "object"
              ? typeof value === "object" && value !== null && !Array.isArray(value)
              : typeof value === type;
    if (!ok) return [...errors, `${at}: expected ${type}, got ${JSON.stringify(value)?.slice(0, 60)}`];
  }
  if (typeof value === "string") {
    if (s.format === "date-time" && !ISO_DATE_TIME.test(value)) errors.push(`${at}: not a date-time: ${value}`);
    if (s.format === "uri" && !URL.canParse(value)) errors.push(`${at}: not a uri: ${value}`);
  }
  if (Array.isArray(value) && s.items)
    value.forEach((v, i) => {
      errors.push(...validateSchema(spec, s.items as Schema, v, `${at}[${i}]`));
    });
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const req of (s.required ?? []) as string[])
      if (!(req in obj)) errors.push(`${at}: missing required property ${req}`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...validateSchema(spec, props[k], v, `${at}.${k}`));
      else if (s.additionalProperties === false) errors.push(`${at}: unexpected property ${k}`);
      else if (typeof s.additionalProperties === "object")
        errors.push(...validateSchema(spec, s.additionalProperties as Schema, v, `${at}.${k}`));
    }
  }
  return errors;
}

export interface RecordedResponse {
  method: string;
  /** Path relative to the API base (or the uploads base), without the query. */
  path: string;
  status: number;
  contentType: string;
  body: string;
}

/**
 * Validates one response against the operation's documented response for its status. GitHub
 * documents only some error statuses per operation; an undocumented 4xx/5xx is checked against
 * `basic-error`, the shape GitHub uses for all of them.
 */
export function validateResponse(spec: OpenApi, r: RecordedResponse): { operationId?: string; errors: string[] } {
  const op = findOperation(spec, r.method, r.path);
  if (!op) return { errors: [`${r.method} ${r.path}: no operation in GitHub's OpenAPI description`] };
  let response = op.responses[String(r.status)] ? resolve(spec, op.responses[String(r.status)]!) : undefined;
  if (!response && r.status >= 400)
    response = { content: { "application/json": { schema: { $ref: "#/components/schemas/basic-error" } } } };
  if (!response)
    return { operationId: op.operationId, errors: [`${op.operationId}: status ${r.status} is not documented`] };
  let content = response.content as Record<string, { schema?: Schema }> | undefined;
  // Some error statuses are documented without a body; GitHub still sends its error object.
  if (!content && r.status >= 400)
    content = { "application/json": { schema: { $ref: "#/components/schemas/basic-error" } } };
  if (!content) {
    return {
      operationId: op.operationId,
      errors: r.body === "" ? [] : [`${op.operationId} ${r.status}: expected no body`],
    };
  }
  const json = content["application/json"];
  if (!json?.schema) return { operationId: op.operationId, errors: [`${op.operationId} ${r.status}: no JSON schema`] };
  if (!r.contentType.startsWith("application/json"))
    return { operationId: op.operationId, errors: [`${op.operationId}: content-type ${r.contentType}`] };
  let body: unknown;
  try {
    body = JSON.parse(r.body);
  } catch {
    return { operationId: op.operationId, errors: [`${op.operationId}: body is not JSON`] };
  }
  return {
    operationId: op.operationId,
    errors: validateSchema(spec, json.schema, body).map((e) => `${op.operationId} ${r.status} ${e}`),
  };
}
