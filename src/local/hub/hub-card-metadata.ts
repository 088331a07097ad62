import { ALL_MODEL_LIBRARY_KEYS, PIPELINE_TYPES } from "@huggingface/tasks";
import { parse as parseYaml } from "yaml";

/**
 * Card metadata as the Hub reads it: the README's YAML front matter becomes `cardData`, and
 * `tags`, `pipeline_tag`, `library_name` of repo info derive from it; `validate-yaml` checks it.
 */

/**
 * The Hub's licence identifiers (hub-docs `docs/hub/repositories-licenses.md`, region "licenses"),
 * plus the Llama 3.x/4 identifiers the Hub accepts since; `other` needs `license_name`.
 */
export const HUB_LICENSES: ReadonlySet<string> = new Set([
  "apache-2.0",
  "mit",
  "openrail",
  "bigscience-openrail-m",
  "creativeml-openrail-m",
  "bigscience-bloom-rail-1.0",
  "bigcode-openrail-m",
  "afl-3.0",
  "artistic-2.0",
  "bsl-1.0",
  "bsd",
  "bsd-2-clause",
  "bsd-3-clause",
  "bsd-3-clause-clear",
  "c-uda",
  "cc",
  "cc0-1.0",
  "cc-by-2.0",
  "cc-by-2.5",
  "cc-by-3.0",
  "cc-by-4.0",
  "cc-by-sa-3.0",
  "cc-by-sa-4.0",
  "cc-by-nc-2.0",
  "cc-by-nc-3.0",
  "cc-by-nc-4.0",
  "cc-by-nd-4.0",
  "cc-by-nc-nd-3.0",
  "cc-by-nc-nd-4.0",
  "cc-by-nc-sa-2.0",
  "cc-by-nc-sa-3.0",
  "cc-by-nc-sa-4.0",
  "cdla-sharing-1.0",
  "cdla-permissive-1.0",
  "cdla-permissive-2.0",
  "wtfpl",
  "ecl-2.0",
  "epl-1.0",
  "epl-2.0",
  "etalab-2.0",
  "eupl-1.1",
  "agpl-3.0",
  "gfdl",
  "gpl",
  "gpl-2.0",
  "gpl-3.0",
  "lgpl",
  "lgpl-2.1",
  "lgpl-3.0",
  "isc",
  "lppl-1.3c",
  "ms-pl",
  "mpl-2.0",
  "odc-by",
  "odbl",
  "openrail++",
  "osl-3.0",
  "postgresql",
  "ofl-1.1",
  "ncsa",
  "unlicense",
  "zlib",
  "pddl",
  "lgpl-lr",
  "deepfloyd-if-license",
  "llama2",
  "llama3",
  "llama3.1",
  "llama3.2",
  "llama3.3",
  "llama4",
  "gemma",
  "unknown",
  "other",
]);

const PIPELINES: ReadonlySet<string> = new Set(PIPELINE_TYPES);
const LIBRARIES: ReadonlySet<string> = new Set(ALL_MODEL_LIBRARY_KEYS);
/** `org/name` as base_model names a Hub repo. */
const REPO_ID_RE = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** The README front matter as a mapping, `undefined` without one; throws on YAML that does not parse. */
export function parseCardFrontMatter(readme: string): Record<string, unknown> | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(readme);
  if (!m) return undefined;
  const data: unknown = parseYaml(m[1]!);
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) throw new Error("YAML metadata must be a mapping");
  return data as Record<string, unknown>;
}

/** What repo info derives from the card: `cardData`, `tags`, `pipeline_tag`, `library_name`. */
export function planCardInfo(readme: string | undefined): {
  cardData?: Record<string, unknown>;
  tags: string[];
  pipeline_tag?: string;
  library_name?: string;
} {
  let data: Record<string, unknown> | undefined;
  try {
    data = readme === undefined ? undefined : parseCardFrontMatter(readme);
  } catch {
    data = undefined; // the Hub shows a broken card without metadata rather than failing repo info
  }
  if (!data) return { tags: [] };
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : str(v) ? [v] : []);
  const tags = new Set<string>(list(data.tags) as string[]);
  // The Hub adds the library, the licence and the datasets as tags of their own.
  const library = str(data.library_name);
  if (library) tags.add(library);
  for (const l of list(data.license) as string[]) tags.add(`license:${l}`);
  for (const d of list(data.datasets) as string[]) tags.add(`dataset:${d}`);
  for (const b of list(data.base_model) as string[]) tags.add(`base_model:${b}`);
  return { cardData: data, tags: [...tags], pipeline_tag: str(data.pipeline_tag), library_name: library };
}

/**
 * Checks card metadata as the Hub's validate-yaml does for the fields a release writes: licence
 * identifier, `model-index` shape, `base_model` shape, `pipeline_tag` and `library_name`.
 * Error texts follow the Hub's (`"license" must be one of [...]`), which the Python client's tests match.
 */
export function planCardValidation(
  readme: string,
  repoType: string,
): { errors: { message: string }[]; warnings: { message: string }[] } {
  const errors: { message: string }[] = [];
  const warnings: { message: string }[] = [];
  let data: Record<string, unknown> | undefined;
  try {
    data = parseCardFrontMatter(readme);
  } catch (err) {
    return { errors: [{ message: `Invalid YAML metadata: ${(err as Error).message}` }], warnings };
  }
  if (!data) {
    warnings.push({ message: "empty or missing yaml metadata in repo card" });
    return { errors, warnings };
  }
  const err = (message: string) => errors.push({ message });
  const licenses = Array.isArray(data.license) ? data.license : data.license === undefined ? [] : [data.license];
  for (const l of licenses) {
    if (typeof l !== "string" || !HUB_LICENSES.has(l))
      err(`"license" must be one of [${[...HUB_LICENSES].join(", ")}]`);
  }
  if (licenses.includes("other") && typeof data.license_name !== "string")
    warnings.push({ message: '"license_name" should be set when "license" is "other"' });
  if (data.pipeline_tag !== undefined && (typeof data.pipeline_tag !== "string" || !PIPELINES.has(data.pipeline_tag)))
    err(`"pipeline_tag" must be a valid pipeline type, one of [${[...PIPELINES].join(", ")}]`);
  if (
    repoType === "model" &&
    data.library_name !== undefined &&
    (typeof data.library_name !== "string" || !LIBRARIES.has(data.library_name))
  )
    err(`"library_name" must be a known library, one of [${[...LIBRARIES].join(", ")}]`);
  if (data.base_model !== undefined) {
    const bases = Array.isArray(data.base_model) ? data.base_model : [data.base_model];
    if (bases.some((b) => typeof b !== "string" || !REPO_ID_RE.test(b)))
      err('"base_model" must be a model id ("org/name") or a list of them');
  }
  if (data.tags !== undefined && !isStringOrStrings(data.tags)) err('"tags" must be a string or an array of strings');
  if (data.datasets !== undefined && !isStringOrStrings(data.datasets))
    err('"datasets" must be a string or an array of strings');
  if (data["model-index"] !== undefined) {
    const why = checkModelIndex(data["model-index"]);
    if (why) err(`"model-index" ${why}`);
  }
  return { errors, warnings };
}

function isStringOrStrings(v: unknown): boolean {
  return typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The shape of hub-docs modelcard.md: [{name, results: [{task: {type}, dataset: {type, name}, metrics: [{type, value}]}]}]. */
function checkModelIndex(v: unknown): string | undefined {
  if (!Array.isArray(v)) return "must be an array";
  for (const [i, m] of v.entries()) {
    if (!isObject(m)) return `[${i}] must be an object`;
    if (typeof m.name !== "string") return `[${i}].name must be a string`;
    if (!Array.isArray(m.results)) return `[${i}].results must be an array`;
    for (const [j, r] of m.results.entries()) {
      const at = `[${i}].results[${j}]`;
      if (!isObject(r)) return `${at} must be an object`;
      if (!isObject(r.task) || typeof r.task.type !== "string") return `${at}.task.type must be a string`;
      if (!isObject(r.dataset) || typeof r.dataset.type !== "string" || typeof r.dataset.name !== "string")
        return `${at}.dataset must have a string type and name`;
      if (!Array.isArray(r.metrics)) return `${at}.metrics must be an array`;
      for (const [k, mt] of r.metrics.entries()) {
        if (!isObject(mt) || typeof mt.type !== "string" || mt.value === undefined)
          return `${at}.metrics[${k}] must have a string type and a value`;
      }
    }
  }
  return undefined;
}
