import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import type { z } from "zod";
import { usageError } from "../errors.js";
import { suggestFieldName } from "./suggest-field-name.js";

/** One problem in a YAML file, located to the line and column of the offending node. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. `hub.repo` or `sanitize.allow.0.reason`. */
  field: string;
  message: string;
}

/**
 * Parses YAML text and validates it with a zod schema. Every YAML syntax error and every schema
 * issue is located (file, line, column, field). Pure: the caller reads the file.
 *
 * @throws ReleaseError `CONFIG_INVALID` (usage) listing every issue, with a hint.
 */
export function parseYamlWithSchema<S extends z.ZodType>(params: {
  text: string;
  file: string;
  schema: S;
  /** Shown in the hint, e.g. "model-release schema" or the docs of the config kind. */
  hint: string;
}): z.infer<S> {
  const { text, file, schema, hint } = params;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const issues: ConfigIssue[] = [];

  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, field: "", message: `YAML: ${err.message.split("\n")[0]}` });
  }
  if (issues.length === 0) {
    const result = schema.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
    if (result.success) return result.data;
    const unknownKeys = result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys" ? issue.keys.map((key) => ({ path: plainPath(issue.path), key })) : [],
    );
    // A misspelt required field yields two issues: the unknown spelling and the missing field. Say it once.
    const suggestions = unknownKeys.map((u) => ({ ...u, suggestion: suggestFieldName({ schema, ...u }) }));
    const explained = new Set(suggestions.flatMap((s) => (s.suggestion ? [[...s.path, s.suggestion].join(".")] : [])));
    for (const issue of result.error.issues) {
      const path = plainPath(issue.path);
      if (issue.code === "unrecognized_keys") continue;
      if (explained.has(path.join(".")) && !doc.hasIn(path)) continue;
      const { line, column } = locate(doc, lineCounter, path, false);
      issues.push({ file, line, column, field: path.join("."), message: issue.message });
    }
    for (const { path, key, suggestion } of suggestions) {
      const full = [...path, key];
      // An unknown key is reported at the key itself, not at its parent object.
      const { line, column } = locate(doc, lineCounter, full, true);
      const message = suggestion
        ? `unknown field '${key}': did you mean '${suggestion}'?`
        : `unknown field '${key}' (check its spelling; 'model-release schema' lists every field)`;
      issues.push({ file, line, column, field: full.join("."), message });
    }
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
  }
  const first = issues[0]!;
  const lines = issues.map((i) => `  ${i.file}:${i.line}:${i.column}${i.field ? ` ${i.field}` : ""}: ${i.message}`);
  throw usageError(
    "CONFIG_INVALID",
    `${file} is not a valid config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    {
      hint,
      location: { file: first.file, line: first.line, column: first.column, field: first.field || undefined },
      details: { issues },
    },
  );
}

function plainPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === "symbol" ? String(p) : p));
}

/** The deepest node of `path` that exists in the document: a missing field points at its parent. */
function locate(
  doc: Document,
  lc: LineCounter,
  path: (string | number)[],
  atKey: boolean,
): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    if (atKey && n === path.length && n > 0) {
      const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
      const pair =
        isNode(parent) && "items" in parent
          ? (parent.items as { key?: unknown }[]).find(
              (it) => isNode(it.key) && String((it.key as { value?: unknown }).value) === String(sub.at(-1)),
            )
          : undefined;
      if (pair && isNode(pair.key) && pair.key.range) {
        const p = lc.linePos(pair.key.range[0]);
        return { line: p.line, column: p.col };
      }
      continue;
    }
    const node = n === 0 ? doc.contents : doc.getIn(sub, true);
    if (isNode(node) && node.range) {
      const p = lc.linePos(node.range[0]);
      return { line: p.line, column: p.col };
    }
  }
  return { line: 1, column: 1 };
}
