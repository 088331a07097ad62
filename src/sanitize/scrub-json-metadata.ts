import { detectSecrets, type DetectOptions } from "./detect-secrets.js";
import { parseJsonStrings } from "./parse-json-strings.js";

export interface JsonScrubChange {
  pointer: string;
  /** Old value described by length and the rules it matched (never shown). */
  before: string;
  /** New value, or undefined when the member was removed. */
  after?: string;
  why: string;
}

export interface JsonScrubResult {
  changed: boolean;
  /** The scrubbed document (2-space JSON), or the input unchanged. */
  content: string;
  changes: JsonScrubChange[];
  /** The changes as a diff by JSON pointer, old values redacted. */
  diff: string;
}

/** Keys whose value names where a model or tokenizer was loaded from. */
const NAME_OR_PATH_KEYS = new Set([
  "_name_or_path",
  "name_or_path",
  "base_model_name_or_path",
  "model_name_or_path",
  "tokenizer_name_or_path",
]);
/** Keys that point at local files and have no public meaning. */
const LOCAL_FILE_KEYS = new Set(["tokenizer_file", "vocab_file", "merges_file", "model_file", "spm_file"]);
/** Rules whose hit in a metadata value means "a path, host or user name": rewritten or removed. */
const LOCATION_RULES = new Set(["user-path", "internal-path", "internal-hostname", "ip-address", "bucket-url"]);

// A value "is a local path" when it is absolute, home-relative or relative with a dot segment.
const LOCAL_PATH = /^(?:\/|~|\.{1,2}\/|[A-Za-z]:[\\/]|\\\\)/;
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$/;

/** Whether an object key names a local path, a host or a user (what values are scrubbed for). */
function isLocationKey(key: string, opts: DetectOptions): boolean {
  if (LOCAL_PATH.test(key) && /[\\/]/.test(key.slice(1))) return true;
  if (/^\.\.?[\\/]/.test(key) || /^[A-Za-z]:[\\/]/.test(key)) return true;
  return detectSecrets(key, opts).some((d) => LOCATION_RULES.has(d.rule));
}

/**
 * Scrubs a published JSON metadata file (config.json, tokenizer_config.json, adapter_config.json,
 * processor configs, the shard index):
 * - `_name_or_path`, `name_or_path`, `base_model_name_or_path`: a local path (or anything that is
 *   not a Hub id) becomes `baseModel`, or is removed when no base model is known;
 * - `tokenizer_file` and other local-file keys: removed when they hold a path;
 * - any other string holding an absolute path, host name, IP or bucket URL: removed;
 * - any member whose key names such a place: removed (keys are published like values).
 * The input must have no duplicate keys (`parseJsonStrings` refuses them): the output is
 * re-serialised from the parsed document, which is exactly what was checked.
 * Secrets are not scrubbed here: they block the release (the scan reports them).
 * Pure; the input must already be within the JSON depth bound (`parseJsonStrings` checks it).
 */
export function scrubJsonMetadata(
  text: string,
  params: {
    file: string;
    baseModel?: string;
    detect?: DetectOptions;
    /** Remove members whose key names a place (default true); false leaves them to the scan. */
    removeKeys?: boolean;
  },
): JsonScrubResult {
  parseJsonStrings(text, params.file); // depth and syntax check with a located error
  const doc = JSON.parse(text) as unknown;
  const changes: JsonScrubChange[] = [];
  const detectOpts: DetectOptions = { ...params.detect, patterns: [] };
  // Iterative walk: (container, key, pointer).
  const stack: { holder: Record<string, unknown> | unknown[]; pointer: string }[] = [];
  if (doc !== null && typeof doc === "object") stack.push({ holder: doc as Record<string, unknown>, pointer: "" });
  while (stack.length > 0) {
    const { holder, pointer } = stack.pop()!;
    const keys = Array.isArray(holder) ? holder.map((_, i) => String(i)) : Object.keys(holder);
    for (const key of keys) {
      const value = Array.isArray(holder) ? holder[Number(key)] : holder[key];
      const ptr = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (!Array.isArray(holder) && params.removeKeys !== false && isLocationKey(key, detectOpts)) {
        // A key is published like a value: one that names a local path, host or user goes with
        // its member. The pointer holds the key, so the diff shows where by position only.
        const at = `${pointer}/(key ${keys.indexOf(key) + 1} of ${keys.length})`;
        changes.push({
          pointer: at,
          before: `(key of ${key.length} characters)`,
          why: "member removed: its key names a local path, host or user",
        });
        delete holder[key];
        continue;
      }
      if (value !== null && typeof value === "object") {
        stack.push({ holder: value as Record<string, unknown>, pointer: ptr });
        continue;
      }
      if (typeof value !== "string") continue;
      // The diff is published in the build report: a removed value is described, never shown
      // (it was removed because it names a place, a host or a person).
      const redacted = () =>
        `(${value.length} characters${detectSecrets(value, params.detect).length > 0 ? `: ${[...new Set(detectSecrets(value, params.detect).map((d) => d.rule))].join(", ")}` : ""})`;
      const remove = (why: string) => {
        changes.push({ pointer: ptr, before: redacted(), why });
        if (Array.isArray(holder)) holder[Number(key)] = null;
        else delete holder[key];
      };
      if (!Array.isArray(holder) && NAME_OR_PATH_KEYS.has(key)) {
        if (value === "" || value === params.baseModel) continue;
        if (LOCAL_PATH.test(value) || !HUB_ID.test(value) || detectSecrets(value, detectOpts).length > 0) {
          if (params.baseModel) {
            changes.push({
              pointer: ptr,
              before: redacted(),
              after: JSON.stringify(params.baseModel),
              why: "local path replaced by the public base model id",
            });
            holder[key] = params.baseModel;
          } else remove("local path removed (no public base model id given)");
        }
        continue;
      }
      if (!Array.isArray(holder) && LOCAL_FILE_KEYS.has(key)) {
        if (value.includes("/") || value.includes("\\")) remove("path to a local file removed");
        continue;
      }
      const hits = detectSecrets(value, detectOpts).filter((d) => LOCATION_RULES.has(d.rule));
      if (hits.length > 0 || (LOCAL_PATH.test(value) && /[\\/]/.test(value.slice(1)))) {
        remove(`value holds ${hits.length > 0 ? hits.map((h) => h.message).join(", ") : "an absolute path"}`);
      }
    }
  }
  if (changes.length === 0) return { changed: false, content: text, changes, diff: "" };
  changes.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
  const diff = [`--- ${params.file} (checkpoint)`, `+++ ${params.file} (published)`]
    .concat(
      changes.flatMap((c) => [
        `- ${c.pointer}: ${c.before}`,
        ...(c.after !== undefined ? [`+ ${c.pointer}: ${c.after}`] : []),
        `  # ${c.why}`,
      ]),
    )
    .join("\n");
  return { changed: true, content: `${JSON.stringify(doc, null, 2)}\n`, changes, diff: `${diff}\n` };
}
