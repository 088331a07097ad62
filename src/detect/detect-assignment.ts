import { detectSecrets } from "./detect-secrets.js";
import { classifyCredentialKey, isCredentialValue, keyWords } from "./classify-credential-key.js";
import { dedupeDetections } from "./run-rules.js";
import type { DetectOptions, Detection } from "./types.js";

/**
 * Credentials by key name in structured data, where the key and the value are already apart:
 * JSON object members (`{"wandb_api_key": "<40 hex>"}`, `{"db_password": "…"}`), YAML mappings,
 * `.env` and Kubernetes secrets (`HF_TOKEN: <base64>`), Python `os.environ["KEY"] = "…"` once
 * parsed. The same key classification as the text rule `password-assignment`
 * (`classifyCredentialKey`): keys ending in `hf_token`, `hub_token`, `auth_token` count,
 * `pad_token`, `token_id`, `max_tokens`, `password_file` do not.
 *
 * Exported API (call these from structure-aware scanners):
 * - `detectAssignment(key, value, opts?)`: key-context findings only, offsets into `value`;
 * - `detectKeyValueSecrets(key, value, opts?)`: those plus `detectSecrets(value)`, merged;
 * - `detectJsonAssignments(doc, opts?)`: every member of a parsed JSON document, with its pointer;
 * - `isCredentialKey(key)` / `classifyCredentialKey(key)` (from classify-credential-key.ts).
 */

/** The rule id a credential key names: the vendor's when the key says which, else the generic one. */
function ruleForKey(key: string): { rule: string; message: string } {
  const words = keyWords(key);
  const joined = words.join("_");
  if (words.includes("wandb")) return { rule: "wandb-api-key", message: "Weights & Biases API key" };
  if (words.includes("comet") || joined.includes("comet_ml"))
    return { rule: "comet-api-key", message: "Comet API key" };
  if (words.includes("neptune")) return { rule: "neptune-api-token", message: "Neptune API token" };
  if (/aws_secret|secret_access_key/.test(joined))
    return { rule: "aws-secret-access-key", message: "AWS secret access key" };
  return { rule: "password-assignment", message: "credential assigned in clear text" };
}

/**
 * Findings that `value` is a credential because of the key it is assigned to. Offsets are into
 * `value` (the whole value, without surrounding whitespace). Empty when the key is no credential
 * key or the value is a placeholder (`${ENV}`, `<HUB_TOKEN>`, `null`, `changeme`) or, for token and
 * API-key names, not random-looking.
 */
export function detectAssignment(key: string, value: string, opts: DetectOptions = {}): Detection[] {
  const kind = classifyCredentialKey(key);
  if (kind === undefined || !isCredentialValue(kind, value)) return [];
  const { rule, message } = ruleForKey(key);
  if (opts.disable?.includes(rule)) return [];
  const start = value.length - value.trimStart().length;
  const end = value.trimEnd().length;
  return [{ rule, severity: "block", start, end, message: `${message} (by key name)` }];
}

/** `detectSecrets(value)` and `detectAssignment(key, value)`, merged (vendor rules name a shared span). */
export function detectKeyValueSecrets(key: string, value: string, opts: DetectOptions = {}): Detection[] {
  const own = detectSecrets(value, opts);
  const byKey = detectAssignment(key, value, opts);
  return byKey.length === 0 ? own : dedupeDetections([...own, ...byKey]);
}

export interface JsonAssignmentFinding {
  /** JSON pointer of the member (`/training_args/hub_token`). May itself hold sensitive text: redact before printing. */
  pointer: string;
  key: string;
  /** Offsets into the member's value (as a string: numbers are read as their JSON text). */
  detection: Detection;
}

/** Members visited per document before stopping (tokenizer vocabularies are objects of 200k members). */
const MAX_MEMBERS = 5_000_000;

/**
 * `detectAssignment` on every object member of a parsed JSON document whose value is a string or
 * a number (`{"password": 12345678}`). Iterative, so depth is bounded only by the parser.
 */
export function detectJsonAssignments(doc: unknown, opts: DetectOptions = {}): JsonAssignmentFinding[] {
  const out: JsonAssignmentFinding[] = [];
  const stack: { value: unknown; pointer: string }[] = [{ value: doc, pointer: "" }];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_MEMBERS) {
    const { value, pointer } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value as Record<string, unknown>);
    for (const [key, v] of entries) {
      visited++;
      const ptr = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (v !== null && typeof v === "object") stack.push({ value: v, pointer: ptr });
      else if (!Array.isArray(value) && (typeof v === "string" || typeof v === "number"))
        for (const d of detectAssignment(key, String(v), opts)) out.push({ pointer: ptr, key, detection: d });
    }
  }
  return out;
}
